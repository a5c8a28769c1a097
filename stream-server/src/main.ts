// stream-server: the stateful tier. RTMP on RTMP_PORT (rtmp://HOST:1935/live/STREAM_KEY), HLS
// into HLS_DIR/EVENT_ID/ (served by NGINX at /hls/), lifecycle CloudEvents to Kafka, and a small
// HTTP server: GET /healthz, GET /streams (live streams, never their keys), and for a channel's
// owner GET /api/streams/:channelId/health (health.ts) and an event's owner PUT
// /api/streams/events/:eventId/poster (poster-upload.ts).
import "./env-file.ts";
import { createServer } from "node:http";
import { GrpcDirectory, LOCAL_HOST, log, sendProblem, serviceUrls } from "@stream-platform/shared";
import { ChannelsClient, EventsClient } from "@stream-platform/shared/grpc";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { ChatGateway } from "./chat.ts";
import { loadConfig } from "./config.ts";
import { healthHandler } from "./health.ts";
import { Ingest } from "./ingest.ts";
import { parseLadder } from "./ladder.ts";
import { startRtmp } from "./nms.ts";
import { NotificationGateway } from "./notifications.ts";
import { posterUploadHandler } from "./poster-upload.ts";
import { s3Client, uploadRecording } from "./recordings.ts";

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

const http = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  if (req.method === "GET" && req.url === "/healthz") {
    // The fingerprint lets local/ tell a stream-server running older code.
    return send(200, { status: "ok", fingerprint: process.env.STREAM_SERVER_FINGERPRINT });
  }
  if (req.method === "GET" && req.url?.startsWith("/api/me/notifications/stream")) {
    void gateway.handle(req, res).catch((error: unknown) => {
      log({ level: "error", msg: "notification stream failed", error: String(error) });
      if (!res.headersSent) send(500, { title: "Internal error" });
      else res.end();
    });
    return;
  }
  if (req.method === "GET" && req.url?.startsWith("/api/chat/stream")) {
    void chat.handle(req, res).catch((error: unknown) => {
      log({ level: "error", msg: "chat stream failed", error: String(error) });
      if (!res.headersSent) send(500, { title: "Internal error" });
      else res.end();
    });
    return;
  }
  if (req.url && health.matches(req.url)) return health.handle(req, res);
  if (req.url && posters.matches(req.url)) return posters.handle(req, res);
  if (req.method === "GET" && req.url === "/streams") {
    return send(
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
  }
  // An API path's 404 is a problem, as every other answer there (the edge passes it on).
  sendProblem(res, { status: 404, title: "Not found", detail: "nothing is served at this path" });
});
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
  await gateway.stop();
  await chat.stop();
  http.close();
  await publisher.disconnect();
  channels.close();
  events.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
