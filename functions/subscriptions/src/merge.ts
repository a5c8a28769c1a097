// Merges ascending streams into one ascending stream without duplicates, holding one value per
// stream: the subscribers of a channel and of an event, each person once.
export async function* mergeUnique(streams: AsyncIterator<string>[]): AsyncGenerator<string> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  let last: string | undefined;
  for (;;) {
    let smallest = -1;
    heads.forEach((head, i) => {
      if (head.done) return;
      const current = heads[smallest];
      if (smallest === -1 || (current && !current.done && head.value < current.value)) smallest = i;
    });
    if (smallest === -1) return;
    const head = heads[smallest] as IteratorYieldResult<string>;
    if (head.value !== last) {
      last = head.value;
      yield head.value;
    }
    heads[smallest] = await (streams[smallest] as AsyncIterator<string>).next();
  }
}
