// Subscriptions: who follows which channel or single event (notifications fan out to them).
// Nobody subscribes to their own channel.
import {
  conflict,
  forbidden,
  type Handler,
  notFound,
  parseInput,
  requireSession,
} from "@stream-platform/shared";
import { eventId, uuid } from "./schemas.ts";
import type { Store, Target } from "./store.ts";

/** Which video events exist (the events function's, asked over gRPC). */
export interface EventDirectory {
  exists(eventId: string): Promise<boolean>;
}

export function subscriptionHandlers(store: Store, events: EventDirectory) {
  function subscribe(target: (id: string) => Target): Handler {
    return async ({ req, params }) => {
      const { userId } = await requireSession(req);
      const wanted = target(params.id ?? "");
      if (wanted.kind === "channel") {
        const channel = await store.channel(wanted.id);
        if (!channel) throw notFound(`no channel ${wanted.id}`);
        // One's own channel is one's to run, not to follow (it would only inflate its count).
        if (channel.ownerId === userId)
          throw conflict("this is your own channel: you cannot subscribe to it", "id");
      }
      if (wanted.kind === "event" && !(await events.exists(wanted.id)))
        throw notFound(`no event ${wanted.id}`);
      const created = await store.subscribe(userId, wanted);
      return { status: created ? 201 : 200, body: { target: wanted, subscribed: true } };
    };
  }

  function unsubscribe(target: (id: string) => Target): Handler {
    return async ({ req, params }) => {
      const { userId } = await requireSession(req);
      await store.unsubscribe(userId, target(params.id ?? ""));
      return { status: 204 };
    };
  }

  const channel = (id: string): Target => ({ kind: "channel", id: parseInput(uuid, id, "id") });
  const event = (id: string): Target => ({ kind: "event", id: parseInput(eventId, id, "id") });

  const mine: Handler = async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: { items: await store.subscriptionsOf(userId) } };
  };

  const ofUser: Handler = async ({ req, params }) => {
    const { userId } = await requireSession(req);
    if (parseInput(uuid, params.id, "id") !== userId)
      throw forbidden("you can only see your own subscriptions");
    return { status: 200, body: { items: await store.subscriptionsOf(userId) } };
  };

  return {
    followChannel: subscribe(channel),
    unfollowChannel: unsubscribe(channel),
    followEvent: subscribe(event),
    unfollowEvent: unsubscribe(event),
    mine,
    ofUser,
  };
}
