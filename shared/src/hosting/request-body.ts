// A request's body as functions-framework's parsers leave it for a function (`req.body`, and the
// bytes as `req.rawBody`), read by the host itself: the framework's Express stack and the
// `domain` it runs each request in cost more CPU than a small function's own work (a third of
// a chat post), and `domain` once used taxes every promise of the process for good.
//   application/json, application/cloudevents+json  parsed (an object or an array; empty: {})
//   text/plain                                      a string
//   application/x-www-form-urlencoded               an object of its fields
//   any other type                                  the bytes (a Buffer)
//   no Content-Type                                 left unset (`rawBody` still has the bytes)
// Where it differs from the framework's parsers (nothing here relies on those): a compressed
// body (Content-Encoding) is refused with 415 instead of inflated; the charset is taken as
// UTF-8; a form's fields are flat (the last of a repeated name wins), not nested.
import type { IncomingMessage } from "node:http";
import { HttpProblem, type Problem } from "../http/problem.ts";

export type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: Buffer };

const JSON_TYPES = new Set(["application/json", "application/cloudevents+json"]);

/** Whether the request says it has a body (as the `type-is` package the parsers use reads it). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers["transfer-encoding"] !== undefined || req.headers["content-length"] !== undefined
  );
}

/** The media type of a Content-Type, lower case, without its parameters. */
function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type || undefined;
}

/** A JSON body that does not parse (here, or in the framework's parser). */
export const malformedJson = (reason: string): Problem => ({
  status: 400,
  title: "Malformed body",
  detail: `the body is not valid JSON: ${reason}`,
  errors: [{ field: "body", detail: "malformed JSON" }],
});

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  // A byte-order mark is not JSON, but the framework's decoder drops it.
  const decoded = raw.toString("utf8");
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  const first = text.trimStart()[0] ?? "nothing";
  let parsed: unknown;
  try {
    // Objects and arrays only, as the framework's parser (strict) takes.
    if (first !== "{" && first !== "[") throw new Error(`a body starts with { or [, not ${first}`);
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(malformedJson((error as Error).message));
  }
  return parsed;
}

/** Reads the body and sets `req.rawBody` and `req.body`; a malformed one is a 400 problem. */
export async function readBody(req: RequestWithBody): Promise<void> {
  if (!hasBody(req)) return;
  const encoding = req.headers["content-encoding"]?.toLowerCase();
  if (encoding && encoding !== "identity")
    throw new HttpProblem({
      status: 415,
      title: "Unsupported media type",
      detail: `a body encoded as ${encoding} is not accepted: send it as it is`,
      errors: [{ field: "content-encoding", detail: "must be identity" }],
    });
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  req.rawBody = raw;
  const type = mediaType(req.headers["content-type"]);
  if (type === undefined) return;
  if (JSON_TYPES.has(type)) req.body = parseJson(raw);
  else if (type === "text/plain") req.body = raw.toString("utf8");
  else if (type === "application/x-www-form-urlencoded")
    req.body = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  else req.body = raw;
}
