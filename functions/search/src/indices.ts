// Indices live behind aliases (`events` → `events-000002`): the API and the indexer only ever
// name the alias, so a mapping change is a new index, a copy, and one atomic alias switch while
// search keeps answering from the old index.
import { type Client, errors } from "@elastic/elasticsearch";
import { bulkWrite } from "./bulk.ts";
import type { IndexBody } from "./mappings.ts";

export interface AliasSpec {
  alias: string;
  body: () => IndexBody;
}

const generationName = (alias: string, n: number) => `${alias}-${String(n).padStart(6, "0")}`;

function generationOf(alias: string, index: string): number {
  const match = new RegExp(`^${alias.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`).exec(index);
  return match ? Number(match[1]) : 0;
}

const isStatus = (error: unknown, status: number) =>
  error instanceof errors.ResponseError && error.statusCode === status;

/** The indices an alias points to (none if it does not exist). */
export async function aliasTargets(es: Client, alias: string): Promise<string[]> {
  try {
    return Object.keys(await es.indices.getAlias({ name: alias }));
  } catch (error) {
    if (isStatus(error, 404)) return [];
    throw error;
  }
}

/**
 * Creates the first index with its alias unless the alias exists; safe when processes race. An
 * existing index gets the fields the mapping gained since it was made (an additive change needs no
 * reindex); a change to an existing field is refused by Elasticsearch and waits for
 * `npm run reindex -w functions/search`.
 */
export async function ensureAlias(es: Client, spec: AliasSpec): Promise<void> {
  if ((await aliasTargets(es, spec.alias)).length > 0) {
    const { mappings } = spec.body();
    try {
      await es.indices.putMapping({ index: spec.alias, ...mappings });
    } catch (error) {
      if (!isStatus(error, 400)) throw error;
    }
    return;
  }
  const index = generationName(spec.alias, 1);
  try {
    await es.indices.create({
      index,
      ...spec.body(),
      aliases: { [spec.alias]: { is_write_index: true } },
    });
  } catch (error) {
    // Another process created it first: fine, as long as the alias is there now.
    const taken =
      error instanceof errors.ResponseError &&
      error.body?.error?.type === "resource_already_exists_exception";
    if (!taken) throw error;
    if ((await aliasTargets(es, spec.alias)).length === 0) {
      throw new Error(
        `index ${index} exists but alias ${spec.alias} does not point to it: add the alias, or delete the index`,
      );
    }
  }
}

export interface ReindexProgress {
  phase: "copy" | "catch-up";
  done: number;
  total: number;
}

export interface ReindexReport {
  from: string[];
  to: string;
  copied: number;
  caughtUp: number;
  deleted: boolean;
}

/**
 * Copies `from` into `to` (documents matching `query`), keeping each document's version, so a
 * newer document already in `to` is never overwritten. Reads through a point in time: a
 * consistent view however long the copy takes.
 */
async function copy(
  es: Client,
  from: string[],
  to: string,
  query: Record<string, unknown>,
  phase: ReindexProgress["phase"],
  onProgress: (progress: ReindexProgress) => void,
): Promise<number> {
  const pit = await es.openPointInTime({ index: from, keep_alive: "2m" });
  let pitId = pit.id;
  let done = 0;
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const page = await es.search<Record<string, unknown>>({
        pit: { id: pitId, keep_alive: "2m" },
        size: 1000,
        sort: [{ _shard_doc: "asc" }],
        version: true,
        track_total_hits: after === undefined,
        query,
        ...(after && { search_after: after as never }),
      });
      pitId = page.pit_id ?? pitId;
      const hits = page.hits.hits;
      if (hits.length === 0) break;
      await bulkWrite(
        es,
        hits.map((hit) => ({
          index: to,
          id: hit._id ?? "",
          version: hit._version ?? 0,
          document: hit._source ?? {},
        })),
      );
      done += hits.length;
      const total = page.hits.total;
      onProgress({
        phase,
        done,
        total: typeof total === "number" ? total : (total?.value ?? done),
      });
      after = hits.at(-1)?.sort;
    }
  } finally {
    await es.closePointInTime({ id: pitId }).catch(() => undefined);
  }
  return done;
}

/**
 * Rolls the alias over to a new index created with the current mapping:
 * 1. create the next generation; 2. copy everything (the indexer keeps writing to the old
 * index meanwhile); 3. switch the alias atomically; 4. copy again what was written since the
 * copy began (versions make that safe); 5. delete the old index, unless asked to keep it.
 * Searches answer from the old index until step 3 and from the new one after it.
 */
export async function reindex(
  es: Client,
  spec: AliasSpec,
  options: { keepOld?: boolean; onProgress?: (progress: ReindexProgress) => void } = {},
): Promise<ReindexReport> {
  const onProgress = options.onProgress ?? (() => undefined);
  const from = await aliasTargets(es, spec.alias);
  if (from.length === 0) {
    await ensureAlias(es, spec);
    return { from, to: generationName(spec.alias, 1), copied: 0, caughtUp: 0, deleted: false };
  }
  const existing = Object.keys(
    await es.indices.get({ index: `${spec.alias}-*`, expand_wildcards: "all" }),
  );
  const to = generationName(
    spec.alias,
    Math.max(0, ...existing.map((index) => generationOf(spec.alias, index))) + 1,
  );
  await es.indices.create({ index: to, ...spec.body() });

  // A margin for clocks: documents stamped a little before the copy began are copied twice.
  const since = new Date(Date.now() - 5000).toISOString();
  const copied = await copy(es, from, to, { match_all: {} }, "copy", onProgress);
  // Searchable before it is searched: the first query after the switch sees every copy.
  await es.indices.refresh({ index: to });
  await es.indices.updateAliases({
    actions: [
      ...from.map((index) => ({ remove: { index, alias: spec.alias } })),
      { add: { index: to, alias: spec.alias, is_write_index: true } },
    ],
  });
  // Bulk requests that resolved the alias just before the switch land in the old index within
  // moments; let them, then bring their documents over.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await es.indices.refresh({ index: from });
  const caughtUp = await copy(
    es,
    from,
    to,
    { range: { indexedAt: { gte: since } } },
    "catch-up",
    onProgress,
  );
  if (!options.keepOld) await es.indices.delete({ index: from });
  return { from, to, copied, caughtUp, deleted: !options.keepOld };
}
