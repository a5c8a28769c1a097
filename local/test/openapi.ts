// docs/openapi.yaml as a checker of real responses: the documented status, content type and
// body schema (JSON Schema 2020-12, as OpenAPI 3.1 uses) of a route and method.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { repoRoot } from "../src/paths.ts";

interface Response {
  $ref?: string;
  content?: Record<string, { schema: unknown }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { responses: Record<string, Response> };
}

export const openapi = parse(readFileSync(join(repoRoot, "docs", "openapi.yaml"), "utf8"), {
  merge: true,
}) as Document;

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ ...openapi, $id: "openapi.json" });

/** A schema of the document, its local references made absolute. */
const absolute = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi.json#/'));

/** `/api/channels/:id` (a router's pattern) → `/api/channels/{id}` (the document's). */
export const documentedPath = (route: string) => route.replace(/:(\w+)/g, "{$1}");

/** What is wrong with this answer according to the document, or undefined. */
export function undocumented(
  method: string,
  route: string,
  answer: { status: number; headers: Headers; body: unknown },
): string | undefined {
  const path = documentedPath(route);
  const operation = openapi.paths[path]?.[method.toLowerCase()];
  if (!operation) return `${method} ${path} is not in docs/openapi.yaml`;
  let response = operation.responses[String(answer.status)];
  if (!response) return `${method} ${path}: status ${answer.status} is not documented`;
  if (response.$ref) response = openapi.components.responses[response.$ref.split("/").pop() ?? ""];
  const type = (answer.headers.get("content-type") ?? "").split(";")[0] ?? "";
  if (!response?.content)
    return answer.body === undefined
      ? undefined
      : `${method} ${path}: ${answer.status} has no documented body`;
  const media = response.content[type];
  if (!media) return `${method} ${path}: ${answer.status} in ${type} is not documented`;
  const validate = ajv.compile(absolute(media.schema) as object);
  if (validate(answer.body)) return undefined;
  return `${method} ${path} ${answer.status}: ${ajv.errorsText(validate.errors)}`;
}
