// What Knative's PingSource does: on its cron schedule, POST a `dev.knative.sources.ping`
// CloudEvent carrying the source's data to the sink.
import { randomUUID } from "node:crypto";
import type { CloudEventV1 } from "@stream-platform/shared";
import { CronExpressionParser } from "cron-parser";
import type { Log } from "./functions.ts";
import { post } from "./kafka-source.ts";
import type { PingSource } from "./manifests.ts";
import type { Topology } from "./topology.ts";

export class PingSourceTimer {
  private timer?: NodeJS.Timeout;
  fired = 0;

  constructor(
    private readonly source: PingSource,
    private readonly topology: Topology,
    private readonly log: Log,
  ) {}

  get name(): string {
    return this.source.metadata.name;
  }

  start(): void {
    const spec = this.source.spec;
    // Fails early on a bad schedule, as the Knative webhook would.
    const schedule = CronExpressionParser.parse(spec.schedule, { tz: spec.timezone ?? "UTC" });
    const sink = this.topology.resolve(spec.sink);
    if (sink.kind !== "http")
      throw new Error(`PingSource ${this.name}: only HTTP sinks are supported locally`);
    const arm = () => {
      const next = schedule.next().getTime();
      this.timer = setTimeout(
        () => {
          void this.fire(sink.url).finally(arm);
        },
        Math.max(0, next - Date.now()),
      );
      this.timer.unref();
    };
    arm();
  }

  async fire(url: string): Promise<void> {
    const spec = this.source.spec;
    const event: CloudEventV1 = {
      specversion: "1.0",
      id: randomUUID(),
      source: `/apis/v1/namespaces/default/pingsources/${this.name}`,
      type: "dev.knative.sources.ping",
      time: new Date().toISOString(),
      datacontenttype: spec.contentType ?? "application/json",
      extensions: {},
      ...(spec.data !== undefined && {
        data: spec.contentType?.includes("json") === false ? spec.data : safeJson(spec.data),
      }),
    };
    const outcome = await post(url, event, 30_000);
    this.fired += 1;
    if (!outcome.ok)
      this.log(`PingSource ${this.name}: sink answered ${outcome.status ?? outcome.error}`);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
