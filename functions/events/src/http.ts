// The events HTTP API (through the edge: /api/events…). Writes are the channel owner's only.

import {
  forbidden,
  GrpcStatus,
  HttpProblem,
  isGrpcStatus,
  notFound,
  parseInput,
  Router,
  requireSession,
} from "@stream-platform/shared";
import type { ChannelsClient } from "@stream-platform/shared/grpc";
import { createBody, eventId, listQuery, patchBody } from "./schemas.ts";
import { type EventDoc, type EventStore, toView } from "./store.ts";

export function routes(store: EventStore, channels: Pick<ChannelsClient, "getChannel">): Router {
  const router = new Router();

  async function ownedEvent(userId: string, id: string): Promise<EventDoc> {
    const doc = await store.get(parseInput(eventId, id, "id"));
    if (!doc) throw notFound(`no event ${id}`);
    if (doc.ownerId !== userId) throw forbidden("only the channel's owner may change its events");
    return doc;
  }

  router.on("POST", "/api/events", async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(createBody, req.body);
    const channel = await channels.getChannel(input.channelId).catch((error: unknown) => {
      if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) {
        throw new HttpProblem({
          status: 400,
          title: "Invalid request",
          detail: "channelId: no such channel",
          errors: [{ field: "channelId", detail: "no such channel" }],
        });
      }
      throw error;
    });
    if (channel.ownerId !== userId)
      throw forbidden("only the channel's owner may schedule its events");
    const doc = await store.create(userId, input);
    return { status: 201, body: toView(doc), headers: { location: `/api/events/${doc._id}` } };
  });

  router.on("GET", "/api/events", async ({ query }) => {
    const input = parseInput(listQuery, Object.fromEntries(query));
    const page = await store.list(input);
    return {
      status: 200,
      body: {
        items: page.items.map(toView),
        ...(page.nextCursor && { nextCursor: page.nextCursor }),
      },
    };
  });

  router.on("GET", "/api/events/:id", async ({ params }) => {
    const doc = await store.get(parseInput(eventId, params.id, "id"));
    if (!doc) throw notFound(`no event ${params.id}`);
    return { status: 200, body: toView(doc) };
  });

  router.on("PATCH", "/api/events/:id", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const patch = parseInput(patchBody, req.body);
    const doc = await ownedEvent(userId, params.id ?? "");
    const updated = await store.patch(doc, patch);
    return { status: 200, body: toView(updated ?? doc) };
  });

  router.on("DELETE", "/api/events/:id", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const doc = await ownedEvent(userId, params.id ?? "");
    // Cancelling twice is fine; cancelling what already ended is not.
    if (doc.status === "cancelled") return { status: 200, body: toView(doc) };
    const updated = await store.patch(doc, { status: "cancelled" });
    return { status: 200, body: toView(updated ?? doc) };
  });

  return router;
}
