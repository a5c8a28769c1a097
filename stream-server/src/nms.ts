// node-media-server, reduced to what stream-server needs: its RTMP listener and the broadcast
// it keeps per stream path. (Its HTTP, record, relay and history servers would also persist
// stream paths, which contain stream keys, to disk.) Its logger is wrapped so that a stream key
// never reaches a log.
import { createRequire } from "node:module";
import { type BlockList, createServer, type Server, type Socket } from "node:net";
import type { Writable } from "node:stream";
import { acceptProxied } from "./proxy-protocol.ts";
import { videoCodecOf } from "./video-codecs.ts";

const require = createRequire(import.meta.url);

/** An RTMP (and FLV) message's type for video. */
const VIDEO = 9;

/** What we use of node-media-server's session and broadcast objects. */
export interface NmsBroadcast {
  postPlay(session: unknown): string | null;
  donePlay(session: unknown): void;
}

/** A media message as node-media-server parsed it (`codec_type` 9: video; `data` from byte 0). */
interface NmsPacket {
  codec_type: number;
  data: Buffer;
}

/** The session's RTMP protocol state: what we use of it. */
interface NmsRtmp {
  streamId: number;
  onPacketCallback(packet: NmsPacket): void;
  sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
}

export interface NmsSession {
  id: string;
  ip: string;
  streamApp: string;
  streamName: string;
  streamPath: string;
  socket: import("node:net").Socket;
  broadcast: NmsBroadcast;
  /** Absent on sessions that do not speak RTMP (tests' stand-ins). */
  rtmp?: NmsRtmp;
  close(): void;
}

interface Context {
  config: Record<string, unknown>;
  eventEmitter: import("node:events").EventEmitter;
}

const context = require("node-media-server/src/core/context.js") as Context;
const logger = require("node-media-server/src/core/logger.js") as {
  level: string;
  log(message: string, level?: string): void;
};
const BaseSession = require("node-media-server/src/session/base_session.js") as new () => {
  id: string;
  ip: string;
  protocol: string;
  streamPath: string;
  sendBuffer: (buffer: Buffer) => void;
  close: () => void;
};
const NodeRtmpServer = require("node-media-server/src/server/rtmp_server.js") as new () => {
  run(): void;
  stop(): void;
  /** Takes a connection as its own listener would (tracked, closed by stop()). */
  handleRequest(socket: Socket): void;
};

/** An AMF0 data message (an FLV script tag's body): its command and object (onMetaData's). */
export const decodeAmf0Data = (
  require("node-media-server/src/protocol/amf.js") as {
    decodeAmf0Data(data: Buffer): { cmd?: unknown; dataObj?: Record<string, unknown> | null };
  }
).decodeAmf0Data;

/** `/live/<anything>` → `/live/[key]`, wherever it appears in a message. */
export function redactStreamPaths(message: string): string {
  return message
    .replace(/\/live\/[^\s,'"]+/g, "/live/[key]")
    .replace(/sk_[A-Za-z0-9_-]+/g, "[key]");
}

const log = logger.log.bind(logger);
logger.level = process.env.NMS_LOG_LEVEL ?? "warn";
logger.log = (message: string, level?: string) => log(redactStreamPaths(String(message)), level);

export interface RtmpServer {
  stop(): void;
}

/**
 * Starts the RTMP listener; `onPublish` sees every publish attempt, before any data is used.
 * With `proxied`, a second listener takes connections from the edge, each opening with a PROXY
 * protocol header (proxy-protocol.ts) read before node-media-server sees the socket.
 */
export function startRtmp(
  options: {
    port: number;
    bind: string;
    proxied?: { port: number; trusted: BlockList; onRefused(reason: string): void };
  },
  onPublish: (session: NmsSession) => void,
): RtmpServer {
  context.config = { bind: options.bind, rtmp: { port: options.port } };
  context.eventEmitter.on("prePublish", onPublish);
  const server = new NodeRtmpServer();
  server.run();
  const proxied = options.proxied;
  let behindEdge: Server | undefined;
  if (proxied) {
    behindEdge = createServer((socket) =>
      acceptProxied(socket, { trusted: proxied.trusted }, server.handleRequest, proxied.onRefused),
    );
    behindEdge.on("error", (error) => {
      // As node-media-server does for its own port: a taken port ends the process, loudly.
      logger.log(`RTMP (PROXY protocol) listener failed: ${error.message}`, "error");
      process.exit(1);
    });
    behindEdge.listen(proxied.port, options.bind);
  }
  return {
    stop() {
      behindEdge?.close();
      server.stop();
    },
  };
}

/**
 * An internal subscriber of a broadcast that receives the stream as FLV and writes it to
 * `sink` (ffmpeg's stdin): the encoder reads the publisher's stream in-process, with no second
 * RTMP connection and no stream key on any command line.
 */
export function attachFeed(broadcast: NmsBroadcast, sink: Writable): () => void {
  const feed = new BaseSession();
  feed.protocol = "flv";
  feed.ip = ""; // internal: not counted as a viewer
  feed.sendBuffer = (buffer) => {
    if (!sink.destroyed && sink.writable) sink.write(buffer);
  };
  broadcast.postPlay(feed);
  return () => broadcast.donePlay(feed);
}

/** The publisher left, or was refused or cut (rejectPublish): its connection is closing. */
export const publisherGone = (session: NmsSession): boolean =>
  session.socket.destroyed || session.socket.writableEnded;

/** How long a refused or cut publisher may take to hang up itself before it is disconnected. */
const HANG_UP_MS = 500;

/**
 * Refuses a publish, or ends one, telling the publisher why: an RTMP onStatus error
 * (`NetStream.Publish.Rejected` with `description`; ffmpeg prints "Server error: …"), then the
 * connection closes. Never put a stream key in `description`.
 */
export function rejectPublish(session: NmsSession, description: string): void {
  const { socket, rtmp } = session;
  if (publisherGone(session)) return;
  rtmp?.sendStatusMessage(rtmp.streamId, "error", "NetStream.Publish.Rejected", description);
  socket.end();
  // end() alone leaves the connection half open for as long as the publisher sends and has not
  // read the answer yet (its stream would go on): it is given a moment to read it, no more.
  setTimeout(() => socket.destroy(), HANG_UP_MS).unref();
}

/**
 * Calls `listener` with the name of the video codec the session publishes (videoCodecOf), on
 * its first video message and whenever it changes; before the message is used. Call it from
 * prePublish, before any media has been read.
 */
export function watchVideoCodec(session: NmsSession, listener: (codec: string) => void): void {
  const rtmp = session.rtmp;
  if (!rtmp) return;
  const forward = rtmp.onPacketCallback;
  let last: string | undefined;
  rtmp.onPacketCallback = (packet) => {
    if (packet.codec_type === VIDEO) {
      const codec = videoCodecOf(packet.data);
      if (codec !== undefined && codec !== last) {
        last = codec;
        listener(codec);
      }
    }
    forward(packet);
  };
}
