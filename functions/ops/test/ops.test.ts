// The ops function against the running platform, through the edge: the operator role, the
// functions' figures from VictoriaMetrics, a real dead letter (a sink's refusal, through Kafka and
// the dead-letter KafkaSource) and its replay, and a trace read back from Jaeger.
import { randomBytes, randomUUID } from "node:crypto";
import {
  createEvent,
  internalAuthorization,
  PANEL_ROWS,
  toHttpBinary,
} from "@stream-platform/shared";
import {
  api,
  newOperator,
  newUser,
  platformServiceAddress,
  postToIngress,
  type TestUser,
  until,
} from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";

interface DeadLetterView {
  key: string;
  id: string;
  type: string;
  code: string | null;
  reason: string;
  destination: string;
  replayedAt: string | null;
  failures: number;
}

let operator: TestUser;
let someone: TestUser;

beforeAll(async () => {
  [operator, someone] = await Promise.all([newOperator("ops"), newUser("not-ops")]);
});

/** The dead letters of one event (newest first), as the console lists them. */
async function lettersOf(eventId: string): Promise<DeadLetterView[]> {
  const found: DeadLetterView[] = [];
  let before: string | null = null;
  do {
    const page: { status: number; body: { items: DeadLetterView[]; next: string | null } } =
      await api(`/api/ops/dead-letters?limit=100${before ? `&before=${before}` : ""}`, {
        token: operator.token,
      });
    expect(page.status).toBe(200);
    found.push(...page.body.items.filter((item) => item.id === eventId));
    before = page.body.next && encodeURIComponent(page.body.next);
  } while (before);
  return found;
}

describe("ops", () => {
  it("is for operators only: 401 signed out, 403 with the role named otherwise", async () => {
    expect((await api("/api/ops/summary")).status).toBe(401);
    for (const path of ["/api/ops/summary", "/api/ops/dead-letters", "/api/ops/panels"]) {
      const refused = await api<{ title: string; detail: string }>(path, { token: someone.token });
      expect(refused.status).toBe(403);
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(refused.body.detail).toMatch(/operator role/);
    }
    const replay = await api("/api/ops/dead-letters/abc/replay", {
      token: someone.token,
      body: {},
    });
    expect(replay.status).toBe(403);
    const me = await api<{ roles: string[] }>("/api/me", { token: operator.token });
    expect(me.body.roles).toEqual(["operator"]);
    expect(
      (await api<{ roles: string[] }>("/api/me", { token: someone.token })).body.roles,
    ).toEqual([]);
  });

  it("names the field of bad input", async () => {
    const bad = await api<{ errors: { field: string }[] }>("/api/ops/dead-letters?limit=0", {
      token: operator.token,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(["limit"]);
    const badTrace = await api<{ errors: { field: string }[] }>("/api/ops/traces/xyz", {
      token: operator.token,
    });
    expect(badTrace.status).toBe(400);
    expect(badTrace.body.errors.map((e) => e.field)).toEqual(["traceId"]);
    const unknown = await api("/api/ops/dead-letters/no-such-key/replay", {
      token: operator.token,
      body: {},
    });
    expect(unknown.status).toBe(404);
  });

  it("keeps a sink's refusal with its reason, and replays it to the same sink", async () => {
    // A stream on a channel nobody has: events-lifecycle refuses it (422), which is final.
    const event = createEvent({
      type: "streamplatform.stream.started",
      source: "/tests/ops",
      subject: randomUUID(),
      data: {
        streamId: `str_${randomBytes(4).toString("hex")}`,
        channelId: randomUUID(),
        startedAt: new Date().toISOString(),
      },
    });
    expect(await postToIngress(event)).toBe(202);
    const refused = await until(
      "the refusal among the dead letters",
      async () => (await lettersOf(event.id)).find((l) => l.code === "422"),
      60_000,
      500,
    );
    expect(refused).toMatchObject({
      type: "streamplatform.stream.started",
      replayedAt: null,
      failures: 1,
    });
    expect(refused.reason).toMatch(/no channel/);
    expect(refused.destination).not.toBe("");

    const replayed = await api<{ key: string; replayedAt: string }>(
      `/api/ops/dead-letters/${refused.key}/replay`,
      { token: operator.token, body: {} },
    );
    expect(replayed.status).toBe(202);
    expect(replayed.body.key).toBe(refused.key);
    // The sink refuses it again (the channel still does not exist): the same record, failed twice.
    const again = await until(
      "the replayed event refused again",
      async () =>
        (await lettersOf(event.id)).find((l) => l.key === refused.key && l.failures === 2),
      60_000,
      500,
    );
    expect(again.replayedAt).toBeNull();
  });

  it("never replays what the catalog refuses, whoever recorded it", async () => {
    // As the dead-letter KafkaSource delivers: a dead letter whose event the catalog refuses
    // (no subject), with data a document could not hold as it is ($ and dotted keys).
    const planted = {
      specversion: "1.0" as const,
      id: randomUUID(),
      source: "/tests/ops",
      type: "streamplatform.stream.started",
      datacontenttype: "application/json",
      data: { $where: "x", "a.b": 1 },
      extensions: {
        knativeerrordest: "http://sink.test/",
        knativeerrorcode: "400",
        knativeerrordata: Buffer.from("Invalid CloudEvent").toString("base64"),
      },
    };
    const { headers, body } = toHttpBinary(planted);
    const kept = await fetch(`http://${await platformServiceAddress("ops-record")}/`, {
      method: "POST",
      headers: { ...headers, ...internalAuthorization() },
      body,
    });
    expect(kept.status).toBe(204);
    const [letter] = await lettersOf(planted.id);
    expect(letter).toMatchObject({ code: "400", reason: "Invalid CloudEvent", failures: 1 });
    const replay = await api<{ errors: { field: string }[] }>(
      `/api/ops/dead-letters/${letter?.key}/replay`,
      { token: operator.token, body: {} },
    );
    expect(replay.status).toBe(409);
    expect(replay.body.errors.map((e) => e.field)).toContain("subject");
    expect((await lettersOf(planted.id))[0]?.replayedAt).toBeNull();
  });

  it("shows each function's figures and the charts from the metrics server", async () => {
    // The console's own requests are the ops function's traffic (public lists may be answered
    // from the edge's cache, which no function sees).
    const summary = await until(
      "the ops function's request rate in the summary",
      async () => {
        const answer = await api<{
          metrics: string;
          functions: { service: string; requestsPerSecond: number; instances: number }[];
          traceUrl: string;
        }>("/api/ops/summary", { token: operator.token });
        expect(answer.status).toBe(200);
        const ops = answer.body.functions.find((f) => f.service === "ops");
        // Both: a restarted instance's rate still counts its predecessor's samples a while.
        return ops && ops.requestsPerSecond > 0 && ops.instances > 0 ? answer.body : undefined;
      },
      60_000,
      1000,
    );
    expect(summary.metrics).toBe("ok");
    // Every Service that ran, the gRPC servers too (scraped on their METRICS_PORT).
    expect(summary.functions.map((f) => f.service)).toEqual(
      expect.arrayContaining(["accounts", "accounts-grpc", "ops-record"]),
    );
    expect(summary.traceUrl).toContain("{traceId}");

    const panels = await api<{
      rows: { title: string; panels: { title: string; series: { name: string }[] }[] }[];
    }>("/api/ops/panels?minutes=15", { token: operator.token });
    expect(panels.status).toBe(200);
    expect(panels.body.rows.map((r) => r.title)).toEqual(PANEL_ROWS.map((r) => r.title));
    const rate = panels.body.rows[0]?.panels.find((p) => p.title === "Requests per second");
    expect(rate?.series.map((s) => s.name)).toContain("ops");
  });

  it("reads a request's trace back from the trace store", async () => {
    const traceId = randomBytes(16).toString("hex");
    const traced = await api("/api/events?limit=1", {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    });
    expect(traced.status).toBe(200);
    const trace = await until(
      "the trace in the trace store",
      async () => {
        const answer = await api<{ spans: { service: string; name: string; startMs: number }[] }>(
          `/api/ops/traces/${traceId}`,
          { token: operator.token },
        );
        return answer.status === 200 ? answer.body : undefined;
      },
      30_000,
      500,
    );
    expect(trace.spans.map((s) => s.service)).toContain("events");
    expect(trace.spans[0]?.startMs).toBe(0);
    const missing = await api(`/api/ops/traces/${randomBytes(16).toString("hex")}`, {
      token: operator.token,
    });
    expect(missing.status).toBe(404);
  });
});
