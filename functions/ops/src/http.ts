// The operator console's API (through the edge: /api/ops/…), for accounts with the operator
// role only: the functions' figures and charts from the metrics server, and the dead letters
// with their replay.
import {
  HttpProblem,
  invalidInput,
  isEventType,
  log,
  OPS_QUERIES,
  PANEL_ROWS,
  parseInput,
  Router,
  requireRole,
  serviceUnavailable,
  validatePlatformEvent,
} from "@stream-platform/shared";
import type { DeadLetterView } from "@stream-platform/shared/api";
import {
  chartPanel,
  functionRows,
  lagRows,
  STREAM_GAUGES,
  stepFor,
  streamRows,
} from "./console.ts";
import { type MetricsServer, MetricsUnavailable } from "./metrics-server.ts";
import { deadLetterKey, deadLettersQuery, panelsQuery, traceIdParam } from "./schemas.ts";
import { type DeadLetter, type DeadLetterStore, originalEvent } from "./store.ts";
import { type TraceStore, TracesUnavailable } from "./trace-store.ts";

const noStore = { "cache-control": "private, no-store" };

function view(letter: DeadLetter): DeadLetterView {
  return {
    key: letter._id,
    id: letter.event.id,
    type: letter.event.type,
    source: letter.event.source,
    subject: letter.event.subject ?? null,
    destination: letter.destination,
    code: letter.code,
    reason: letter.reason,
    deadLetteredAt: letter.deadLetteredAt.toISOString(),
    replayedAt: letter.replayedAt?.toISOString() ?? null,
    failures: letter.failures,
    traceparent: letter.event.extensions.traceparent ?? null,
    data: letter.event.data ?? null,
  };
}

async function figures(metrics: MetricsServer) {
  const instant = (query: string) => metrics.instant(query);
  const [seen, instances, requestsPerSecond, errorRatio, p99Seconds, lag, ...gauges] =
    await Promise.all([
      instant(OPS_QUERIES.seen),
      instant(OPS_QUERIES.instances),
      instant(OPS_QUERIES.requestsPerSecond),
      instant(OPS_QUERIES.errorRatio),
      instant(OPS_QUERIES.p99Seconds),
      instant(OPS_QUERIES.consumerLag),
      ...Object.values(STREAM_GAUGES).map(instant),
    ]);
  const [signal, inputKbps, fps, encoderSpeed, droppedFrames, restarts, viewers] = gauges as [
    typeof seen,
    typeof seen,
    typeof seen,
    typeof seen,
    typeof seen,
    typeof seen,
    typeof seen,
  ];
  return {
    functions: functionRows({ seen, instances, requestsPerSecond, errorRatio, p99Seconds }),
    lag: lagRows(lag),
    streams: streamRows({
      signal,
      inputKbps,
      fps,
      encoderSpeed,
      droppedFrames,
      restarts,
      viewers,
    }),
  };
}

export interface OpsDeps {
  store: DeadLetterStore;
  metrics: MetricsServer;
  traces: TraceStore;
  /** Republishes an event to its topic (the Kafka publisher's `publish`). */
  publish: (event: DeadLetter["event"]) => Promise<void>;
}

/** The console's page of one trace: where a request's error links to. */
const TRACE_PAGE = "/ops/traces/{traceId}";

export function routes({ store, metrics, traces, publish }: OpsDeps, now = () => new Date()) {
  const router = new Router();

  router.on("GET", "/api/ops/summary", async ({ req }) => {
    await requireRole(req, "operator");
    const deadLetters = await store.counts();
    let measured: Awaited<ReturnType<typeof figures>> | undefined;
    let problem: string | undefined;
    try {
      measured = await figures(metrics);
    } catch (error) {
      if (!(error instanceof MetricsUnavailable)) throw error;
      problem = error.message;
    }
    return {
      status: 200,
      headers: noStore,
      body: {
        functions: measured?.functions ?? [],
        lag: measured?.lag ?? [],
        streams: measured?.streams ?? [],
        deadLetters,
        traceUrl: TRACE_PAGE,
        metrics: measured ? "ok" : "unavailable",
        ...(problem && { metricsProblem: problem }),
      },
    };
  });

  router.on("GET", "/api/ops/panels", async ({ req, query }) => {
    await requireRole(req, "operator");
    const { minutes } = parseInput(panelsQuery, Object.fromEntries(query));
    const step = stepFor(minutes);
    const end = Math.floor(now().getTime() / 1000);
    const start = end - minutes * 60;
    try {
      const rows = await Promise.all(
        PANEL_ROWS.map(async (row) => ({
          title: row.title,
          panels: await Promise.all(
            row.panels.map(async (panel) =>
              chartPanel(panel, await metrics.range(panel.query, start, end, step)),
            ),
          ),
        })),
      );
      return { status: 200, headers: noStore, body: { minutes, step, rows } };
    } catch (error) {
      if (!(error instanceof MetricsUnavailable)) throw error;
      throw new HttpProblem({ status: 503, title: "Metrics unavailable", detail: error.message });
    }
  });

  router.on("GET", "/api/ops/traces/:traceId", async ({ req, params }) => {
    await requireRole(req, "operator");
    const traceId = parseInput(traceIdParam, params.traceId, "traceId");
    let spans: Awaited<ReturnType<TraceStore["trace"]>>;
    try {
      spans = await traces.trace(traceId);
    } catch (error) {
      if (!(error instanceof TracesUnavailable)) throw error;
      throw new HttpProblem({ status: 503, title: "Traces unavailable", detail: error.message });
    }
    if (!spans)
      throw new HttpProblem({
        status: 404,
        title: "No such trace",
        detail: `the trace store has no trace ${traceId}: the edge keeps one new trace in ten, and spans take a few seconds to arrive`,
      });
    return { status: 200, headers: noStore, body: { traceId, spans } };
  });

  router.on("GET", "/api/ops/dead-letters", async ({ req, query }) => {
    await requireRole(req, "operator");
    const { limit, before } = parseInput(deadLettersQuery, Object.fromEntries(query));
    const letters = await store.list(limit, before);
    const last = letters.at(-1);
    return {
      status: 200,
      headers: noStore,
      body: {
        items: letters.map(view),
        next:
          letters.length === limit && last
            ? `${last.deadLetteredAt.toISOString()}|${last._id}`
            : null,
      },
    };
  });

  // Sent again to the topic it travelled on: every sink of that topic gets it again, and each
  // sink is idempotent on the event's id, so only the one that refused it applies it.
  router.on("POST", "/api/ops/dead-letters/:key/replay", async ({ req, params }) => {
    const { userId } = await requireRole(req, "operator");
    const key = parseInput(deadLetterKey, params.key, "key");
    const letter = await store.get(key);
    if (!letter)
      throw new HttpProblem({
        status: 404,
        title: "No such dead letter",
        detail: `no dead letter has the key ${key}`,
      });
    if (!isEventType(letter.event.type))
      throw new HttpProblem({
        status: 409,
        title: "Cannot replay",
        detail: `${letter.event.type} is not in the event catalog, so no topic carries it`,
      });
    const event = originalEvent(letter.event);
    // What the catalog refuses is never published again, whoever planted it.
    const checked = validatePlatformEvent(event);
    if (!checked.ok)
      throw new HttpProblem({
        ...invalidInput(checked.problems, "Cannot replay"),
        status: 409,
      });
    // Marked before it is published: the sink may refuse it again before this answers, and
    // that second dead letter must find the record replayed to count as a new failure.
    const at = now();
    await store.markReplayed(key, at);
    try {
      await publish(event);
    } catch (error) {
      await store.unmarkReplayed(key, at);
      throw new HttpProblem(
        serviceUnavailable(`Kafka did not take the event: ${(error as Error).message}`, 5),
      );
    }
    log({ level: "info", msg: "dead letter replayed", key, eventId: event.id, by: userId });
    return { status: 202, headers: noStore, body: { key, replayedAt: at.toISOString() } };
  });

  return router;
}
