// Transport security against the running platform (issue #23, items 5 and 6): the edge's TLS
// listener (a certificate clients verify, HSTS, the session cookie Secure), RTMPS ingest ending
// at the edge, and the RTMP publish limit counting each publisher behind the edge by the
// address the edge passes on in a PROXY protocol header.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { localPorts } from "@stream-platform/shared";
import {
  api,
  cookieNamed,
  freshAddress,
  liveStream,
  newUser,
  type Publisher,
  publishTestPattern,
  relayFrom,
  requestAt,
  uniqueSlug,
  until,
} from "@stream-platform/shared/testing";
import { afterEach, describe, expect, it } from "vitest";
import { logFile } from "../src/paths.ts";
import { edgeTls } from "../src/servers/tls.ts";

const caFile = edgeTls().ca;
if (!caFile) throw new Error("the edge's CA is not known: set EDGE_TLS_CA");
const ca = readFileSync(caFile);

/** One request to the edge, over TLS (verified with `tlsCa`) or plain HTTP. */
const edgeRequest = (
  scheme: "https" | "http",
  path: string,
  init: { body?: unknown; headers?: Record<string, string>; tlsCa?: Buffer } = {},
) =>
  requestAt(
    `${scheme}://127.0.0.1:${scheme === "https" ? localPorts().edgeTls : localPorts().edge}${path}`,
    { ...init, ...(scheme === "https" && { ca: init.tlsCa ?? ca }) },
  );

describe("the edge over TLS", () => {
  it("serves HTTPS with a certificate clients verify, and HSTS only there", async () => {
    for (const path of ["/", "/healthz", "/api/events", "/api/no-such-route"]) {
      const secure = await edgeRequest("https", path);
      expect(secure.status, path).toBeLessThan(500);
      expect(secure.headers["strict-transport-security"], path).toBe("max-age=31536000");
      // Over plain HTTP the header would pin browsers to a scheme this answer did not use.
      const plain = await edgeRequest("http", path);
      expect(plain.status, path).toBe(secure.status);
      expect(plain.headers["strict-transport-security"], path).toBeUndefined();
    }
    // Without the CA (a client that trusts only public CAs) the certificate is refused: it is
    // checked, not waved through.
    await expect(edgeRequest("https", "/healthz", { tlsCa: Buffer.from("") })).rejects.toThrow(
      /certificate/,
    );
  });

  it("sets the session cookies Secure on a sign-in over TLS, whatever X-Forwarded-Proto the client sends", async () => {
    const user = await newUser("tls");
    const credentials = { email: user.email, password: user.password };
    const secure = await edgeRequest("https", "/api/sessions", {
      body: credentials,
      // The edge overwrites it with its own scheme: a client cannot talk the cookie out of Secure.
      headers: { "x-forwarded-proto": "http" },
    });
    expect(secure.status).toBe(200);
    for (const name of ["session", "signed_in", "device"]) {
      expect(cookieNamed(secure, name), name).toMatch(/; Secure(;|$)/);
    }
    expect(cookieNamed(secure, "session")).toMatch(/; HttpOnly;/);
    // The same sign-in over plain HTTP (local/ leaves COOKIE_SECURE unset): not Secure, which
    // shows the attribute comes from the edge's TLS.
    const plain = await edgeRequest("http", "/api/sessions", { body: credentials });
    expect(plain.status).toBe(200);
    expect(cookieNamed(plain, "session")).toBeDefined();
    expect(cookieNamed(plain, "session")).not.toMatch(/Secure/);
  });
});

describe("RTMP ingest through the edge", () => {
  const publishers: Publisher[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const p of publishers.splice(0)) p.process.kill("SIGKILL");
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function newChannel(): Promise<{ id: string; streamKey: string }> {
    const user = await newUser("rtmps");
    const created = await api<{ id: string; streamKey: string }>("/api/channels", {
      token: user.token,
      body: { slug: uniqueSlug("tls"), title: "Over RTMPS" },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  const rtmps = (port = localPorts().rtmps) => `rtmps://127.0.0.1:${port}/live`;

  it("takes a stream published over RTMPS live", async () => {
    const channel = await newChannel();
    const publisher = publishTestPattern(channel.streamKey, {
      seconds: 120,
      size: "640x360",
      url: rtmps(),
      caFile,
    });
    publishers.push(publisher);
    const live = await until(
      "the stream published over RTMPS to go live",
      async () => {
        const stream = await liveStream(channel.id);
        return stream?.startedAt ? stream : undefined;
      },
      60_000,
      250,
    );
    expect(live.channelId).toBe(channel.id);
    // The key crossed only TLS: a plain RTMP handshake on the RTMPS port goes nowhere.
    const plain = publishTestPattern(channel.streamKey, {
      seconds: 5,
      size: "64x64",
      url: `rtmp://127.0.0.1:${localPorts().rtmps}/live`,
    });
    expect(await plain.exited).not.toBe(0);
  });

  it("limits bad publishes per publisher behind the edge: one address guessing keys locks out no other", async () => {
    const channel = await newChannel();
    const guesser = freshAddress();
    const creator = freshAddress();
    const target = { host: "127.0.0.1", port: localPorts().rtmps };
    const [fromGuesser, fromCreator] = await Promise.all([
      relayFrom(guesser, target),
      relayFrom(creator, target),
    ]);
    cleanups.push(fromGuesser.close, fromCreator.close);
    const log = logFile("stream-server");
    const refusalsOf = (address: string) =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.includes('"publish refused"') && line.includes(`"${address}"`));

    // Wrong keys from one address, faster than the limit's 1 a second, until it bites (the
    // burst is 20), and on while the creator publishes.
    let guessing = true;
    const guesses: Promise<number | null>[] = [];
    const flood = (async () => {
      while (guessing) {
        const guess = publishTestPattern(`sk_not-a-key-${randomUUID()}`, {
          seconds: 1,
          size: "64x64",
          url: rtmps(fromGuesser.port),
          caFile,
        });
        guesses.push(guess.exited);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    try {
      await until(
        "the guesser's address to be refused for its rate",
        () => refusalsOf(guesser).some((l) => l.includes("too many publish attempts")) || undefined,
        90_000,
        250,
      );
      // The creator, at another address behind the same edge, still goes live.
      const publisher = publishTestPattern(channel.streamKey, {
        seconds: 120,
        size: "640x360",
        url: rtmps(fromCreator.port),
        caFile,
      });
      publishers.push(publisher);
      await until(
        "the creator's stream to go live while the guesser is refused",
        async () => ((await liveStream(channel.id))?.startedAt ? true : undefined),
        60_000,
        250,
      );
      expect(refusalsOf(guesser).some((l) => l.includes("too many publish attempts"))).toBe(true);
      expect(refusalsOf(creator)).toEqual([]);
    } finally {
      guessing = false;
      await flood;
      await Promise.all(guesses);
    }
  });

  it("disconnects a PROXY header that does not come from the edge: nobody can claim another's address", async () => {
    const forger = freshAddress();
    const log = logFile("stream-server");
    // Straight to stream-server's port for the edge, claiming to be someone else, then an RTMP
    // handshake (C0 and C1) that would be answered if the header were believed.
    const socket = connect({
      host: "127.0.0.1",
      port: localPorts().rtmpProxy,
      localAddress: forger,
    });
    let answered = 0;
    socket.on("data", (chunk: Buffer) => {
      answered += chunk.length;
    });
    socket.on("error", () => {}); // a reset is as good as a close here
    socket.on("connect", () => {
      socket.write("PROXY TCP4 198.51.100.7 127.0.0.1 40000 1937\r\n");
      socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536)]));
    });
    await new Promise((resolve) => socket.once("close", resolve));
    expect(answered).toBe(0);
    await until("stream-server to log the refusal", () =>
      readFileSync(log, "utf8").includes(`${forger}, which RTMP_PROXY_TRUSTED does not list`)
        ? true
        : undefined,
    );
  });
});
