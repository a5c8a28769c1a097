// RTMP behind the edge: NGINX's stream proxy (`proxy_protocol on`) opens each connection with a
// PROXY protocol v1 line naming the publisher's address. It is read here, before
// node-media-server sees the socket, so the publish limit counts each publisher rather than the
// edge. Only a trusted proxy may speak first: the header is taken only on the port meant for it
// and only from the addresses in RTMP_PROXY_TRUSTED; anyone else there is disconnected, so no
// publisher can claim another's address.
import { BlockList, isIPv4, isIPv6, type Socket } from "node:net";

/** The longest v1 header, CRLF included (the specification's limit). */
const MAX_HEADER = 107;

export interface ProxiedPeer {
  /** The client's address; undefined for `PROXY UNKNOWN` (the proxy could not tell). */
  address?: string;
  port?: number;
}

/** Parses one PROXY protocol v1 line (without its CRLF); throws naming what is wrong. */
export function parseProxyV1(line: string): ProxiedPeer {
  const parts = line.split(" ");
  if (parts[0] !== "PROXY") throw new Error("no PROXY protocol header");
  if (parts[1] === "UNKNOWN") return {};
  const [, family, source, destination, sourcePort, destinationPort, ...rest] = parts;
  if (rest.length > 0 || destinationPort === undefined)
    throw new Error("a PROXY header has 6 fields");
  const valid = family === "TCP4" ? isIPv4 : family === "TCP6" ? isIPv6 : undefined;
  if (!valid) throw new Error(`unknown PROXY protocol family ${JSON.stringify(family)}`);
  if (!valid(source ?? "") || !valid(destination ?? ""))
    throw new Error(`a PROXY header's addresses are not ${family}`);
  for (const port of [sourcePort, destinationPort])
    if (!/^(0|[1-9][0-9]{0,4})$/.test(port ?? "") || Number(port) > 65535)
      throw new Error("a PROXY header's ports are 0-65535");
  return { address: source, port: Number(sourcePort) };
}

/** RTMP_PROXY_TRUSTED: addresses and CIDR ranges, comma separated; throws on a bad entry. */
export function trustedProxies(list: string): BlockList {
  const trusted = new BlockList();
  for (const entry of list
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = "", bits, extra] = entry.split("/");
    const family = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
    const prefix = Number(bits);
    const max = family === "ipv4" ? 32 : 128;
    if (!family || extra !== undefined || (bits !== undefined && !(prefix >= 0 && prefix <= max)))
      throw new Error(`RTMP_PROXY_TRUSTED: ${JSON.stringify(entry)} is no address or CIDR range`);
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, prefix, family);
  }
  return trusted;
}

const isTrusted = (trusted: BlockList, address: string) => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return trusted.check(mapped, "ipv4");
  return trusted.check(address, isIPv6(address) ? "ipv6" : "ipv4");
};

/** Client addresses of proxied connections (the socket's own is the proxy's). */
const clients = new WeakMap<Socket, string>();

/** The address of the client behind `socket`: the PROXY header's, else the socket's peer. */
export const clientAddress = (socket: Socket): string =>
  clients.get(socket) ?? socket.remoteAddress ?? "unknown";

/**
 * Reads the PROXY header of a connection from a trusted proxy, then hands the socket on with
 * the bytes after the header still unread. A connection from elsewhere, or one whose header is
 * missing, malformed or slower than `timeoutMs`, is destroyed (and `refused` told why).
 */
export function acceptProxied(
  socket: Socket,
  options: { trusted: BlockList; timeoutMs?: number },
  handOn: (socket: Socket) => void,
  refused: (reason: string) => void,
): void {
  const peer = socket.remoteAddress ?? "";
  const refuse = (reason: string) => {
    refused(reason);
    socket.destroy();
  };
  if (!isTrusted(options.trusted, peer)) {
    refuse(`a PROXY protocol connection from ${peer}, which RTMP_PROXY_TRUSTED does not list`);
    return;
  }
  let received = Buffer.alloc(0);
  const timer = setTimeout(
    () => refuse("no PROXY protocol header in time"),
    options.timeoutMs ?? 5000,
  );
  // Gone before its header: nothing to refuse. (An error listener also keeps a reset from
  // becoming an uncaught exception until node-media-server adds its own.)
  const onError = () => clearTimeout(timer);
  socket.once("close", onError);
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    const end = received.indexOf("\r\n");
    if (end < 0) {
      if (received.length >= MAX_HEADER) {
        clearTimeout(timer);
        socket.off("data", onData);
        refuse("a PROXY protocol header longer than 107 bytes");
      }
      return;
    }
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("error", onError);
    socket.off("close", onError);
    socket.pause();
    let client: ProxiedPeer;
    try {
      client = parseProxyV1(received.subarray(0, end).toString("latin1"));
    } catch (error) {
      refuse((error as Error).message);
      return;
    }
    if (client.address) clients.set(socket, client.address);
    // What came after the header is the client's first RTMP bytes.
    const rest = received.subarray(end + 2);
    if (rest.length > 0) socket.unshift(rest);
    handOn(socket);
    socket.resume();
  };
  socket.on("data", onData);
  socket.on("error", onError);
}
