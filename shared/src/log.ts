// The platform's log records: one JSON object a line, `time`, `level` and `msg` first, then the
// record's own fields; info and debug on stdout, warnings and errors on stderr. What reads them
// (local/'s log files and their scan in tests, a cluster's collector) parses this shape, so every
// process writes it through here rather than each composing its own.
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogRecord {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

/** Writes `record` as one line, with the time it was written. */
export function log({ level, msg, ...fields }: LogRecord): void {
  const line = `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`;
  (level === "warn" || level === "error" ? process.stderr : process.stdout).write(line);
}
