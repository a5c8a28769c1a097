// The Compose stack (images built here, docker-compose.yml run by podman) end to end through its
// edge, as a user of it would: sign up, a channel and an event, RTMP in, HLS out, search, and
// the subscriber's notification.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { edgeTls } from "../../local/src/servers/tls.ts";
import {
  api,
  cookieNamed,
  newUser,
  type Publisher,
  publishTestPattern,
  requestAt,
  uniqueSlug,
  until,
} from "../../shared/src/testing/platform.ts";
import { COMPOSE_EDGE_TLS_PORT, COMPOSE_RTMPS_PORT } from "../../vitest.deploy.config.ts";

const edge = process.env.EDGE_URL as string;
const publishers: Publisher[] = [];

afterAll(() => {
  for (const publisher of publishers) publisher.process.kill("SIGINT");
});

/** A channel of a new user, made through the edge: its id and stream key. */
async function newChannel(owner: { token: string }, title: string) {
  const channel = await api<{ id: string; streamKey: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("compose"), title },
  });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  return channel.body;
}

describe("the Compose stack", () => {
  it("serves the web app and its health through the edge", async () => {
    expect((await fetch(`${edge}/healthz`)).status).toBe(200);
    const page = await fetch(`${edge}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
  });

  it("signs up, schedules, streams over RTMP, plays HLS, finds by search and notifies", async () => {
    const word = `okapi${randomBytes(4).toString("hex")}`;
    const creator = await newUser("creator");
    const viewer = await newUser("viewer");

    const channel = { body: await newChannel(creator, `Channel ${word}`) };
    const event = await api<{ id: string }>("/api/events", {
      token: creator.token,
      body: {
        channelId: channel.body.id,
        title: `Launch ${word}`,
        startsAt: new Date(Date.now() + 60_000).toISOString(),
      },
    });
    expect(event.status, JSON.stringify(event.body)).toBe(201);

    // Indexed through Kafka by the search indexer, delivered by the eventing container.
    const found = await until(
      "the event in search",
      async () => {
        const result = await api<{ hits: { id: string }[] }>(`/api/search?q=${word}`);
        return result.body.hits?.find((hit) => hit.id === event.body.id);
      },
      90_000,
      1000,
    );
    expect(found.id).toBe(event.body.id);

    const subscribed = await api(`/api/subscriptions/channels/${channel.body.id}`, {
      method: "PUT",
      token: viewer.token,
    });
    expect(subscribed.status).toBeLessThan(300);

    publishers.push(publishTestPattern(channel.body.streamKey, { seconds: 120, size: "640x360" }));
    const live = await until(
      "the event to go live",
      async () => {
        const current = await api<{ status: string }>(`/api/events/${event.body.id}`);
        return current.body.status === "live" ? current.body : undefined;
      },
      90_000,
      1000,
    );
    expect(live.status).toBe("live");

    const master = await until(
      "the HLS master playlist",
      async () => {
        const response = await fetch(`${edge}/hls/${event.body.id}/master.m3u8`);
        return response.ok ? response.text() : undefined;
      },
      60_000,
      1000,
    );
    expect(master).toContain("#EXT-X-STREAM-INF:");
    const rendition = master.split("\n").find((line) => line.endsWith(".m3u8")) as string;
    const media = await until(
      "a media playlist with a segment",
      async () => {
        const text = await (await fetch(`${edge}/hls/${event.body.id}/${rendition}`)).text();
        return text.includes("#EXTINF:") ? text : undefined;
      },
      60_000,
      1000,
    );
    // A complete segment (fMP4, after the parts it was made of; LL-HLS, #25).
    const segment = media.split("\n").find((line) => /^seg_\d+\.m4s$/.test(line)) as string;
    const directory = rendition.split("/").slice(0, -1).join("/");
    const bytes = await fetch(`${edge}/hls/${event.body.id}/${directory}/${segment}`);
    expect(bytes.status).toBe(200);
    expect((await bytes.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    const notification = await until(
      "the viewer's notification",
      async () => {
        const inbox = await api<{ items: { eventId?: string; type?: string }[] }>(
          "/api/me/notifications",
          { token: viewer.token },
        );
        return inbox.body.items?.find((item) => JSON.stringify(item).includes(event.body.id));
      },
      60_000,
      1000,
    );
    expect(notification).toBeDefined();
  });

  it("serves HTTPS (HSTS, Secure session cookies) and takes a stream over RTMPS, with the certificate it is given", async () => {
    const { ca: caFile } = edgeTls();
    if (!caFile) throw new Error("the edge's CA is not known: set EDGE_TLS_CA");
    const ca = readFileSync(caFile);
    const https = `https://127.0.0.1:${COMPOSE_EDGE_TLS_PORT}`;
    const health = await requestAt(`${https}/healthz`, { ca });
    expect(health.status).toBe(200);
    expect(health.headers["strict-transport-security"]).toBe("max-age=31536000");
    // Over plain HTTP no HSTS: it would pin browsers to a scheme that answer did not use.
    expect((await fetch(`${edge}/healthz`)).headers.get("strict-transport-security")).toBeNull();

    const creator = await newUser("tls");
    const signIn = await requestAt(`${https}/api/sessions`, {
      ca,
      body: { email: creator.email, password: creator.password },
    });
    expect(signIn.status).toBe(200);
    expect(cookieNamed(signIn, "session")).toMatch(/; Secure(;|$)/);

    // The key crosses TLS only; the stream goes live (an event of its own, Live now).
    const channel = await newChannel(creator, "Over RTMPS");
    publishers.push(
      publishTestPattern(channel.streamKey, {
        seconds: 120,
        size: "640x360",
        url: `rtmps://127.0.0.1:${COMPOSE_RTMPS_PORT}/live`,
        caFile,
      }),
    );
    const live = await until(
      "the stream published over RTMPS to go live",
      async () => {
        const events = await api<{ items: { channelId: string; status: string }[] }>(
          `/api/events?status=live&channelId=${channel.id}`,
        );
        return events.body.items?.[0];
      },
      90_000,
      1000,
    );
    expect(live.channelId).toBe(channel.id);
  });
});
