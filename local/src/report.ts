// Progress output for long work: every line names the server it is about.
const started = Date.now();

function stamp(): string {
  return `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
}

export function progress(server: string, message: string): void {
  console.log(`${stamp()} [${server}] ${message}`);
}

/** Prints "still …" every `everyMs` while `work` runs, so a slow download never looks hung. */
export async function withHeartbeat<T>(
  server: string,
  what: string,
  work: Promise<T>,
  everyMs = 15_000,
): Promise<T> {
  const since = Date.now();
  const timer = setInterval(() => {
    progress(server, `still ${what} (${Math.round((Date.now() - since) / 1000)}s)`);
  }, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Rows as text columns, each as wide as its longest cell (at least `minWidth`), two spaces
 * apart; a name of any length never runs into the column after it.
 */
export function columns(rows: readonly (readonly string[])[], minWidth = 0): string {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(minWidth, ...rows.map((row) => (row[i] ?? "").length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export interface WelcomeFacts {
  edgeUrl: string;
  rtmpPort: number;
  services: readonly { name: string; url: string; state: string }[];
}

/** What `npm start` ends with: where everything listens, one aligned row per address. */
export function welcomeText({ edgeUrl, rtmpPort, services }: WelcomeFacts): string {
  const rows = [
    ["edge (NGINX)", `${edgeUrl}/   health: ${edgeUrl}/healthz`],
    ["CloudEvents in", `POST ${edgeUrl}/ce   (binary, structured or batch mode)`],
    [
      "RTMP ingest (OBS)",
      `rtmp://127.0.0.1:${rtmpPort}/live   stream key: GET /api/channels/ID/stream-key`,
    ],
    ["HLS", `${edgeUrl}/hls/EVENT_ID/master.m3u8   player: ${edgeUrl}/watch/EVENT_ID`],
    ["search", `${edgeUrl}/api/search?q=WORDS`],
    ...services.map((s) => [`function ${s.name}`, `${s.url} (${s.state})`]),
  ];
  const body = columns(rows)
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
  return `Stream Platform is up. (functions/*/README.md and stream-server/README.md have curl examples.)\n\n${body}`;
}
