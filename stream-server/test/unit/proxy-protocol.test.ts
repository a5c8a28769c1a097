// The PROXY protocol v1 reader in front of node-media-server: the header's grammar, who may send
// one, and that the bytes after it reach the RTMP session untouched (over loopback sockets).
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  acceptProxied,
  clientAddress,
  parseProxyV1,
  trustedProxies,
} from "../../src/proxy-protocol.ts";

describe("parseProxyV1", () => {
  it("reads the client's address and port of TCP4 and TCP6 headers", () => {
    expect(parseProxyV1("PROXY TCP4 203.0.113.7 127.0.0.1 51000 1937")).toEqual({
      address: "203.0.113.7",
      port: 51000,
    });
    expect(parseProxyV1("PROXY TCP6 2001:db8::1 ::1 443 1937")).toEqual({
      address: "2001:db8::1",
      port: 443,
    });
    expect(parseProxyV1("PROXY UNKNOWN")).toEqual({});
  });

  it("refuses what is not a well-formed header, naming the fault", () => {
    expect(() => parseProxyV1("\x03RTMP")).toThrow("no PROXY protocol header");
    expect(() => parseProxyV1("PROXY TCP4 203.0.113.7 127.0.0.1 51000")).toThrow("6 fields");
    expect(() => parseProxyV1("PROXY TCP4 2001:db8::1 127.0.0.1 1 2")).toThrow("not TCP4");
    expect(() => parseProxyV1("PROXY UDP4 1.2.3.4 1.2.3.4 1 2")).toThrow("unknown PROXY");
    expect(() => parseProxyV1("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2")).toThrow("0-65535");
    expect(() => parseProxyV1("PROXY TCP4 1.2.3.4 1.2.3.4 01 2")).toThrow("0-65535");
  });
});

describe("trustedProxies", () => {
  it("takes addresses and CIDR ranges of both families", () => {
    const trusted = trustedProxies("127.0.0.1, 10.0.0.0/8,fc00::/7");
    expect(trusted.check("127.0.0.1", "ipv4")).toBe(true);
    expect(trusted.check("10.9.8.7", "ipv4")).toBe(true);
    expect(trusted.check("fd00::5", "ipv6")).toBe(true);
    expect(trusted.check("127.0.0.2", "ipv4")).toBe(false);
  });

  it("refuses an entry that is no address or range", () => {
    expect(() => trustedProxies("127.0.0.1,edge")).toThrow('RTMP_PROXY_TRUSTED: "edge"');
    expect(() => trustedProxies("10.0.0.0/33")).toThrow("10.0.0.0/33");
  });
});

describe("acceptProxied", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** A listener that reads PROXY headers; resolves with what each connection turned into. */
  async function listen(trusted: string) {
    const outcomes: Promise<{ handed?: { client: string; bytes: string }; refused?: string }>[] =
      [];
    server = createServer((socket) => {
      outcomes.push(
        new Promise((resolve) =>
          acceptProxied(
            socket,
            { trusted: trustedProxies(trusted), timeoutMs: 500 },
            (handed: Socket) => {
              // As node-media-server does: its own data listener, after the hand-over.
              let bytes = "";
              handed.on("data", (chunk: Buffer) => {
                bytes += chunk.toString("latin1");
                if (bytes.endsWith("END"))
                  resolve({ handed: { client: clientAddress(handed), bytes } });
              });
            },
            (reason) => resolve({ refused: reason }),
          ),
        ),
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    return { port: address.port, outcomes };
  }

  const send = (port: number, chunks: string[], localAddress = "127.0.0.1") =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1", localAddress }, async () => {
        for (const chunk of chunks) {
          socket.write(Buffer.from(chunk, "latin1"));
          await new Promise((r) => setTimeout(r, 20));
        }
        resolve();
      });
      socket.on("error", reject);
    });

  it("takes the client's address from a trusted proxy and hands on the bytes after the header", async () => {
    const { port, outcomes } = await listen("127.0.0.1");
    await send(port, ["PROXY TCP4 198.51.100.9 127.0.0.1 5", "1000 1937\r\n\x03\x00", "\x01END"]);
    await expect.poll(() => outcomes.length).toBe(1);
    expect(await outcomes[0]).toEqual({
      handed: { client: "198.51.100.9", bytes: "\x03\x00\x01END" },
    });
  });

  it("disconnects a connection from an address that is not trusted, and one without a header", async () => {
    const { port, outcomes } = await listen("127.0.0.1");
    await send(port, ["PROXY TCP4 198.51.100.9 127.0.0.1 51000 1937\r\nEND"], "127.0.0.2");
    await send(port, ["\x03\x00\x00\x00\x00END\r\n"]);
    await send(port, ["PROXY TCP4 198.51.100.9"]);
    await expect.poll(() => outcomes.length).toBe(3);
    const results = await Promise.all(outcomes);
    expect(results[0]?.refused).toContain("127.0.0.2, which RTMP_PROXY_TRUSTED does not list");
    expect(results[1]?.refused).toBe("no PROXY protocol header");
    expect(results[2]?.refused).toBe("no PROXY protocol header in time");
  });
});
