// Dead-lettered CloudEvents (MongoDB, OPS_DB): what a sink refused after every retry, with the
// extensions Knative adds to say where and why (knativeerrordest, knativeerrorcode,
// knativeerrordata), kept until an operator replays them.
import { createHash } from "node:crypto";
import type { CloudEventV1 } from "@stream-platform/shared";
import type { Collection, Db } from "mongodb";

export interface DeadLetter {
  /** One per event and refusing destination: a redelivered dead letter is the same record. */
  _id: string;
  event: CloudEventV1;
  destination: string;
  code: string | null;
  reason: string;
  deadLetteredAt: Date;
  /** When an operator last sent it again; null since it failed (again). */
  replayedAt: Date | null;
  /** How many times it was dead-lettered (again after a replay). */
  failures: number;
}

/** The record's key: URL-safe, and the same for the same event refused by the same sink. */
export function deadLetterKeyOf(event: CloudEventV1): string {
  return createHash("sha256")
    .update(`${event.extensions.knativeerrordest ?? ""}\n${event.source}\n${event.id}`)
    .digest("base64url")
    .slice(0, 22);
}

const ERROR_EXTENSIONS = ["knativeerrordest", "knativeerrorcode", "knativeerrordata"];

/** The event as it was before delivery failed: what a replay publishes. */
export function originalEvent(event: CloudEventV1): CloudEventV1 {
  const extensions = Object.fromEntries(
    Object.entries(event.extensions).filter(([name]) => !ERROR_EXTENSIONS.includes(name)),
  );
  return { ...event, extensions };
}

/** What the refusing sink answered, as text (Knative sends its body base64-encoded). */
function reasonOf(event: CloudEventV1): string {
  const data = event.extensions.knativeerrordata;
  if (!data) return "";
  return Buffer.from(data, "base64").toString("utf8").slice(0, 4000);
}

/**
 * As stored: the event as JSON text, since a refused event's data may hold keys a document
 * cannot (`$…`, dots), and a dead letter that cannot be kept would be lost.
 */
type StoredLetter = Omit<DeadLetter, "event"> & { event: string };

const fromStored = (doc: StoredLetter): DeadLetter => ({
  ...doc,
  // Records kept before the event was text hold it as a document.
  event: (typeof doc.event === "string" ? JSON.parse(doc.event) : doc.event) as CloudEventV1,
});

export class DeadLetterStore {
  private readonly letters: Collection<StoredLetter>;

  constructor(db: Db) {
    this.letters = db.collection<StoredLetter>("dead_letters");
  }

  async ensureIndexes(): Promise<void> {
    await this.letters.createIndex({ deadLetteredAt: -1, _id: -1 });
  }

  /**
   * Keeps a dead letter. The same one delivered again changes nothing; one that arrives after
   * its replay failed again, and shows so.
   */
  async record(event: CloudEventV1, now = new Date()): Promise<void> {
    const _id = deadLetterKeyOf(event);
    const fields = {
      event: JSON.stringify(event),
      destination: event.extensions.knativeerrordest ?? "",
      code: event.extensions.knativeerrorcode ?? null,
      reason: reasonOf(event),
    };
    const again = await this.letters.updateOne(
      { _id, replayedAt: { $ne: null } },
      { $set: { ...fields, deadLetteredAt: now, replayedAt: null }, $inc: { failures: 1 } },
    );
    if (again.matchedCount > 0) return;
    await this.letters.updateOne(
      { _id },
      {
        $setOnInsert: { ...fields, deadLetteredAt: now, replayedAt: null, failures: 1 },
      },
      { upsert: true },
    );
  }

  /** Newest first; `before` is the last item's `deadLetteredAt|key` of the page before. */
  async list(limit: number, before?: string): Promise<DeadLetter[]> {
    let filter = {};
    if (before) {
      const [at, key] = before.split("|") as [string, string];
      const time = new Date(at);
      filter = {
        $or: [{ deadLetteredAt: { $lt: time } }, { deadLetteredAt: time, _id: { $lt: key } }],
      };
    }
    const docs = await this.letters
      .find(filter)
      .sort({ deadLetteredAt: -1, _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(fromStored);
  }

  async get(key: string): Promise<DeadLetter | null> {
    const doc = await this.letters.findOne({ _id: key });
    return doc && fromStored(doc);
  }

  async markReplayed(key: string, at: Date): Promise<void> {
    await this.letters.updateOne({ _id: key }, { $set: { replayedAt: at } });
  }

  /** Takes back a replay that was not published (unless it failed again meanwhile). */
  async unmarkReplayed(key: string, at: Date): Promise<void> {
    await this.letters.updateOne({ _id: key, replayedAt: at }, { $set: { replayedAt: null } });
  }

  async counts(): Promise<{ total: number; unreplayed: number }> {
    const [total, unreplayed] = await Promise.all([
      this.letters.countDocuments({}),
      this.letters.countDocuments({ replayedAt: null }),
    ]);
    return { total, unreplayed };
  }
}
