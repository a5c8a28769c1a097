// Spans started before the OpenTelemetry SDK has loaded (a function host loads it after its
// first answer: tracing.ts). Each gets its ids and sampling decision at once, as the SDK would
// give them with the default sampler (parent-based, roots sampled: childContext's), and what is
// done to it is kept until the SDK adopts it, with those ids and its own start and end times.
import {
  childContext,
  type ParentSpan,
  type Span,
  type SpanAttributes,
  type SpanKind,
  type SpanRecorder,
  type TraceContext,
} from "./trace-context.ts";

export interface EarlySpan {
  name: string;
  kind: SpanKind;
  parent: ParentSpan | undefined;
  context: TraceContext;
  attributes: SpanAttributes;
  /** Epoch milliseconds (fractional), as the SDK takes them. */
  startTime: number;
  endTime?: number;
  failure?: string;
}

/** The SDK's side: the same span, started (and ended, if it has) at its own times. */
export type Adopt = (span: EarlySpan) => Span;

const now = () => performance.timeOrigin + performance.now();

export function earlySpans(): { recorder: SpanRecorder; adoptAll(adopt: Adopt): void } {
  let waiting: { early: EarlySpan; adopted?: Span }[] | undefined = [];
  return {
    recorder: {
      start(name, kind, parent, attributes) {
        const early: EarlySpan = {
          name,
          kind,
          parent,
          context: childContext(parent),
          attributes: { ...attributes },
          startTime: now(),
        };
        // One the SDK would not sample is never exported: nothing to keep.
        const entry: { early: EarlySpan; adopted?: Span } = { early };
        if (early.context.sampled) waiting?.push(entry);
        return {
          context: early.context,
          setName: (next) => {
            if (entry.adopted) entry.adopted.setName(next);
            else early.name = next;
          },
          setAttributes: (more) => {
            if (entry.adopted) entry.adopted.setAttributes(more);
            else Object.assign(early.attributes, more);
          },
          fail: (message) => {
            if (entry.adopted) entry.adopted.fail(message);
            else early.failure = message;
          },
          end: () => {
            if (entry.adopted) entry.adopted.end();
            else early.endTime ??= now();
          },
        };
      },
    },
    /** Hands every span kept to the SDK; spans still open carry on as the SDK's. */
    adoptAll(adopt) {
      const entries = waiting ?? [];
      waiting = undefined;
      for (const entry of entries) entry.adopted = adopt(entry.early);
    },
  };
}
