// stream-server's Prometheus metrics (GET /metrics on its HTTP port): each live stream's health
// as its encoder reports it (health.ts), and the SSE connections the gateways hold. Read from
// what is live at each scrape, so an ended stream's series are gone with it.
import { metrics } from "@stream-platform/shared";
import type { EncoderHealth } from "./health.ts";

export interface MetricSources {
  live: ReadonlyMap<
    string,
    {
      channelId: string;
      eventId: string;
      startedAt?: string;
      transcoder: { health: EncoderHealth; restarts: number };
    }
  >;
  notifications: { connected: number };
  chat: { connected: number };
}

const STREAM = ["channel", "event"] as const;

export function registerStreamMetrics(sources: MetricSources): void {
  const live = metrics.gauge("live_streams", "Streams being published now (started or starting).");
  const signal = metrics.gauge(
    "live_stream_signal",
    "1 while the encoder reports progress, 0 when it has been silent for 5 s.",
    STREAM,
  );
  const inputKbps = metrics.gauge(
    "live_stream_input_kbps",
    "What the publisher sends, kbit/s over the last 5 s.",
    STREAM,
  );
  const fps = metrics.gauge(
    "live_stream_encoder_fps",
    "Frames per second the encoder makes.",
    STREAM,
  );
  const speed = metrics.gauge(
    "live_stream_encoder_speed",
    "The encoder's speed as a multiple of real time (below 1: it falls behind).",
    STREAM,
  );
  const dropped = metrics.gauge(
    "live_stream_dropped_frames",
    "Frames the encoder dropped since the stream started.",
    STREAM,
  );
  const restarts = metrics.gauge(
    "live_stream_encoder_restarts",
    "Times the stream's encoder was restarted since the stream started.",
    STREAM,
  );
  const sse = metrics.gauge("sse_connections", "Server-sent event streams open, by gateway.", [
    "gateway",
  ]);
  const perStream = [signal, inputKbps, fps, speed, dropped, restarts];
  metrics.onCollect(() => {
    live.set({}, sources.live.size);
    for (const gauge of perStream) gauge.reset();
    for (const stream of sources.live.values()) {
      const labels = { channel: stream.channelId, event: stream.eventId };
      const health = stream.transcoder.health.snapshot();
      signal.set(labels, health.signal ? 1 : 0);
      if (health.inputKbps !== undefined) inputKbps.set(labels, health.inputKbps);
      if (health.fps !== undefined) fps.set(labels, health.fps);
      if (health.speed !== undefined) speed.set(labels, health.speed);
      if (health.droppedFrames !== undefined) dropped.set(labels, health.droppedFrames);
      restarts.set(labels, stream.transcoder.restarts);
    }
    sse.set({ gateway: "notifications" }, sources.notifications.connected);
    sse.set({ gateway: "chat" }, sources.chat.connected);
  });
}
