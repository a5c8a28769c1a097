// Benchmark (not a test): live ingest. Runs a stream-server of its own (1 s segments, its own
// RTMP port and HLS folder) against the platform's gRPC services. Needs the platform up.
//   npm run bench:ingest     (BENCH_INGEST_SECONDS=30: length of the live run, and of the clip if longer than 30 s)
// Figures:
//   - ingest-to-playlist latency: for each segment, when the playlist first lists it (read from
//     the file NGINX serves, every 50 ms) against the wall clock at which the publisher sent
//     the segment's first frame (and against its EXT-X-PROGRAM-DATE-TIME); target p95 ≤ 3 s
//     with 1 s segments;
//   - the ladder's encoding speed through stream-server (a clip published at 8× realtime, until
//     recording.ready) against the same ffmpeg command run bare on the clip;
//     ratio target ≥ 0.95, and the realtime factor.
import "./lib/internal-token.ts";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { api, platformServiceAddress, uniqueSlug } from "@stream-platform/shared/testing";
import { repoRoot } from "../local/src/paths.ts";
import {
  LIVE_POSTERS,
  parseLadder,
  posterOptions,
  transcodeOptions,
} from "../stream-server/src/ladder.ts";
import { benchUser, deleteBenchAccounts } from "./lib/accounts.ts";
import { ownChild } from "./lib/children.ts";
import { printLine, summarize } from "./lib/stats.ts";

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 30);
/** The encoding clip: published at 8× realtime, a shorter one ends before its first segment. */
const CLIP_SECONDS = Math.max(SECONDS, 30);
const RTMP_PORT = 19350;
const STATUS_PORT = 18091;
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

  // 1. Latency: a live publish with 1 s keyframes into 1 s segments.
  let server = startServer(1);
  // Per segment: when it was first listed, against (a) the wall clock at which the publisher
  // sent its first frame (`-re` sends frame t at start + t), and (b) its PROGRAM-DATE-TIME.
  const latencies: number[] = [];
  const sincePdt: number[] = [];
  try {
    await waitForLine(server.lines, (e) => e.msg === "stream-server up");
    const live = await channel();
    console.log(`latency: publishing live for ${SECONDS} s …`);
    const sentAt = Date.now();
    const publisher = ownChild(
      spawn("ffmpeg", [
        ...["-v", "error", "-re", ...testPattern, "-t", String(SECONDS)],
        ...encodeArgs(1),
        ...["-f", "flv", `rtmp://127.0.0.1:${RTMP_PORT}/live/${live.streamKey}`],
      ]),
    );
    const accepted = await waitForLine(server.lines, (e) => e.msg === "publish accepted");
    const playlist = join(hlsDir, String(accepted.event), "360p", "index.m3u8");
    const seen = new Set<string>();
    let done = false;
    publisher.once("exit", () => {
      done = true;
    });
    while (!done) {
      if (existsSync(playlist)) {
        const now = Date.now();
        let pdt: number | undefined;
        let start = 0; // media time of the segment's first frame
        let duration = 0;
        for (const line of readFileSync(playlist, "utf8").split("\n")) {
          if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:"))
            pdt = Date.parse(line.slice(25).replace(/(\d\d)(\d\d)$/, "$1:$2"));
          else if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice(8));
          else if (/^seg_\d+\.m4s$/.test(line)) {
            if (!seen.has(line) && pdt !== undefined) {
              seen.add(line);
              latencies.push(now - (sentAt + start * 1000));
              sincePdt.push(now - pdt);
            }
            start += duration;
          }
        }
      }
      await sleep(50);
    }
    await waitForLine(server.lines, (e) => e.msg === "recording ready");
  } finally {
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
  try {
    await waitForLine(server.lines, (e) => e.msg === "stream-server up");
    const fast = await channel();
    const start = performance.now();
    // Faster than the encoder can go (so the encoder sets the pace), yet not all at once: a
    // publisher's first packets, before its key is checked, are kept only from the last keyframe.
    await run("ffmpeg", [
      ...["-v", "error", "-readrate", String(READ_RATE), "-i", clip, "-c", "copy"],
      ...["-f", "flv", `rtmp://127.0.0.1:${RTMP_PORT}/live/${fast.streamKey}`],
    ]);
    await waitForLine(server.lines, (e) => e.msg === "recording ready");
    serverSeconds = (performance.now() - start) / 1000;
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    rmSync(work, { recursive: true, force: true });
  }

  const p95 = (samples: number[]) =>
    [...samples].sort((a, b) => a - b)[Math.max(0, Math.ceil(samples.length * 0.95) - 1)] ??
    Number.NaN;
  console.log("");
  printLine({
    name: "frame→playlist p50 (1 s segments)",
    figure: summarize(latencies).p50,
    unit: "ms",
    better: "lower",
    target: "none",
    met: "reported",
  });
  printLine({
    name: "frame→playlist p95 (1 s segments)",
    figure: p95(latencies),
    unit: "ms",
    better: "lower",
    target: "p95 ≤ 3000 ms",
    met: p95(latencies) <= 3000,
  });
  printLine({
    name: "PROGRAM-DATE-TIME→playlist p95",
    figure: p95(sincePdt),
    unit: "ms",
    better: "lower",
    target: "none",
    met: "reported",
  });
  printLine({
    name: "ladder encoding speed (×realtime)",
    figure: CLIP_SECONDS / serverSeconds,
    baseline: CLIP_SECONDS / bareSeconds,
    unit: "×",
    better: "higher",
    target: "ratio ≥ 0.95",
    met: bareSeconds / serverSeconds >= 0.95,
  });
}

try {
  await main();
} finally {
  await deleteBenchAccounts();
}
