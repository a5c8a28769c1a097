// The stream lifecycle (KafkaSource on the streams topic; its CloudEvent table is in index.ts):
// stream.started makes the channel's current event live (or starts an unscheduled one),
// stream.poster gives it its live picture, stream.ended and recording.ready end it (the latter
// with its VOD path and the recording's poster), stream.alive says it is
// still on (stream.started does too): a live event unheard of too long is ended by the reminders
// tick (commands.endLostStreams). The rules are domain.ts's; each stream CloudEvent is applied at
// most once (its id is recorded with the change; a sign of life only ever moves a time forward).
import { adHocEventId, type PlatformEvent } from "@stream-platform/shared";
import { EventRefused } from "@stream-platform/shared/hosting";
import type { EventCommands } from "./commands.ts";
import type { EventDoc } from "./store.ts";

export interface ChannelOwners {
  /** The channel's owner; undefined when there is no such channel (deleted with its account). */
  ownerOf(channelId: string): Promise<string | undefined>;
}

export class Lifecycle {
  constructor(
    private readonly commands: EventCommands,
    private readonly channels: ChannelOwners,
  ) {}

  /** The event a stream names (if it is on that channel), else the channel's current one. */
  private async eventOf(data: { channelId: string; eventId?: string }): Promise<EventDoc | null> {
    if (data.eventId) {
      const doc = await this.commands.store.get(data.eventId);
      return doc && doc.channelId === data.channelId ? doc : null;
    }
    return this.commands.current(data.channelId);
  }

  async streamStarted(event: PlatformEvent<"streamplatform.stream.started">): Promise<void> {
    const { data } = event;
    const doc = await this.eventOf(data);
    // A copy of one already taken (a redelivery, perhaps minutes late) is no sign of life: its
    // stream was heard of when it first came, and a silent stream must still end as lost.
    if (doc?.applied.includes(event.id)) return;
    if (doc) {
      await this.commands.run(doc._id, {
        kind: "stream.started",
        id: event.id,
        startedAt: new Date(data.startedAt),
      });
      // Heard of now, also when the event was live already (a publisher back after a restart).
      await this.commands.alive(doc._id, data.channelId);
      return;
    }
    const owner = await this.channels.ownerOf(data.channelId);
    if (owner === undefined)
      throw new EventRefused(`no channel ${data.channelId}: nothing can go live on it`);
    await this.commands.startUnscheduled(event.id, data.channelId, owner, new Date(data.startedAt));
    await this.commands.alive(adHocEventId(event.id), data.channelId);
  }

  /** The live stream's poster is there: its event shows it (nothing when it is not live). */
  async streamPoster(event: PlatformEvent<"streamplatform.stream.poster">): Promise<void> {
    const doc = await this.eventOf(event.data);
    if (!doc) return;
    await this.commands.run(doc._id, {
      kind: "stream.poster",
      id: event.id,
      posterPath: event.data.posterPath,
    });
  }

  /** The owner's poster for an event not started yet (nothing once it is live or over). */
  async posterUploaded(event: PlatformEvent<"streamplatform.poster.uploaded">): Promise<void> {
    await this.commands.run(event.data.eventId, {
      kind: "poster.uploaded",
      id: event.id,
      posterPath: event.data.posterPath,
    });
  }

  /** The stream is still on: its event was heard of now (nothing when it is not live). */
  async streamAlive(event: PlatformEvent<"streamplatform.stream.alive">): Promise<void> {
    await this.commands.alive(event.data.eventId, event.data.channelId);
  }

  async streamEnded(event: PlatformEvent<"streamplatform.stream.ended">): Promise<void> {
    const doc = await this.eventOf(event.data);
    if (!doc) return;
    await this.commands.run(doc._id, {
      kind: "stream.ended",
      id: event.id,
      endedAt: new Date(event.data.endedAt),
    });
  }

  async recordingReady(event: PlatformEvent<"streamplatform.recording.ready">): Promise<void> {
    const doc = await this.eventOf(event.data);
    if (!doc) return;
    await this.commands.run(doc._id, {
      kind: "recording.ready",
      id: event.id,
      vodPath: event.data.vodPath,
      ...(event.data.posterPath && { posterPath: event.data.posterPath }),
      at: new Date(),
    });
  }
}
