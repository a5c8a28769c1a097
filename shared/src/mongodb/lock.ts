// A short lock per document, across processes. FerretDB 1.24 does not make a conditional
// update atomic: concurrent `updateOne({_id, version: 3}, …)` calls can all succeed and lose
// each other's changes (checked here). Inserting a unique `_id` is atomic there as everywhere,
// so a lock is a document in a `locks` collection; one left by a crashed holder expires.
import type { Collection, Db } from "mongodb";
import { isDuplicateKey } from "./insert-new.ts";

interface LockDoc {
  _id: string;
  expiresAt: Date;
}

export class DocumentLocks {
  private readonly locks: Collection<LockDoc>;

  constructor(
    db: Db,
    private readonly ttlMs = 30_000,
  ) {
    this.locks = db.collection<LockDoc>("locks");
  }

  async withLock<T>(key: string, work: () => Promise<T>, waitMs = 15_000): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        await this.locks.insertOne({ _id: key, expiresAt: new Date(Date.now() + this.ttlMs) });
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Held: take it over only if its holder died long ago, else wait a moment.
        await this.locks.deleteOne({ _id: key, expiresAt: { $lt: new Date() } });
        if (Date.now() > deadline) throw new Error(`lock ${key} is busy`);
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
      }
    }
    try {
      return await work();
    } finally {
      await this.locks.deleteOne({ _id: key });
    }
  }
}
