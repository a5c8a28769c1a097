// The analytics HTTP API (through the edge: /api/analytics…, /api/me/history). Beacons come
// from anonymous players; an event's summary is public; its details and a channel's totals are
// its owner's; a person's viewing history is theirs alone.
import {
  conflict,
  createEvent,
  forbidden,
  GrpcStatus,
  HttpProblem,
  invalidInput,
  isGrpcStatus,
  log,
  notFound,
  parseInput,
  Router,
  readViewToken,
  requireSession,
  signViewToken,
  tokenOf,
  VIEWER_MEMORY_SECONDS,
  type ViewGrant,
  viewGrant,
} from "@stream-platform/shared";
import type { ChannelsClient, EventsClient } from "@stream-platform/shared/grpc";
import type { EventPublisher } from "@stream-platform/shared/kafka";
import { SharedRateLimiter } from "@stream-platform/shared/postgres";
import type { EventDirectory } from "./events.ts";
import type { History, HistoryReader } from "./history.ts";
import type { HistoryStore } from "./history-store.ts";
import {
  type Beacon,
  beacons,
  channelId,
  eventId,
  heartbeatIdOf,
  historyQuery,
  trendingQuery,
  viewRequest,
} from "./schemas.ts";
import type { AnalyticsStore } from "./store.ts";
import { channelTotals, details, summary, trending } from "./views.ts";

type TrendingEvent = ReturnType<typeof trending>[number];
const TRENDING_CACHE_MS = 30_000;

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
  events: () => Promise<Pick<EventsClient, "getEvent">>,
  publisher: Pick<EventPublisher, "publish">,
  history: HistoryStore,
  reader: HistoryReader,
  /** Clears and says so (history.cleared), for those who learn from history. */
  clearing: Pick<History, "clear">,
): Router {
  const router = new Router();
  // Anonymous like /ce's heartbeats, so held to the same rate per address (a player: one beacon
  // each 10 s; a few hundred behind one NAT). In PostgreSQL, as /ce's: one budget for every
  // instance, kept across scaling to zero.
  const beaconsByAddress = new SharedRateLimiter("beacons:address", 20, 50);

  // A token per page view: a few a minute from a person, a few hundred people behind a NAT.
  const viewsByAddress = new SharedRateLimiter("view-tokens:address", 2, 100);

  router.on("POST", "/api/analytics/views", async ({ req }) => {
    await viewsByAddress.checkAddress(req, "view tokens from this address");
    const input = parseInput(viewRequest, req.body);
    const event = await events()
      .then((client) => client.getEvent(input.eventId))
      .catch((error: unknown) => {
        if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) throw notFound(`no event ${input.eventId}`);
        throw error;
      });
    // Beats count for what can be watched: a live stream or its recording.
    if (event.status !== "live" && event.status !== "ended")
      throw conflict(`event ${input.eventId} is ${event.status}: nothing to watch yet`, "eventId");
    const previous = input.previousToken ? readViewToken(input.previousToken) : undefined;
    const now = Date.now();
    const remembered =
      previous && previous.expiresAt + VIEWER_MEMORY_SECONDS >= now / 1000
        ? previous.viewerId
        : undefined;
    // A signed-in person's beats also name them (their viewing history): the user id comes from
    // the session only. A session that does not hold (expired, ended) watches anonymously.
    const person = tokenOf(req)
      ? await requireSession(req).catch((error: unknown) => {
          if (error instanceof HttpProblem) return undefined;
          throw error;
        })
      : undefined;
    const g = viewGrant(input.eventId, now, remembered, person?.userId);
    return {
      status: 201,
      body: {
        token: signViewToken(g),
        viewerId: g.viewerId,
        sessionId: g.sessionId,
        eventId: g.eventId,
        expiresAt: new Date(g.expiresAt * 1000).toISOString(),
      },
      headers: { "cache-control": "no-store" },
    };
  });

  router.on(
    "POST",
    "/api/analytics/beacons",
    async ({ req }) => {
      await beaconsByAddress.checkAddress(req, "beacons from this address");
      const input = parseInput(beacons, jsonBody(req.body));
      const list: Beacon[] = Array.isArray(input) ? input : [input];
      const field = (index: number, name: string) =>
        Array.isArray(input) ? `[${index}].${name}` : name;
      const now = Date.now();
      const grants = list.map((b, index) => {
        const g = readViewToken(b.viewToken);
        if (!g || g.expiresAt * 1000 < now)
          throw new HttpProblem(
            invalidInput([
              {
                field: field(index, "viewToken"),
                detail: g
                  ? "the view token has expired: ask POST /api/analytics/views for a new one"
                  : "not a view token of this platform (POST /api/analytics/views gives one)",
              },
            ]),
          );
        return g;
      });
      const named = [...new Set(grants.map((g) => g.eventId))];
      if (named.length > MAX_BEACON_EVENTS)
        throw new HttpProblem(
          invalidInput([
            {
              field: field(
                grants.findIndex((g) => g.eventId === named[MAX_BEACON_EVENTS]),
                "viewToken",
              ),
              detail: `one request reports at most ${MAX_BEACON_EVENTS} events`,
            },
          ]),
        );
      await publisher.publish(
        list.map(({ seq, ...data }, index) => {
          const { eventId, viewerId, sessionId } = grants[index] as ViewGrant;
          return createEvent({
            id: heartbeatIdOf({ sessionId, seq }),
            type: "streamplatform.viewer.heartbeat",
            source: SOURCE,
            subject: eventId,
            data: { ...data, eventId, viewerId, sessionId },
          });
        }),
      );
      return { status: 202, body: { accepted: list.length } };
    },
    { anyBodyType: true },
  );

  // Trending is the same for everyone: worked out again at most every 30 s per window, in the
  // background, while requests answer from the last list (at 100,000 events the store's range
  // is a scan); only a window's very first request waits for it. A failed look keeps the last
  // list, and the next request looks again.
  const trends = new Map<
    number,
    { at: number; list?: TrendingEvent[]; looking?: Promise<TrendingEvent[]> }
  >();
  function trendingFor(hours: number): Promise<TrendingEvent[]> {
    const now = Date.now();
    const trend = trends.get(hours) ?? { at: 0 };
    trends.set(hours, trend);
    if (trend.at < now - TRENDING_CACHE_MS && !trend.looking) {
      const since = new Date(now - hours * 3_600_000);
      const updating = trend;
      updating.looking = store
        .watchedSince(since)
        .then((watched) => trending(watched, since, 50))
        .then((list) => Object.assign(updating, { at: now, list }).list)
        .finally(() => {
          updating.looking = undefined;
        });
      updating.looking.catch((error: unknown) =>
        log({
          level: "warn",
          msg: "trending: the look failed; the last list stays",
          error: String(error),
        }),
      );
    }
    return trend.list ? Promise.resolve(trend.list) : (trend.looking as Promise<TrendingEvent[]>);
  }
  router.on("GET", "/api/analytics/trending", async ({ query }) => {
    const input = parseInput(trendingQuery, Object.fromEntries(query));
    return {
      status: 200,
      body: { items: (await trendingFor(input.hours)).slice(0, input.limit) },
      headers: { "cache-control": "public, max-age=30" },
    };
  });

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

  router.on("GET", "/api/me/history", async ({ req, query }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(historyQuery, Object.fromEntries(query));
    const page = await history.list(userId, input);
    return {
      status: 200,
      body: {
        items: await reader.entries(page.items),
        ...(page.nextCursor && { nextCursor: page.nextCursor }),
      },
      headers: { "cache-control": "private, no-store" },
    };
  });

  router.on("GET", "/api/me/history/:eventId", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const id = parseInput(eventId, params.eventId, "eventId");
    const doc = await history.get(userId, id);
    const [entry] = doc ? await reader.entries([doc]) : [];
    if (!entry) throw notFound(`nothing of ${id} in your history`);
    return { status: 200, body: entry, headers: { "cache-control": "private, no-store" } };
  });

  router.on("DELETE", "/api/me/history", async ({ req }) => {
    const { userId } = await requireSession(req);
    await clearing.clear(userId);
    return { status: 204 };
  });

  router.on("DELETE", "/api/me/history/:eventId", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    await clearing.clear(userId, parseInput(eventId, params.eventId, "eventId"));
    return { status: 204 };
  });

  return router;
}
