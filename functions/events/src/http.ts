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
import { ConcurrentChange, type EventCommands } from "./commands.ts";
import { type Command, RuleBroken } from "./domain.ts";
import { type EventListing, shownEvent } from "./listing.ts";
import { createBody, eventId, listQuery, patchBody } from "./schemas.ts";
import type { EventDoc } from "./store.ts";
import { toView } from "./views.ts";

/** A refused command as the status a client can act on. */
function problemOf(error: unknown): unknown {
  if (error instanceof ConcurrentChange)
    return new HttpProblem({ status: 409, title: "Conflict", detail: error.message });
  if (!(error instanceof RuleBroken)) return error;
  if (error.rule === "final")
    return new HttpProblem({ status: 409, title: "Conflict", detail: error.message });
  const field = error.field ?? "body";
  return new HttpProblem({
    status: 400,
    title: "Invalid request",
    detail: `${field}: ${error.message}`,
    errors: [{ field, detail: error.message }],
  });
}

export function routes(
  commands: EventCommands,
  listing: EventListing,
  channels: Pick<ChannelsClient, "getChannel">,
): Router {
  const router = new Router();
  const { store } = commands;

  async function run(doc: EventDoc, command: Command): Promise<EventDoc> {
    try {
      return (await commands.run(doc._id, command)) ?? doc;
    } catch (error) {
      throw problemOf(error);
    }
  }

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
    const doc = await commands.schedule(userId, input).catch((error: unknown) => {
      throw problemOf(error);
    });
    return { status: 201, body: toView(doc), headers: { location: `/api/events/${doc._id}` } };
  });

  router.on("GET", "/api/events", async ({ query }) => {
    const input = parseInput(listQuery, Object.fromEntries(query));
    return { status: 200, body: await listing.list(input) };
  });

  router.on("GET", "/api/events/:id", async ({ params }) => {
    const shown = await shownEvent(listing, store, parseInput(eventId, params.id, "id"));
    if (!shown) throw notFound(`no event ${params.id}`);
    return { status: 200, body: shown };
  });

  router.on("PATCH", "/api/events/:id", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const patch = parseInput(patchBody, req.body);
    const doc = await ownedEvent(userId, params.id ?? "");
    return { status: 200, body: toView(await run(doc, { kind: "edit", patch, at: new Date() })) };
  });

  router.on("DELETE", "/api/events/:id", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const doc = await ownedEvent(userId, params.id ?? "");
    return { status: 200, body: toView(await run(doc, { kind: "cancel" })) };
  });

  return router;
}
