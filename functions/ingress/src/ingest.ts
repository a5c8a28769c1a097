// POST /ce: CloudEvents in binary, structured or batch mode (HTTP protocol binding), checked
// against the event catalog and written to their topics. All or nothing: one invalid event in a
// batch refuses the whole batch, and nothing reaches Kafka.
import { timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  type CloudEventV1,
  currentTraceparent,
  HttpProblem,
  sendHttpProblem,
  sendProblem,
  serviceUnavailable,
  setRoute,
} from "@stream-platform/shared";
import { type RequestWithBody, readPlatformEvents } from "@stream-platform/shared/hosting";
import { SharedRateLimiter } from "@stream-platform/shared/postgres";

export interface Publisher {
  publish(events: CloudEventV1[]): Promise<void>;
}

/** What anyone may send (a browser's player); every other type needs the ingress token. */
const PUBLIC_TYPES = new Set(["streamplatform.viewer.heartbeat"]);

/** Events one request may carry without the ingress token (a player's beacons: a few). */
export const MAX_ANONYMOUS_EVENTS = 50;

/** `Authorization: Bearer <INGRESS_TOKEN>`, compared in constant time. */
function hasIngressToken(req: RequestWithBody, token: string | undefined): boolean {
  const header = req.headers.authorization ?? "";
  if (!token || !header.startsWith("Bearer ")) return false;
  const given = Buffer.from(header.slice(7).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * An event that comes without a trace joins the request's (the distributed-tracing extension):
 * its delivery and handling are then in the trace the edge started. A producer's own is kept.
 */
function inThisTrace(event: CloudEventV1): CloudEventV1 {
  const traceparent = currentTraceparent();
  if (event.extensions.traceparent || !traceparent) return event;
  return { ...event, extensions: { ...event.extensions, traceparent } };
}

export function createIngest(publisher: Publisher, token = process.env.INGRESS_TOKEN) {
  // 20 a second with bursts of 50 per address: a few hundred viewers behind one NAT. Kept in
  // PostgreSQL, so replicas share it and scaling to zero does not reset it; only anonymous posts
  // take from it; the producers' (ingress token) never wait on PostgreSQL.
  const anonymousByAddress = new SharedRateLimiter("ce:anonymous-address", 20, 50);
  return async function ingest(req: RequestWithBody, res: ServerResponse): Promise<void> {
    setRoute(req, "/ce");
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendProblem(res, {
        status: 405,
        title: "Method not allowed",
        detail: "post CloudEvents to this URL",
      });
      return;
    }
    const trusted = hasIngressToken(req, token);
    // Anonymous posters (players: a heartbeat each 10 s) are held to a rate per address.
    try {
      if (!trusted)
        await anonymousByAddress.checkAddress(
          req,
          "posts from this address without the ingress token",
        );
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      sendHttpProblem(res, error);
      return;
    }
    const events = await readPlatformEvents(req, res);
    if (!events) return;
    // One request is one token of the rate above: without a cap, a 1 MiB batch of ~3,000 beats
    // would pass as one.
    if (!trusted && events.length > MAX_ANONYMOUS_EVENTS) {
      sendProblem(res, {
        status: 413,
        title: "Too many events",
        detail: `at most ${MAX_ANONYMOUS_EVENTS} events a request without the ingress token; this one has ${events.length}`,
        errors: [{ field: "body", detail: `more than ${MAX_ANONYMOUS_EVENTS} events` }],
      });
      return;
    }
    // The edge is public: a stream starting, an event changing or a notification are facts only
    // the platform's own producers may state.
    const restricted = events.find((event) => !PUBLIC_TYPES.has(event.type));
    if (restricted && !trusted) {
      sendProblem(res, {
        status: 401,
        title: "Not allowed to publish this type",
        detail: `${restricted.type} is accepted only with the platform's ingress token (Authorization: Bearer); anyone may send ${[...PUBLIC_TYPES].join(", ")}`,
        errors: [{ field: "type", detail: `${restricted.type} needs the ingress token` }],
      });
      return;
    }
    try {
      await publisher.publish(events.map(inThisTrace));
    } catch (error) {
      sendProblem(
        res,
        serviceUnavailable(`the events were not stored: ${(error as Error).message}`),
      );
      return;
    }
    res
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ accepted: events.length, ids: events.map((e) => e.id) }));
  };
}
