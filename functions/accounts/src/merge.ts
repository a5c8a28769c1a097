// Merges ascending streams of pages into one ascending stream of pages without duplicates,
// holding one page per stream: the subscribers of a channel and of an event, each person once.

async function* items(pages: AsyncIterable<string[]>): AsyncGenerator<string> {
  for await (const page of pages) yield* page;
}

export async function* mergeUniquePages(
  sources: AsyncIterable<string[]>[],
  pageSize = 1000,
): AsyncGenerator<string[]> {
  if (sources.length === 1) {
    // Already ordered and unique (one row per user and target): pass the pages through.
    yield* sources[0] as AsyncIterable<string[]>;
    return;
  }
  const streams = sources.map((source) => items(source));
  const heads = await Promise.all(streams.map((s) => s.next()));
  let last: string | undefined;
  let page: string[] = [];
  for (;;) {
    let smallest = -1;
    heads.forEach((head, i) => {
      if (head.done) return;
      const current = heads[smallest];
      if (smallest === -1 || (current && !current.done && head.value < current.value)) smallest = i;
    });
    if (smallest === -1) break;
    const head = heads[smallest] as IteratorYieldResult<string>;
    if (head.value !== last) {
      last = head.value;
      page.push(head.value);
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    heads[smallest] = await (streams[smallest] as AsyncGenerator<string>).next();
  }
  if (page.length > 0) yield page;
}
