// The platform's log records, through pino: one JSON object a line with `level`, `time`,
// `service`, the trace and span of the work being done (trace_id, span_id: see
// observability/trace-context.ts) and `msg`, then the record's own fields. LOG_LEVEL (debug,
// info, warn, error; default info) sets what is written; debug and info go to stdout, warnings
// and errors to stderr. Secrets are redacted on the way out, whatever a caller passes: a field
// named like a secret is replaced, and a stream key or token inside any text is masked.
import pino from "pino";
import { currentSpan } from "./observability/trace-context.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogRecord {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** LOG_LEVEL's level; an unknown value is named once on stderr and info is used. */
function levelFromEnv(): LogLevel {
  const wanted = (process.env.LOG_LEVEL ?? "").trim().toLowerCase();
  if (wanted === "") return "info";
  if ((LEVELS as readonly string[]).includes(wanted)) return wanted as LogLevel;
  process.stderr.write(
    `LOG_LEVEL=${JSON.stringify(wanted)} is not one of ${LEVELS.join(", ")}: using info\n`,
  );
  return "info";
}

let namedService: string | undefined;
let logger: pino.Logger | undefined;

/** Names a process that is no Knative Service (stream-server, the local eventing runtime). */
export function setServiceName(name: string): void {
  namedService = name;
  logger = undefined;
}

/** The name operators know the process by: OTEL_SERVICE_NAME, else Knative's K_SERVICE. */
export const serviceName = () =>
  process.env.OTEL_SERVICE_NAME ||
  namedService ||
  process.env.K_SERVICE ||
  process.env.FUNCTION_TARGET ||
  "stream-platform";

// Fields whose value is a secret, wherever a caller puts them (top level or one object down).
const SECRET_FIELDS = [
  "password",
  "newPassword",
  "token",
  "accessToken",
  "refreshToken",
  "streamKey",
  "secret",
  "authorization",
  "cookie",
  "set-cookie",
];
const REDACT_PATHS = SECRET_FIELDS.flatMap((name) =>
  /^[A-Za-z_$][\w$]*$/.test(name) ? [name, `*.${name}`] : [`["${name}"]`, `*["${name}"]`],
);

// Secrets inside text (an error message quoting a URL, say): the same shapes the log scan looks for.
const SECRET_TEXT: [RegExp, string][] = [
  [/sk_[A-Za-z0-9_-]{32}/g, "sk_[redacted]"],
  [/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, "[redacted jwt]"],
  [/([?&]token=)[^&\s"]+/g, "$1[redacted]"],
  [/(bearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi, "$1[redacted]"],
];

/** `text` with every stream key and token in it masked. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

function redactText(value: unknown): unknown {
  return typeof value === "string" ? redactSecrets(value) : value;
}

function createLogger(level: LogLevel): pino.Logger {
  return pino(
    {
      level,
      base: { service: serviceName() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      mixin() {
        const span = currentSpan();
        return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
      },
    },
    pino.multistream(
      [
        { level: "debug", stream: pino.destination({ dest: 1, sync: true }) },
        { level: "warn", stream: pino.destination({ dest: 2, sync: true }) },
      ],
      // Each record to the stream of the highest level it reaches: warnings to stderr only.
      { dedupe: true },
    ),
  );
}

/** The process's pino logger (made on first use, so LOG_LEVEL and the service name are read then). */
export function rootLogger(): pino.Logger {
  logger ??= createLogger(levelFromEnv());
  return logger;
}

/** Writes `record` as one line, if its level is at or above LOG_LEVEL's. */
export function log({ level, msg, ...fields }: LogRecord): void {
  const target = rootLogger();
  if (!target.isLevelEnabled(level)) return;
  for (const [name, value] of Object.entries(fields)) fields[name] = redactText(value);
  target[level](fields, redactSecrets(msg));
}
