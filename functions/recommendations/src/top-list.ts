// The best few entries of a set whose keys only ever rise (an item's heat grows with each view),
// kept in order as they rise. Exact for such keys: an entry outside the list can only get in by
// rising, and rising is when it is offered.

export class TopList {
  readonly entries: number[] = [];

  /** `before(a, b)`: a ranks ahead of b (a strict, total order). */
  constructor(
    readonly capacity: number,
    private readonly before: (a: number, b: number) => boolean,
  ) {}

  /** An entry is new or its key rose: it moves up (or in) to where it now belongs. */
  raise(entry: number): void {
    const list = this.entries;
    let at = list.indexOf(entry);
    if (at === -1) {
      if (list.length >= this.capacity) {
        if (!this.before(entry, list[list.length - 1] as number)) return;
        list.pop();
      }
      list.push(entry);
      at = list.length - 1;
    }
    while (at > 0 && this.before(entry, list[at - 1] as number)) {
      list[at] = list[at - 1] as number;
      at -= 1;
    }
    list[at] = entry;
  }

  /** Computes the list again from every member (after one left: the next best is unknown). */
  rebuild(members: Iterable<number>): void {
    const sorted = [...members].sort((a, b) => (a === b ? 0 : this.before(a, b) ? -1 : 1));
    this.entries.length = 0;
    this.entries.push(...sorted.slice(0, this.capacity));
  }
}
