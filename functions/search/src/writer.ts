// Coalesces the writes of concurrent deliveries into bulk requests: the KafkaSource posts many
// CloudEvents side by side (and a batch-mode request carries several), and one bulk of a few
// hundred documents costs Elasticsearch about what a single document does.
import type { Client } from "@elastic/elasticsearch";
import { BulkItemError, bulkWriteItems, type VersionedWrite } from "./bulk.ts";

interface Pending {
  write: VersionedWrite;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class BulkWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly es: Client,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  /** Resolves once the document is in the index (or a newer version already was). */
  write(write: VersionedWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current turn: writes queued by the same request (or by requests that arrived
    // together) go out in one bulk.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    // While the allowed bulks are out, the queue grows: the next bulk takes it all.
    if (this.inFlight >= (this.options.maxInFlight ?? 4) || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch ?? 1000);
    this.inFlight += 1;
    try {
      const results = await bulkWriteItems(
        this.es,
        batch.map((p) => p.write),
        { requireAlias: true },
      );
      batch.forEach((p, i) => {
        const result = results[i];
        if (result === "written" || result === "stale") p.resolve();
        else
          p.reject(
            new BulkItemError([
              { id: p.write.id, ...(result ?? { status: 0, reason: "no result" }) },
            ]),
          );
      });
    } catch (error) {
      // The request itself failed: every write in it is safe to repeat, and is redelivered.
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight -= 1;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
