// SSE streams are capped (issue #23, item 3): one account opening 5,000 notification streams
// gets its gateway's per-account cap (SSE_MAX_PER_ACCOUNT, 16 by default) and 429s for the rest,
// while its open streams keep delivering and other people still connect; one address opening
// more than the edge allows (limit_conn, 100) gets 429 problems. The opens come from loopback
// addresses of their own (127.x.y.z), as distinct clients behind the edge would.
import { randomBytes } from "node:crypto";
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { createEvent, serviceUrls } from "@stream-platform/shared";
import { api, newUser, postToIngress, uniqueSlug, until } from "@stream-platform/shared/testing";
import { afterAll, describe, expect, it } from "vitest";

const edge = new URL(serviceUrls().edgeUrl);
const PER_ACCOUNT = 16;
const open: { req: ClientRequest; res: IncomingMessage; text: () => string }[] = [];
afterAll(() => {
  for (const stream of open) stream.req.destroy();
});

/** Opens a stream from `localAddress`: its status, and (if 200) the stream, kept open. */
function openStream(
  path: string,
  localAddress: string,
  token?: string,
): Promise<{ status: number; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: edge.hostname,
        port: edge.port,
        path,
        localAddress,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const contentType = res.headers["content-type"];
        if (status !== 200) {
          res.resume();
          res.on("end", () => resolve({ status, contentType }));
          return;
        }
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        open.push({ req, res, text: () => text });
        resolve({ status, contentType });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const freshSubnet = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** Opens `count` streams from each of `addresses`, `wave` at a time; counts the statuses. */
async function flood(path: string, addresses: string[], count: number, token?: string) {
  const statuses = new Map<number, number>();
  const attempts = addresses.flatMap((address) => Array.from({ length: count }, () => address));
  for (let i = 0; i < attempts.length; i += 250) {
    const answers = await Promise.all(
      attempts.slice(i, i + 250).map((address) => openStream(path, address, token)),
    );
    for (const { status, contentType } of answers) {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status !== 200) expect(contentType).toContain("application/problem+json");
    }
  }
  return statuses;
}

describe("SSE connection caps", () => {
  it("caps one account's 5,000 opens at its per-account limit; its open streams still deliver", async () => {
    const [attacker, someone] = await Promise.all([newUser("sse-flood"), newUser("sse-other")]);
    const subnet = freshSubnet();
    // 5,000 opens from ten addresses: the edge passes 100 of each address's, the gateway 16 in all.
    const addresses = Array.from({ length: 10 }, (_, i) => `${subnet}.${2 + i}`);
    const before = open.length;
    const statuses = await flood("/api/me/notifications/stream", addresses, 500, attacker.token);
    expect(statuses.get(200)).toBe(PER_ACCOUNT);
    expect(statuses.get(429)).toBe(5000 - PER_ACCOUNT);
    const mine = open.slice(before);

    // Someone else still gets a stream.
    expect(
      (await openStream("/api/me/notifications/stream", `${subnet}.100`, someone.token)).status,
    ).toBe(200);

    // The account's open streams still get its notifications.
    const notificationId = `ntf_${randomBytes(12).toString("hex")}`;
    expect(
      await postToIngress(
        createEvent({
          id: notificationId,
          type: "streamplatform.notification.created",
          source: "/test/sse-caps",
          subject: attacker.id,
          data: {
            notificationId,
            userId: attacker.id,
            kind: "event.live",
            eventId: "evt_ssecaps0001",
            title: "Still delivered",
            createdAt: new Date().toISOString(),
          },
        }),
      ),
    ).toBe(202);
    await until("the notification on every one of the account's open streams", () =>
      mine.every((stream) => stream.text().includes(notificationId)) ? true : undefined,
    );

    // Closing one frees its place.
    mine[0]?.req.destroy();
    await until("a place freed by a closed stream", async () =>
      (await openStream("/api/me/notifications/stream", addresses[0] as string, attacker.token))
        .status === 200
        ? true
        : undefined,
    );
  });

  it("caps one address's open streams at the edge (limit_conn), answering 429 problems", async () => {
    const owner = await newUser("sse-room");
    const channel = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug("sse"), title: "Crowded room" },
    });
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.body.id,
        title: "Crowded",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(event.status).toBe(201);
    const address = `${freshSubnet()}.2`;
    const statuses = await flood(`/api/chat/stream?eventId=${event.body.id}`, [address], 150);
    expect(statuses.get(200)).toBe(100);
    expect(statuses.get(429)).toBe(50);
  });
});
