// Viewing history: a signed-in person's beats (their view token names them: the analytics API
// binds the session's user when it hands the token out) become, per event, the seconds they
// watched, where they stopped and when. Fed by the aggregation sink beside the figures; read and
// cleared by the person through the API (/api/me/history). Idempotent on the beats' CloudEvent
// ids (history-store.ts), and serial in the one aggregator instance, as the figures are.
import {
  BoundedMap,
  type CloudEventV1,
  createEvent,
  GrpcDirectory,
  GrpcStatus,
  isGrpcStatus,
  permits,
  readViewToken,
} from "@stream-platform/shared";
import { type EventStatus, type HistoryEntry, posterOf } from "@stream-platform/shared/api";
import type { ChannelsClient, EventsClient } from "@stream-platform/shared/grpc";
import { type Heartbeat, toBeat } from "./figures.ts";
import type { HistoryDoc, HistoryStore, WatchDoc } from "./history-store.ts";

/** Entries computed at once (each a read of its beats and one write). */
const ENTRIES_IN_FLIGHT = 8;
const SOURCE = "/analytics/history";

/** Where history's changes go (Kafka: the recommendations function learns tastes from them). */
export type HistoryEvents = (events: CloudEventV1[]) => Promise<void>;

export class History {
  private chain: Promise<unknown> = Promise.resolve();
  /** People whose accounts were deleted: a beat still in flight writes nothing of them. */
  private readonly forgotten = new BoundedMap<string, true>(10_000);

  constructor(
    private readonly store: HistoryStore,
    /**
     * Told each entry as it stands after a batch (history.updated). A failure fails the batch,
     * which is delivered again: the entries are computed and told again (absolute figures).
     */
    private readonly tell: HistoryEvents,
    private readonly now = () => Date.now(),
  ) {}

  /**
   * The beats of signed-in people (the others are left to the figures). A beat counts if its
   * token is the platform's for its viewer, session and event (the aggregator's rule), and only
   * if it was sent after the person last cleared that entry.
   */
  record(heartbeats: Heartbeat[]): Promise<void> {
    return this.serial(async () => {
      const now = this.now();
      const docs = new Map<string, WatchDoc>();
      for (const heartbeat of heartbeats) {
        const userId = readViewToken(heartbeat.data.viewToken)?.userId;
        if (
          userId === undefined ||
          this.forgotten.has(userId) ||
          !permits(heartbeat.data.viewToken, heartbeat.data, now)
        )
          continue;
        const beat = toBeat(heartbeat, now);
        docs.set(heartbeat.id, {
          _id: heartbeat.id,
          u: userId,
          e: beat.eventId,
          s: beat.played,
          p: heartbeat.data.position,
          ...(heartbeat.data.duration !== undefined && { d: heartbeat.data.duration }),
          t: beat.at,
        });
      }
      if (docs.size === 0) return;
      const entries = new Map<string, { userId: string; eventId: string }>();
      for (const doc of docs.values())
        entries.set(`${doc.u}/${doc.e}`, { userId: doc.u, eventId: doc.e });
      const cleared = await this.store.clearedAt([...entries.values()]);
      const fresh = [...docs.values()].filter(
        (doc) => doc.t > (cleared.get(`${doc.u}/${doc.e}`) ?? new Date(0)),
      );
      await this.store.insertWatches(fresh);
      // Every entry the batch touched, stored now or before (a crash between the two writes
      // left it behind): computing it again from its beats is harmless. Entries are documents
      // of their own: a few at a time.
      const touched = [...entries.values()];
      const updated: CloudEventV1[] = [];
      for (let i = 0; i < touched.length; i += ENTRIES_IN_FLIGHT)
        await Promise.all(
          touched.slice(i, i + ENTRIES_IN_FLIGHT).map(async ({ userId, eventId }) => {
            const entry = await this.store.recompute(userId, eventId);
            if (entry)
              updated.push(
                createEvent({
                  type: "streamplatform.history.updated",
                  source: SOURCE,
                  subject: userId,
                  data: {
                    userId,
                    eventId,
                    watchedSeconds: entry.watchedSeconds,
                    updatedAt: entry.updatedAt.toISOString(),
                  },
                }),
              );
          }),
        );
      if (updated.length > 0) await this.tell(updated);
    });
  }

  /**
   * Forgets what a person watched of one event (or of all), and says so (history.cleared). If
   * telling fails the caller gets the error, and clearing again (idempotent) tells again.
   */
  async clear(userId: string, eventId?: string): Promise<void> {
    const at = new Date(this.now());
    await this.store.clear(userId, at, eventId);
    await this.tell([
      createEvent({
        type: "streamplatform.history.cleared",
        source: SOURCE,
        subject: userId,
        data: { userId, ...(eventId !== undefined && { eventId }), clearedAt: at.toISOString() },
      }),
    ]);
  }

  /** A deleted account (user.deleted): everything it watched. */
  forgetUser(userId: string): Promise<void> {
    return this.serial(async () => {
      this.forgotten.set(userId, true);
      await this.store.forgetUser(userId);
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** An event's and its channel's names for the person's list (events change; channels rarely). */
export class HistoryReader {
  private readonly channels: GrpcDirectory<{ slug: string; title: string }>;

  constructor(
    private readonly events: () => Promise<Pick<EventsClient, "getEvent" | "getEvents">>,
    channels: () => Promise<Pick<ChannelsClient, "getChannel">>,
  ) {
    this.channels = new GrpcDirectory(async (id) => {
      const channel = await (await channels()).getChannel(id);
      return { slug: channel.slug, title: channel.title };
    });
  }

  /** The entries as a person sees them; those of events that no longer exist are left out. */
  async entries(docs: HistoryDoc[]): Promise<HistoryEntry[]> {
    // The events in one call (they change: asked anew for each list).
    const events = new Map(
      (await this.eventsOf(docs.map((doc) => doc.eventId))).map((event) => [event.id, event]),
    );
    const found = await Promise.all(
      docs.map(async (doc): Promise<HistoryEntry | undefined> => {
        const event = events.get(doc.eventId);
        const channel = event && (await this.channels.lookup(event.channelId));
        if (!event || !channel) return undefined;
        return {
          eventId: doc.eventId,
          title: event.title,
          status: event.status as EventStatus,
          channel: { id: event.channelId, ...channel },
          watchedSeconds: doc.watchedSeconds,
          position: doc.position,
          ...(doc.duration !== undefined && { duration: doc.duration }),
          updatedAt: doc.updatedAt.toISOString(),
          ...posterOf({ status: event.status as EventStatus, posterPath: event.posterPath }),
        };
      }),
    );
    return found.filter((entry) => entry !== undefined);
  }

  /** GetEvents; one GetEvent each from an events service that predates it (a rollout). */
  private async eventsOf(ids: string[]) {
    const client = await this.events();
    try {
      return await client.getEvents(ids);
    } catch (error) {
      if (!isGrpcStatus(error, GrpcStatus.UNIMPLEMENTED)) throw error;
      const each = await Promise.all(
        ids.map((id) =>
          client.getEvent(id).catch((missing: unknown) => {
            if (isGrpcStatus(missing, GrpcStatus.NOT_FOUND)) return undefined;
            throw missing;
          }),
        ),
      );
      return each.filter((event) => event !== undefined);
    }
  }
}
