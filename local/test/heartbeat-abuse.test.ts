// Part of issue #23's item 1 (viewer figures nobody can forge): the anonymous routes that take
// heartbeats cannot be used in bulk. /ce without the ingress token takes at most 50 events a
// request (a 1 MiB batch carried ~3,000 beats as one request of its rate), and the beacon route,
// which had no limit, is held to a rate per address and a few events a request. Requests come
// from loopback addresses of their own, so these budgets are not other tests'.
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { createEvent, serviceUrls, signViewToken, toHttpBatch } from "@stream-platform/shared";
import {
  api,
  newUser,
  platformSecret,
  type TestUser,
  uniqueSlug,
  until,
  viewTokenFor,
} from "@stream-platform/shared/testing";
import { describe, expect, it } from "vitest";

const edge = new URL(serviceUrls().edgeUrl);
const freshAddress = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

/** POSTs `body` from `localAddress`; the status and the parsed problem. */
function postFrom(
  localAddress: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; type: string; body: { errors?: { field: string }[] } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: edge.hostname, port: edge.port, path, method: "POST", localAddress, headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            body: text ? JSON.parse(text) : {},
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function scheduledEvent(): Promise<string> {
  return (await ownedEvent()).eventId;
}

async function ownedEvent(): Promise<{ owner: TestUser; eventId: string }> {
  const owner = await newUser("beats-owner");
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("beats"), title: "Beats" },
  });
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: {
      channelId: channel.body.id,
      title: "Watched",
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(event.status).toBe(201);
  return { owner, eventId: event.body.id };
}

/** A beacon of viewer `n` with a token of its own. */
const beat = (eventId: string, n: number) => ({
  viewToken: viewTokenFor({
    eventId,
    viewerId: `v-abuse-${n}`,
    sessionId: `s-abuse-${randomBytes(4).toString("hex")}`,
  }),
  seq: 0,
  position: 0,
});

describe("heartbeats in bulk", () => {
  it("refuses an anonymous /ce batch of 2,500 beats under 1 MiB (413), and takes 50", async () => {
    const eventId = await scheduledEvent();
    const beats = (count: number) =>
      toHttpBatch(
        Array.from({ length: count }, (_, n) =>
          createEvent({
            type: "streamplatform.viewer.heartbeat",
            source: "/test/heartbeat-abuse",
            subject: eventId,
            data: {
              eventId,
              viewerId: `v-bulk-${n}`,
              sessionId: `s-bulk-${n}`,
              viewToken: "t", // short: the batch stays under 1 MiB
              position: 0,
              bufferingSeconds: 0,
            },
          }),
        ),
      );
    const address = freshAddress();
    const big = beats(2500);
    const refused = await postFrom(address, "/ce", big.headers, big.body);
    expect(refused.status).toBe(413);
    expect(refused.type).toContain("application/problem+json");
    expect(refused.body, JSON.stringify(refused.body)).toMatchObject({ title: "Too many events" });
    const small = beats(50);
    expect((await postFrom(address, "/ce", small.headers, small.body)).status).toBe(202);
  });

  it("holds beacons to a rate per address and a few events a request", async () => {
    const eventId = await scheduledEvent();
    const json = { "content-type": "application/json" };
    // Beats of four events in one request: refused, naming the first beat past the third event.
    const others = ["evt_abuse0000001", "evt_abuse0000002", "evt_abuse0000003"];
    const mixed = await postFrom(
      freshAddress(),
      "/api/analytics/beacons",
      json,
      JSON.stringify([beat(eventId, 0), ...others.map((id, n) => beat(id, n + 1))]),
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors?.[0]?.field).toBe("[3].viewToken");
    // A flood from one address: the burst (50) is taken, the rest refused (429), whatever the
    // refill while it lasts (20 a second).
    const address = freshAddress();
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postFrom(address, "/api/analytics/beacons", json, JSON.stringify(beat(eventId, i))).then(
          (answer) => answer.status,
        ),
      ),
    );
    const refill = Math.ceil(((Date.now() - started) / 1000) * 20);
    const taken = statuses.filter((s) => s === 202).length;
    expect(taken).toBeGreaterThanOrEqual(50);
    expect(taken).toBeLessThanOrEqual(50 + refill);
    expect(statuses.filter((s) => s === 429).length).toBe(200 - taken);
    // Another address is not held back by it.
    expect(
      (
        await postFrom(
          freshAddress(),
          "/api/analytics/beacons",
          json,
          JSON.stringify(beat(eventId, 99)),
        )
      ).status,
    ).toBe(202);
  });
});

describe("forged heartbeats", () => {
  it("counts none without a valid view token for the viewer, session and event", async () => {
    const { owner, eventId } = await ownedEvent();
    const other = await scheduledEvent();
    const viewer = (n: number) => ({
      eventId,
      viewerId: `v-forge-${n}`,
      sessionId: `s-forge-${n}`,
    });
    const expired = signViewToken(
      { ...viewer(4), expiresAt: Math.floor(Date.now() / 1000) - 3600 },
      platformSecret("jwt-secret"),
    );
    const forgeries = [
      { ...viewer(1), viewToken: "made.up" },
      // A real token, but another viewer's: one token must not make many viewers.
      { ...viewer(2), viewToken: viewTokenFor(viewer(1)) },
      // A real token for another event.
      { ...viewer(3), viewToken: viewTokenFor({ ...viewer(3), eventId: other }) },
      { ...viewer(4), viewToken: expired },
      // Signed with a key that is not the platform's.
      {
        ...viewer(5),
        viewToken: signViewToken(
          { ...viewer(5), expiresAt: Math.floor(Date.now() / 1000) + 3600 },
          "an attacker's guess at the secret, 32+ characters long",
        ),
      },
    ];
    const beats = [...forgeries, { ...viewer(0), viewToken: viewTokenFor(viewer(0)) }].map((data) =>
      createEvent({
        type: "streamplatform.viewer.heartbeat",
        source: "/test/heartbeat-abuse",
        subject: eventId,
        data: { ...data, position: 0, bufferingSeconds: 0, playedSeconds: 10 },
      }),
    );
    // Anonymous, as a browser may post them; the genuine beat last, in the same request.
    const batch = toHttpBatch(beats);
    expect((await postFrom(freshAddress(), "/ce", batch.headers, batch.body)).status).toBe(202);
    const figures = await until(
      "the genuine beat counted",
      async () => {
        const answer = await api<{ beats: number; unique: number; watchSeconds: number }>(
          `/api/analytics/events/${eventId}/details`,
          { token: owner.token },
        );
        return answer.status === 200 && answer.body.beats > 0 ? answer.body : undefined;
      },
      30_000,
      200,
    );
    expect(figures).toMatchObject({ beats: 1, unique: 1, watchSeconds: 10 });
  });

  it("counts one token's beats at a player's pace, whatever they claim", async () => {
    const { owner, eventId } = await ownedEvent();
    const viewer = (n: number) => ({ eventId, viewerId: `v-pace-${n}`, sessionId: `s-pace-${n}` });
    const token = viewTokenFor(viewer(1));
    const sent = new Date().toISOString();
    // 49 beats of one session within a second, each claiming ten minutes of playback; then
    // another session's ordinary beat.
    const beats = [
      ...Array.from({ length: 49 }, () => ({ ...viewer(1), viewToken: token, playedSeconds: 600 })),
      { ...viewer(2), viewToken: viewTokenFor(viewer(2)), playedSeconds: 10 },
    ].map((data) => ({
      ...createEvent({
        type: "streamplatform.viewer.heartbeat",
        source: "/test/heartbeat-abuse",
        subject: eventId,
        data: { ...data, position: 0, bufferingSeconds: 0 },
      }),
      // All in one minute: the allowance is per minute.
      time: sent,
    }));
    const batch = toHttpBatch(beats);
    expect((await postFrom(freshAddress(), "/ce", batch.headers, batch.body)).status).toBe(202);
    const figures = await until(
      "both sessions counted",
      async () => {
        const answer = await api<{ beats: number; unique: number; watchSeconds: number }>(
          `/api/analytics/events/${eventId}/details`,
          { token: owner.token },
        );
        return answer.status === 200 && answer.body.unique >= 2 ? answer.body : undefined;
      },
      30_000,
      200,
    );
    // 12 beats and 75 s for the flooding session (a player sends 6 and 60 s a minute).
    expect(figures).toMatchObject({ beats: 12 + 1, unique: 2, watchSeconds: 75 + 10 });
  });
});
