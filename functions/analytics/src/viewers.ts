// A load generator: N simulated viewers of a live or recorded event, each with a view token and
// beating every 10 s through the beacon endpoint (spread over the interval, 50 to a request),
// until interrupted. Prints progress.
//   npm run viewers -w functions/analytics -- --event EVENT_ID [--viewers 100] [--seconds 0]
import { parseArgs } from "node:util";
import { serviceUrls } from "@stream-platform/shared";
import { HEARTBEAT_INTERVAL_SECONDS } from "./schemas.ts";

const { values } = parseArgs({
  options: {
    event: { type: "string" },
    viewers: { type: "string", default: "100" },
    seconds: { type: "string", default: "0" },
    edge: { type: "string", default: serviceUrls().edgeUrl },
  },
});
const eventId = values.event;
const count = Number(values.viewers);
const seconds = Number(values.seconds);
if (!eventId || !Number.isInteger(count) || count < 1 || !(seconds >= 0)) {
  console.error("usage: viewers --event EVENT_ID [--viewers N] [--seconds S (0: until Ctrl-C)]");
  process.exit(2);
}

/** A view token per viewer, as players ask for them (held to the API's rate per address). */
async function join(): Promise<{ token: string; seq: number }[]> {
  const joined: { token: string; seq: number }[] = [];
  while (joined.length < count) {
    const response = await fetch(`${values.edge}/api/analytics/views`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ eventId }),
    });
    if (response.status === 429) {
      const wait = Number(response.headers.get("retry-after") ?? 1);
      console.log(`${joined.length}/${count} viewers joined; the API asks to wait ${wait} s`);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    if (!response.ok) {
      console.error(`no view token: ${response.status} ${await response.text()}`);
      process.exit(1);
    }
    joined.push({ token: ((await response.json()) as { token: string }).token, seq: 0 });
  }
  return joined;
}

const viewers = await join();
const TICK_MS = 1000;
const ticksPerBeat = HEARTBEAT_INTERVAL_SECONDS;
let sent = 0;
let failed = 0;
let tick = 0;
const started = Date.now();

async function beat(group: typeof viewers): Promise<void> {
  for (let i = 0; i < group.length; i += 50) {
    const body = group.slice(i, i + 50).map((v) => ({
      viewToken: v.token,
      seq: v.seq++,
      position: v.seq * HEARTBEAT_INTERVAL_SECONDS,
      playedSeconds: v.seq === 1 ? 0 : HEARTBEAT_INTERVAL_SECONDS,
      bufferingSeconds: 0,
      rendition: "720p",
    }));
    const response = await fetch(`${values.edge}/api/analytics/beacons`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).catch((error: Error) => ({ ok: false, status: error.message, text: async () => "" }));
    if (response.ok) sent += body.length;
    else {
      failed += body.length;
      if (failed === body.length)
        console.error(`beacon refused: ${response.status} ${await response.text()}`);
    }
  }
}

const timer = setInterval(() => {
  // Each second, the tenth of the viewers whose turn it is.
  const slot = tick % ticksPerBeat;
  void beat(viewers.filter((_, n) => n % ticksPerBeat === slot));
  tick += 1;
  if (tick % ticksPerBeat === 0)
    console.log(
      `${Math.round((Date.now() - started) / 1000)} s: ${count} viewers, ${sent} beats sent, ${failed} failed`,
    );
  if (seconds > 0 && Date.now() - started >= seconds * 1000) {
    clearInterval(timer);
    console.log(`done: ${sent} beats sent, ${failed} failed`);
  }
}, TICK_MS);
process.on("SIGINT", () => {
  console.log(`stopped: ${sent} beats sent, ${failed} failed`);
  process.exit(0);
});
