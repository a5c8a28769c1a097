// The analytics HTTP API (through the edge: /api/analytics…). Beacons come from anonymous
// players; an event's summary is public; its details and a channel's totals are its owner's.
import {
  clientKey,
  createEvent,
  forbidden,
  GrpcStatus,
  HttpProblem,
  invalidInput,
  isGrpcStatus,
  notFound,
  parseInput,
  RateLimiter,
  Router,
  requireSession,
} from "@stream-platform/shared";
import type { ChannelsClient } from "@stream-platform/shared/grpc";
import type { EventPublisher } from "@stream-platform/shared/kafka";
import type { EventDirectory } from "./events.ts";
import { type Beacon, beacons, channelId, eventId, heartbeatIdOf } from "./schemas.ts";
import type { AnalyticsStore } from "./store.ts";
import { channelTotals, details, summary } from "./views.ts";

const SOURCE = "/functions/analytics";
/** Live figures change every few seconds: caches (and pollers) may keep them that long. */
const LIVE_CACHE = { "cache-control": "public, max-age=2" };

/** `navigator.sendBeacon` posts text/plain: the body is JSON whatever its type says. */
function jsonBody(body: unknown): unknown {
  const text = typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString() : null;
  if (text === null) return body;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(invalidInput([{ field: "body", detail: "not valid JSON" }]));
  }
}

/** Events one beacon request may name: a player reports the event it plays (and, back online, a few). */
const MAX_BEACON_EVENTS = 3;

export function routes(
  store: AnalyticsStore,
  directory: Pick<EventDirectory, "lookup">,
  channels: () => Promise<Pick<ChannelsClient, "getChannel">>,
  publisher: Pick<EventPublisher, "publish">,
): Router {
  const router = new Router();
  // Anonymous like /ce's heartbeats, so held to the same rate per address (a player: one beacon
  // each 10 s; a few hundred behind one NAT). Per instance, as /ce's is.
  const beaconsByAddress = new RateLimiter(20, 50);

  router.on(
    "POST",
    "/api/analytics/beacons",
    async ({ req }) => {
      beaconsByAddress.check(clientKey(req), "beacons from this address");
      const input = parseInput(beacons, jsonBody(req.body));
      const list: Beacon[] = Array.isArray(input) ? input : [input];
      const named = [...new Set(list.map((b) => b.eventId))];
      if (named.length > MAX_BEACON_EVENTS)
        throw new HttpProblem(
          invalidInput([
            {
              field: `[${list.findIndex((b) => b.eventId === named[MAX_BEACON_EVENTS])}].eventId`,
              detail: `one request reports at most ${MAX_BEACON_EVENTS} events`,
            },
          ]),
        );
      for (const id of new Set(list.map((b) => b.eventId))) {
        const index = list.findIndex((b) => b.eventId === id);
        if (!(await directory.lookup(id)))
          throw new HttpProblem(
            invalidInput([
              {
                field: Array.isArray(input) ? `[${index}].eventId` : "eventId",
                detail: `no event ${id}`,
              },
            ]),
          );
      }
      await publisher.publish(
        list.map(({ seq, ...data }) =>
          createEvent({
            id: heartbeatIdOf({ sessionId: data.sessionId, seq }),
            type: "streamplatform.viewer.heartbeat",
            source: SOURCE,
            subject: data.eventId,
            data,
          }),
        ),
      );
      return { status: 202, body: { accepted: list.length } };
    },
    { anyBodyType: true },
  );

  router.on("GET", "/api/analytics/events/:id", async ({ params }) => {
    const id = parseInput(eventId, params.id, "id");
    const stats = await store.getStats(id);
    if (!stats && !(await directory.lookup(id))) throw notFound(`no event ${id}`);
    return { status: 200, body: summary(id, stats), headers: LIVE_CACHE };
  });

  router.on("GET", "/api/analytics/events/:id/details", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const id = parseInput(eventId, params.id, "id");
    const stats = await store.getStats(id);
    const ownerId = stats?.ownerId ?? (await directory.lookup(id))?.ownerId;
    if (!ownerId) throw notFound(`no event ${id}`);
    if (ownerId !== userId) throw forbidden("only the channel's owner sees an event's details");
    return {
      status: 200,
      body: details(id, stats),
      headers: { "cache-control": "private, max-age=2" },
    };
  });

  router.on("GET", "/api/analytics/channels/:id", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const id = parseInput(channelId, params.id, "id");
    const channel = await channels()
      .then((client) => client.getChannel(id))
      .catch((error: unknown) => {
        if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) throw notFound(`no channel ${id}`);
        throw error;
      });
    if (channel.ownerId !== userId) throw forbidden("only the channel's owner sees its analytics");
    return {
      status: 200,
      body: channelTotals(id, await store.statsOfChannel(id)),
      headers: { "cache-control": "private, max-age=2" },
    };
  });

  return router;
}
