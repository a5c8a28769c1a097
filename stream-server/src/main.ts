// stream-server: the stateful tier. RTMP on RTMP_PORT (rtmp://HOST:1935/live/STREAM_KEY), HLS
// into HLS_DIR/EVENT_ID/ (served by NGINX at /hls/), lifecycle CloudEvents to Kafka, and a small
// HTTP server: GET /healthz, GET /streams (live streams, never their keys), and for a channel's
// owner GET /api/streams/:channelId/health (health.ts), an event's owner PUT
// /api/streams/events/:eventId/poster (poster-upload.ts), and the LL-HLS requests that wait for
// a part (ll-hls-http.ts).
import "./env-file.ts";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  flushTraces,
  GrpcDirectory,
  inSpan,
  LOCAL_HOST,
  log,
  METRICS_PATH,
  measureRequest,
  sendProblem,
  serveMetrics,
  serviceUrls,
  setRoute,
  setServiceName,
  startTracing,
  traceRequest,
} from "@stream-platform/shared";
import { ChannelsClient, EventsClient } from "@stream-platform/shared/grpc";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { ChatGateway } from "./chat.ts";
import { loadConfig } from "./config.ts";
import { healthHandler } from "./health.ts";
import { Ingest } from "./ingest.ts";
import { KeyRotations } from "./key-rotations.ts";
import { parseLadder } from "./ladder.ts";
import { LlHlsRequests } from "./ll-hls-http.ts";
import { registerStreamMetrics } from "./metrics.ts";
import { startRtmp } from "./nms.ts";
import { NotificationGateway } from "./notifications.ts";
import { posterUploadHandler } from "./poster-upload.ts";
import { s3Client, uploadRecording } from "./recordings.ts";

setServiceName("stream-server");
await startTracing();
const config = loadConfig();
const rungs = parseLadder(config.ladder);
const publisher = new EventPublisher(createKafka("stream-server"));
const channels = new ChannelsClient();
const events = new EventsClient();
const s3 = config.s3 && { target: config.s3, client: s3Client(config.s3) };

const ingest = new Ingest({
  config,
  rungs,
  channels,
  events,
  publisher,
  afterRecording: s3
    ? async (eventId, dir) => {
        const keys = await uploadRecording(s3.client, s3.target, eventId, dir);
        log({ level: "info", msg: "recording uploaded", event: eventId, files: keys.length });
      }
    : undefined,
  log,
});

const gateway = new NotificationGateway({
  inboxUrl: process.env.NOTIFICATIONS_URL ?? serviceUrls().edgeUrl,
  log,
});
void gateway.start().catch((error: unknown) => {
  log({ level: "error", msg: "the notifications gateway could not start", error: String(error) });
  process.exit(1);
});
// A rotated key cuts the live publish that uses it.
const keyRotations = new KeyRotations({
  onRotated: (channelId) => ingest.keyRotated(channelId),
  log,
});
void keyRotations.start().catch((error: unknown) => {
  log({ level: "error", msg: "stream key rotations cannot be heard", error: String(error) });
  process.exit(1);
});
const chat = new ChatGateway({ chatUrl: process.env.CHAT_URL ?? serviceUrls().edgeUrl, log });
void chat.start().catch((error: unknown) => {
  log({ level: "error", msg: "the chat gateway could not start", error: String(error) });
  process.exit(1);
});

const rtmp = startRtmp(
  {
    port: config.rtmpPort,
    bind: config.rtmpBind,
    proxied: config.rtmpProxy && {
      ...config.rtmpProxy,
      onRefused: (reason) => log({ level: "warn", msg: "RTMP connection refused", reason }),
    },
  },
  ingest.onPublish,
);

const posters = posterUploadHandler({ hlsDir: config.hlsDir, events, publisher });

// A channel's owner never changes: asked of accounts once per channel.
const health = healthHandler(
  ingest,
  new GrpcDirectory(async (channelId) => (await channels.getChannel(channelId)).ownerId),
);

registerStreamMetrics({ live: ingest.live, notifications: gateway, chat });

const llHls = new LlHlsRequests({
  hlsDir: config.hlsDir,
  rendition: (eventId, name) =>
    [...ingest.live.values()].find((s) => s.eventId === eventId)?.transcoder.rendition(name),
});

/** A JSON answer nobody caches. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

const http = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    // The fingerprint lets local/ tell a stream-server running older code.
    sendJson(res, 200, { status: "ok", fingerprint: process.env.STREAM_SERVER_FINGERPRINT });
    return;
  }
  // Scraped on this port; the edge forwards only /api/streams/, the two SSE paths and the
  // LL-HLS requests that wait here.
  if (req.method === "GET" && req.url === METRICS_PATH) {
    serveMetrics(res);
    return;
  }
  measureRequest(req, res);
  setRoute(req, routeOf(req.url ?? "/"));
  inSpan(traceRequest(req, res), () => serve(req, res));
});

function serve(req: IncomingMessage, res: ServerResponse): void {
  const failed = (what: string) => (error: unknown) => {
    log({ level: "error", msg: `${what} failed`, error: String(error) });
    if (!res.headersSent) sendJson(res, 500, { title: "Internal error" });
    else res.end();
  };
  if (req.method === "GET" && req.url?.startsWith("/api/me/notifications/stream")) {
    void gateway.handle(req, res).catch(failed("notification stream"));
  } else if (req.method === "GET" && req.url?.startsWith("/api/chat/stream")) {
    void chat.handle(req, res).catch(failed("chat stream"));
  } else if (req.url && health.matches(req.url)) {
    health.handle(req, res);
  } else if (req.url && posters.matches(req.url)) {
    posters.handle(req, res);
  } else if (req.method === "GET" && req.url && llHls.matches(req.url)) {
    void llHls.handle(req, res).catch(failed("LL-HLS request"));
  } else if (req.method === "GET" && req.url === "/streams") {
    sendJson(
      res,
      200,
      [...ingest.live.values()].map((s) => ({
        streamId: s.streamId,
        channelId: s.channelId,
        eventId: s.eventId,
        startedAt: s.startedAt,
        ffmpegPid: s.transcoder.pid,
        ffmpegRestarts: s.transcoder.restarts,
      })),
    );
  } else {
    // An API path's 404 is a problem, as every other answer there (the edge passes it on).
    sendProblem(res, { status: 404, title: "Not found", detail: "nothing is served at this path" });
  }
}

/** The request metrics' route label: a pattern, never a channel or event id. */
function routeOf(url: string): string {
  const path = url.split("?")[0] ?? "/";
  if (path === "/api/me/notifications/stream" || path === "/api/chat/stream" || path === "/streams")
    return path;
  if (health.matches(path)) return "/api/streams/:channelId/health";
  if (posters.matches(path)) return "/api/streams/events/:eventId/poster";
  if (llHls.matches(path)) return "/hls/:eventId/:rendition/:file";
  return "unmatched";
}

http.listen(config.httpPort, config.httpBind, () =>
  log({
    level: "info",
    msg: "stream-server up",
    rtmp: `rtmp://${config.rtmpBind}:${config.rtmpPort}/live`,
    http: `http://${LOCAL_HOST}:${config.httpPort}`,
    hls: config.hlsDir,
    ladder: rungs.map((r) => r.name),
  }),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log({ level: "info", msg: "stopping", signal });
  // Closing the publishers' sockets ends their streams: recordings are finalized and announced.
  rtmp.stop();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await ingest.drain();
  await keyRotations.stop();
  await gateway.stop();
  await chat.stop();
  http.close();
  await publisher.disconnect();
  await flushTraces();
  channels.close();
  events.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
