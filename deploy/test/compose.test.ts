// The Compose stack (images built here, docker-compose.yml run by podman) end to end through its
// edge, as a user of it would: sign up, a channel and an event, RTMP in, HLS out, search, and
// the subscriber's notification.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  api,
  newUser,
  type Publisher,
  publishTestPattern,
  uniqueSlug,
  until,
} from "../../shared/src/testing/platform.ts";

const edge = process.env.EDGE_URL as string;
let publisher: Publisher | undefined;

afterAll(() => {
  publisher?.process.kill("SIGINT");
});

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

    const channel = await api<{ id: string; streamKey: string }>("/api/channels", {
      token: creator.token,
      body: { slug: uniqueSlug("compose"), title: `Channel ${word}` },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
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

    publisher = publishTestPattern(channel.body.streamKey, { seconds: 120, size: "640x360" });
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
    const segment = media.split("\n").find((line) => line.endsWith(".ts")) as string;
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
});
