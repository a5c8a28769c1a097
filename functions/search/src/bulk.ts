// Writing documents in bulk with external versioning: Elasticsearch keeps a document only if its
// version is higher than the stored one, so an older snapshot that arrives late (or twice) is
// refused with a 409 and changes nothing. That refusal is success for us: the index already
// holds this version or a newer one.
import type { Client, estypes } from "@elastic/elasticsearch";

export interface VersionedWrite {
  /** An index or an alias (with `require_alias`, so a typo never creates a new index). */
  index: string;
  id: string;
  version: number;
  /** Absent: the document is deleted (at this version, so an older snapshot cannot bring it back). */
  document?: Record<string, unknown>;
}

export interface BulkOutcome {
  written: number;
  /** Already there in this version or a newer one. */
  stale: number;
}

export class BulkItemError extends Error {
  constructor(readonly failures: { id: string; status: number; reason: string }[]) {
    super(
      `${failures.length} document(s) not indexed: ${failures
        .slice(0, 3)
        .map((f) => `${f.id} (${f.status} ${f.reason})`)
        .join("; ")}`,
    );
    this.name = "BulkItemError";
  }
}

export type ItemResult = "written" | "stale" | { status: number; reason: string };

/** Sends the writes in one bulk request and says, per write, what became of it. */
export async function bulkWriteItems(
  es: Client,
  writes: VersionedWrite[],
  options: { requireAlias?: boolean } = {},
): Promise<ItemResult[]> {
  if (writes.length === 0) return [];
  const operations: estypes.BulkRequest["operations"] = writes.flatMap((write) => {
    const target = {
      _index: write.index,
      _id: write.id,
      version: write.version,
      version_type: "external" as const,
    };
    return write.document ? [{ index: target }, write.document] : [{ delete: target }];
  });
  const response = await es.bulk({ operations, require_alias: options.requireAlias ?? false });
  return response.items.map((item): ItemResult => {
    const result = item.index ?? item.delete;
    if (!result) return { status: 0, reason: "no result for this item" };
    if (result.status >= 200 && result.status < 300) return "written";
    // Deleting what is not there: it is gone, as asked (the delete still records its version).
    if (item.delete && result.status === 404) return "written";
    if (result.status === 409) return "stale";
    return { status: result.status, reason: result.error?.reason ?? result.error?.type ?? "?" };
  });
}

/** Writes every document or throws, saying which failed; each write is safe to repeat. */
export async function bulkWrite(
  es: Client,
  writes: VersionedWrite[],
  options: { requireAlias?: boolean } = {},
): Promise<BulkOutcome> {
  const results = await bulkWriteItems(es, writes, options);
  const outcome: BulkOutcome = { written: 0, stale: 0 };
  const failures: { id: string; status: number; reason: string }[] = [];
  results.forEach((result, i) => {
    if (result === "written") outcome.written += 1;
    else if (result === "stale") outcome.stale += 1;
    else failures.push({ id: writes[i]?.id ?? "?", ...result });
  });
  if (failures.length > 0) throw new BulkItemError(failures);
  return outcome;
}
