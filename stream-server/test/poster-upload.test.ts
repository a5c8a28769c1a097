// A poster the owner uploads for a scheduled event (#26 item 4), through the real edge and
// stream-server: stored only as a new JPEG stream-server wrote (two sizes, its own name, cached
// for a year, never sniffed as anything else), shown by the event; and every hostile upload
// refused with a problem naming what is wrong: a type not taken, bytes that are not the type
// they claim, too large, unreadable, someone else's event, one that started.
import { execFileSync } from "node:child_process";
import { PROBLEM_JSON, serviceUrls } from "@stream-platform/shared";
import {
  api,
  endedEvent,
  newUser,
  type TestUser,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";

const edge = serviceUrls().edgeUrl;
let owner: TestUser;
let stranger: TestUser;
let channelId: string;
let eventId: string;

/** A real picture of `size`, encoded by ffmpeg as `codec` (png, mjpeg, libwebp). */
const picture = (codec: string, size = "640x480") =>
  execFileSync("ffmpeg", [
    ...["-v", "error", "-f", "lavfi", "-i", `testsrc=size=${size}:rate=1`],
    ...["-frames:v", "1", "-c:v", codec, "-f", "image2pipe", "-"],
  ]);

const upload = (id: string, body: Buffer | string, type: string, token = owner.token) =>
  fetch(`${edge}/api/streams/events/${id}/poster`, {
    method: "PUT",
    headers: { "content-type": type, ...(token && { authorization: `Bearer ${token}` }) },
    body,
  });

async function refused(response: Response, status: number, field?: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe(PROBLEM_JSON);
  const problem = (await response.json()) as { errors?: { field: string }[] };
  if (field) expect(problem.errors?.map((e) => e.field)).toEqual([field]);
}

beforeAll(async () => {
  [owner, stranger] = await Promise.all([newUser("poster-owner"), newUser("poster-stranger")]);
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug: uniqueSlug("poster"), title: "Posters" },
  });
  channelId = channel.body.id;
  const made = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: {
      channelId,
      title: "Opening night",
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  expect(made.status).toBe(201);
  eventId = made.body.id;
}, 60_000);

describe("an owner's poster upload", () => {
  it("stores a new JPEG in two sizes under its own name, and the event shows it", async () => {
    const answer = await upload(eventId, picture("png"), "image/png");
    expect(answer.status).toBe(202);
    const { posterUrl, posterSmallUrl } = (await answer.json()) as Record<string, string>;
    expect(posterUrl).toMatch(new RegExp(`^/hls/posters/${eventId}-[0-9a-f]{16}\\.jpg$`));
    expect(posterSmallUrl).toBe(posterUrl?.replace(/\.jpg$/, "-small.jpg"));
    for (const [url, height] of [
      [posterUrl, 360],
      [posterSmallUrl, 180],
    ] as const) {
      const served = await fetch(`${edge}${url}`);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/jpeg");
      expect(served.headers.get("cache-control")).toContain("immutable");
      expect(served.headers.get("x-content-type-options")).toBe("nosniff");
      const bytes = Buffer.from(await served.arrayBuffer());
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      const probed = execFileSync(
        "ffprobe",
        [
          ...["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height"],
          ...["-of", "csv=p=0", "-"],
        ],
        { input: bytes },
      )
        .toString()
        .trim();
      expect(probed).toBe(`${(height * 16) / 9},${height}`);
    }
    await until("the event showing its poster", async () => {
      const event = await api<{ posterUrl?: string }>(`/api/events/${eventId}`);
      return event.body.posterUrl === posterUrl ? true : undefined;
    });
  });

  it("re-encodes a polyglot (a JPEG carrying a page): what is served is only a picture", async () => {
    const page = Buffer.from("<html><script>alert('poster')</script></html>");
    const polyglot = Buffer.concat([picture("mjpeg"), page]);
    const answer = await upload(eventId, polyglot, "image/jpeg");
    expect(answer.status).toBe(202);
    const { posterUrl } = (await answer.json()) as { posterUrl: string };
    const served = Buffer.from(await (await fetch(`${edge}${posterUrl}`)).arrayBuffer());
    expect(served.includes("<script")).toBe(false);
    expect(served.equals(polyglot.subarray(0, served.length))).toBe(false);
  });

  it("refuses a type not taken, bytes that are not their type, too many bytes, an unreadable image", async () => {
    await refused(
      await upload(eventId, "<svg onload=alert(1)/>", "image/svg+xml"),
      415,
      "content-type",
    );
    await refused(await upload(eventId, "<html>not a picture</html>", "image/png"), 415, "body");
    // A PNG sent as a JPEG is not read as a PNG: the type claimed decides the decoder.
    await refused(await upload(eventId, picture("png"), "image/jpeg"), 415, "body");
    const webpAsPng = picture("libwebp");
    await refused(await upload(eventId, webpAsPng, "image/png"), 415, "body");
    const truncated = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.alloc(200, 7)]);
    await refused(await upload(eventId, truncated, "image/png"), 422, "body");
    // A small file that unpacks to 48 million pixels is not decoded.
    const bomb = execFileSync("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", "color=c=black:s=8000x6000"],
      ...["-frames:v", "1", "-c:v", "png", "-f", "image2pipe", "-"],
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await refused(await upload(eventId, bomb, "image/png"), 422, "body");
    // Over stream-server's 5 MiB (the edge lets 6 MiB through to it), and over the edge's.
    await refused(
      await upload(eventId, Buffer.alloc(5.5 * 1024 * 1024, 1), "image/png"),
      413,
      "body",
    );
    await refused(await upload(eventId, Buffer.alloc(7 * 1024 * 1024, 1), "image/png"), 413);
  });

  it("is the owner's, and only before the event starts", async () => {
    await refused(await upload(eventId, picture("png"), "image/png", ""), 401);
    await refused(await upload(eventId, picture("png"), "image/png", stranger.token), 403);
    await refused(await upload("evt_00000000notthere", picture("png"), "image/png"), 404);
    await refused(await upload("not-an-event", picture("png"), "image/png"), 400, "eventId");
    const over = await endedEvent(owner.token, { channelId, title: "Already over" });
    await refused(await upload(over, picture("png"), "image/png"), 409, "eventId");
  });
});
