// An instance of the SSE gateways alone (no RTMP, no encoders): for holding more browser
// connections than one stream-server does, and for benchmarks that run gateways of their own.
//   STREAM_SERVER_PORT (8091), STREAM_SERVER_BIND, CHAT_URL, NOTIFICATIONS_URL, KAFKA_TOPIC_PREFIX
import "./env-file.ts";
import { createServer } from "node:http";
import { log, serviceUrls, setServiceName } from "@stream-platform/shared";
import { ChatGateway } from "./chat.ts";
import { loadConfig } from "./config.ts";
import { NotificationGateway } from "./notifications.ts";

setServiceName("sse-gateway");
const config = loadConfig();
const chat = new ChatGateway({ chatUrl: process.env.CHAT_URL ?? serviceUrls().edgeUrl, log });
const notifications = new NotificationGateway({
  inboxUrl: process.env.NOTIFICATIONS_URL ?? serviceUrls().edgeUrl,
  log,
});

const http = createServer((req, res) => {
  const stream = req.url?.startsWith("/api/chat/stream")
    ? chat
    : req.url?.startsWith("/api/me/notifications/stream")
      ? notifications
      : undefined;
  if (req.method === "GET" && stream) {
    void stream.handle(req, res).catch((error: unknown) => {
      log({ level: "error", msg: "stream failed", error: String(error) });
      res.destroy();
    });
    return;
  }
  const ok = req.method === "GET" && req.url === "/healthz";
  res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
  res.end(
    JSON.stringify(ok ? { status: "ok", connections: chat.connected } : { title: "Not found" }),
  );
});

await Promise.all([chat.start(), notifications.start()]);
http.listen(config.httpPort, config.httpBind, () =>
  log({ level: "info", msg: "SSE gateway up", port: config.httpPort }),
);

async function shutdown(): Promise<void> {
  await Promise.all([chat.stop(), notifications.stop()]);
  http.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
