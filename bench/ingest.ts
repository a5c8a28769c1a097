// Benchmark (not a test): live ingest. Runs a stream-server of its own (its own RTMP port and
// HLS folder) and an edge of its own (the platform's NGINX configuration on another port, in
// front of that folder and stream-server) against the platform's gRPC services and web app.
// Needs the platform up.
//   npm run bench:ingest     (BENCH_INGEST_SECONDS=60: how long live is measured, after 15 s
//                             of warm-up; the clip is as long, 30 s at least)
// Figures (#25), from one live stream (lib/live-latency.ts):
//   - glass to glass: the watch page in headless Chromium, hls.js in low-latency mode, its
//     frame on screen against that frame's PROGRAM-DATE-TIME; target p95 ≤ 2.5 s;
//   - segment end → listed: blocking reloads of the 480p playlist, against the segment's
//     PROGRAM-DATE-TIME plus its duration; target p95 ≤ 0.5 s;
//   - part written → blocking reload answered, through the edge; target p95 ≤ 50 ms;
//   - the ladder's encoding speed through stream-server (a clip published at 8× realtime, until
//     recording.ready) against the same ffmpeg command run bare on the clip;
//     ratio target ≥ 0.95, and the realtime factor.
import "./lib/internal-token.ts";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { api, platformServiceAddress, uniqueSlug } from "@stream-platform/shared/testing";
import { chromium } from "playwright-core";
import { repoRoot } from "../local/src/paths.ts";
import {
  LIVE_POSTERS,
  parseLadder,
  posterOptions,
  transcodeOptions,
} from "../stream-server/src/ladder.ts";
import { benchUser, deleteBenchAccounts } from "./lib/accounts.ts";
import { startBenchEdge } from "./lib/bench-edge.ts";
import { ownChild } from "./lib/children.ts";
import { cpuMs } from "./lib/cpu.ts";
import { type LiveFigures, measureLive } from "./lib/live-latency.ts";
import { percentile, printLine, summarize } from "./lib/stats.ts";

const run = promisify(execFile);
/** Live measured for this long, after WARMUP_SECONDS of the stream and the player starting. */
const LIVE_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 60);
const WARMUP_SECONDS = 15;
/** The encoding clip: published at 8× realtime, a shorter one ends before its first segment. */
const CLIP_SECONDS = Math.max(LIVE_SECONDS, 30);
const RTMP_PORT = 19350;
const STATUS_PORT = 18091;
const EDGE_PORT = 18080;
const LADDER = "source,480p,360p";
const READ_RATE = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const work = mkdtempSync(join(tmpdir(), "bench-ingest-"));
const hlsDir = join(work, "hls");
const clip = join(work, "clip.flv");

function startServer(segmentSeconds: number): { child: ChildProcess; lines: string[] } {
  const lines: string[] = [];
  const child = ownChild(
    spawn(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "stream-server", "src", "main.ts")],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          RTMP_PORT: String(RTMP_PORT),
          STREAM_SERVER_PORT: String(STATUS_PORT),
          HLS_DIR: hlsDir,
          HLS_SEGMENT_SECONDS: String(segmentSeconds),
          HLS_LADDER: LADDER,
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    ),
  );
  // Whole lines only: a chunk may end in the middle of one.
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  return { child, lines };
}

async function waitForLine(
  lines: string[],
  match: (entry: Record<string, unknown>) => boolean,
  timeoutMs = 180_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(
        `stream-server never logged what was awaited; its last lines:\n${lines.slice(-15).join("\n")}`,
      );
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (match(entry)) return entry;
    }
    await sleep(50);
  }
}

const encodeArgs = (keyframeSeconds: number) => [
  ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency"],
  ...["-g", String(30 * keyframeSeconds), "-keyint_min", String(30 * keyframeSeconds)],
  ...["-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k"],
];
const testPattern = [
  ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"],
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
];

async function main(): Promise<void> {
  process.env.SERVICE_ACCOUNTS_GRPC_ADDRESS ??= await platformServiceAddress("accounts-grpc");
  process.env.SERVICE_EVENTS_GRPC_ADDRESS ??= await platformServiceAddress("events-grpc");
  const owner = await benchUser("bench-ingest");
  const channel = async () => {
    const created = await api<{ id: string; streamKey: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug("bench"), title: "Ingest bench" },
    });
    if (created.status !== 201) throw new Error(`creating a channel: ${created.status}`);
    return created.body;
  };

  console.log(`making a ${CLIP_SECONDS} s clip (720p30 test pattern, 2 s keyframes) …`);
  await run("ffmpeg", [
    "-v",
    "error",
    ...testPattern,
    "-t",
    String(CLIP_SECONDS),
    ...encodeArgs(2),
    "-f",
    "flv",
    clip,
  ]);

  // 1. Latency: a live publish (2 s keyframes, the platform's 2 s segments and LL-HLS parts),
  // played in Chromium through an edge of the benchmark's own while its requests are timed.
  let server = startServer(2);
  const edge = await startBenchEdge({
    dir: join(work, "edge"),
    port: EDGE_PORT,
    hlsDir,
    streamServer: `127.0.0.1:${STATUS_PORT}`,
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
  let figures: LiveFigures;
  try {
    await waitForLine(server.lines, (e) => e.msg === "stream-server up");
    const live = await channel();
    const seconds = WARMUP_SECONDS + LIVE_SECONDS;
    console.log(`latency: publishing live for ${seconds} s, played in Chromium …`);
    const publisher = ownChild(
      spawn("ffmpeg", [
        ...["-v", "error", "-re", ...testPattern, "-t", String(seconds)],
        ...encodeArgs(2),
        ...["-f", "flv", `rtmp://127.0.0.1:${RTMP_PORT}/live/${live.streamKey}`],
      ]),
    );
    const started = await waitForLine(server.lines, (e) => e.msg === "stream started");
    figures = await measureLive({
      edge: edge.url,
      hlsDir,
      eventId: String(started.event),
      browser,
      warmupMs: WARMUP_SECONDS * 1000,
      until: () => publisher.exitCode !== null,
    });
    await waitForLine(server.lines, (e) => e.msg === "recording ready");
  } finally {
    await browser.close();
    await edge.stop();
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
  }

  // 2. Encoding speed: bare ffmpeg on the clip, then the clip through stream-server.
  const rungs = parseLadder(LADDER);
  // The clip has audio and video, keyframes every 2 s: the whole ladder, source included.
  const { filter, outputs } = transcodeOptions({
    ladder: { rungs, audio: true, video: true, keyframes: "source" },
    segmentSeconds: 2,
    preset: "veryfast",
    posterSeconds: 5,
  });
  const bareDir = join(work, "bare");
  await run("mkdir", ["-p", ...rungs.map((r) => join(bareDir, r.name))]);
  console.log("encoding: the ladder with bare ffmpeg …");
  const bareStart = performance.now();
  await run(
    "ffmpeg",
    [
      "-v",
      "error",
      "-f",
      "flv",
      "-i",
      clip,
      ...(filter ? ["-filter_complex", filter] : []),
      // Each rendition's fragmented MP4 into a file: stream-server packages the same into parts.
      ...outputs.flatMap(({ rung, options }) => [...options, `${rung.name}/fragments.mp4`]),
      ...posterOptions(),
      LIVE_POSTERS.large,
      ...posterOptions(true),
      LIVE_POSTERS.small,
    ],
    { cwd: bareDir },
  );
  const bareSeconds = (performance.now() - bareStart) / 1000;

  console.log("encoding: the same clip through stream-server …");
  server = startServer(2);
  let serverSeconds = Number.NaN;
  /** stream-server's own CPU (its Node process: RTMP, the feeds, the packaging; not ffmpeg). */
  let serverCpuMs = Number.NaN;
  try {
    await waitForLine(server.lines, (e) => e.msg === "stream-server up");
    const fast = await channel();
    const start = performance.now();
    const cpuBefore = cpuMs(server.child.pid ?? 0);
    // Faster than the encoder can go (so the encoder sets the pace), yet not all at once: a
    // publisher's first packets, before its key is checked, are kept only from the last keyframe.
    await run("ffmpeg", [
      ...["-v", "error", "-readrate", String(READ_RATE), "-i", clip, "-c", "copy"],
      ...["-f", "flv", `rtmp://127.0.0.1:${RTMP_PORT}/live/${fast.streamKey}`],
    ]);
    await waitForLine(server.lines, (e) => e.msg === "recording ready");
    serverSeconds = (performance.now() - start) / 1000;
    serverCpuMs = cpuMs(server.child.pid ?? 0) - cpuBefore;
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    rmSync(work, { recursive: true, force: true });
  }

  console.log("");
  const latencyLine = (name: string, samples: number[], target?: number) => {
    const { p50 } = summarize(samples);
    printLine({
      name: `${name} p50`,
      figure: p50,
      unit: "ms",
      better: "lower",
      target: "none",
      met: "reported",
    });
    const high = percentile(
      [...samples].sort((a, b) => a - b),
      95,
    );
    printLine({
      name: `${name} p95`,
      figure: high,
      unit: "ms",
      better: "lower",
      target: target === undefined ? "none" : `p95 ≤ ${target} ms`,
      met: target === undefined ? "reported" : high <= target,
    });
  };
  latencyLine("glass-to-glass (hls.js LL)", figures.glass, 2500);
  latencyLine("segment end → listed", figures.segmentListed, 500);
  latencyLine("part written → reload answered", figures.reloadAnswered, 50);
  printLine({
    name: "ladder encoding speed (×realtime)",
    figure: CLIP_SECONDS / serverSeconds,
    baseline: CLIP_SECONDS / bareSeconds,
    unit: "×",
    better: "higher",
    target: "ratio ≥ 0.95",
    met: bareSeconds / serverSeconds >= 0.95,
  });
  printLine({
    name: "stream-server's own CPU per s of video",
    figure: serverCpuMs / CLIP_SECONDS,
    unit: "ms",
    better: "lower",
    target: "none",
    met: "reported",
  });
}

try {
  await main();
} finally {
  await deleteBenchAccounts();
}
