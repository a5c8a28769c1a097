// The aliases the API reads and the indexer writes; a prefix (SEARCH_INDEX_PREFIX) keeps
// several platforms, or test runs, apart on one cluster.
export interface Aliases {
  events: string;
  channels: string;
}

export function aliasNames(prefix = process.env.SEARCH_INDEX_PREFIX ?? ""): Aliases {
  return { events: `${prefix}events`, channels: `${prefix}channels` };
}
