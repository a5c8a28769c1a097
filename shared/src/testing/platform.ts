// Helpers for tests that talk to the running platform through the edge, as a client would.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { internalAuthorization } from "../auth/internal.ts";
import { signViewToken } from "../auth/view-token.ts";
import type { CloudEventV1 } from "../cloudevents/format.ts";
import { toHttpBinary } from "../cloudevents/http-binding.ts";
import { localPorts, serviceUrls } from "../config.ts";

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = Record<string, unknown>>(
  path: string,
  options: {
    method?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${serviceUrls().edgeUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers: {
      ...(options.body !== undefined && { "content-type": "application/json" }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** A secret local/ generated for this clone (.data/secrets). */
export const platformSecret = (name: string) =>
  readFileSync(
    join(import.meta.dirname, "..", "..", "..", ".data", "secrets", name),
    "utf8",
  ).trim();

/** The local platform's ingress token. */
export function ingressToken(): string {
  return platformSecret("ingress-token");
}

/** The headers of a PingSource's POST here (with the platform-internal token, as sinks want). */
export const asPingSource = (): Record<string, string> => ({
  "content-type": "application/json",
  ...internalAuthorization(),
});

/**
 * A view token for these beats' viewer, session and event (and signed-in person, if given),
 * signed as the analytics API signs one (for load and tests that make many viewers: the API
 * hands tokens out at a rate).
 */
export function viewTokenFor(beat: {
  eventId: string;
  viewerId: string;
  sessionId: string;
  userId?: string;
}): string {
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  return signViewToken({ ...beat, expiresAt }, platformSecret("jwt-secret"));
}

/**
 * Posts a CloudEvent to /ce in binary mode as the platform's own producers do (with the ingress
 * token); returns the status it answered.
 */
export async function postToIngress(event: CloudEventV1): Promise<number> {
  const { headers, body } = toHttpBinary(event);
  const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${ingressToken()}` },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** A new account, signed in. */
export async function newUser(
  name = "tester",
  options: {
    /** Wait out the sign-up and sign-in limits (429, Retry-After) rather than fail. */
    patient?: boolean;
  } = {},
): Promise<TestUser> {
  const post = async <T>(path: string, body: unknown) => {
    for (;;) {
      const answer = await api<T>(path, { body });
      if (answer.status !== 429 || !options.patient) return answer;
      const seconds = Number(answer.headers.get("retry-after") ?? 1);
      await new Promise((resolve) => setTimeout(resolve, 1000 * seconds));
    }
  };
  const email = `${name}-${randomBytes(6).toString("hex")}@example.org`;
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const created = await post("/api/users", { email, password, displayName: name });
  if (created.status !== 202)
    throw new Error(`sign-up failed: ${created.status} ${JSON.stringify(created.body)}`);
  // Sign-up does not say who has an account (nor its id): signing in does.
  const session = await post<{ token: string; userId: string }>("/api/sessions", {
    email,
    password,
  });
  if (session.status !== 200) throw new Error(`sign-in failed: ${session.status}`);
  return { id: session.body.userId, email, password, token: session.body.token };
}

/**
 * A new account with the operator role, granted as a deployment's operator does
 * (`npm run operator -- grant EMAIL --unverified`); its sessions see the role at once.
 */
export async function newOperator(name = "operator"): Promise<TestUser> {
  const user = await newUser(name, { patient: true });
  const root = join(import.meta.dirname, "..", "..", "..");
  const granted = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      // A test's address is never verified (no mailbox is read here).
      [
        "--import",
        "tsx",
        "functions/accounts/src/roles-cli.ts",
        "grant",
        user.email,
        "--unverified",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => resolve({ code, output }));
  });
  if (granted.code !== 0) throw new Error(`npm run operator failed: ${granted.output}`);
  return user;
}

export const uniqueSlug = (prefix = "ch") => `${prefix}-${randomBytes(5).toString("hex")}`;

/** A new channel of `owner`'s (titled after its slug): its id, slug and stream key. */
export async function newChannel(
  owner: TestUser,
  slug = uniqueSlug(),
): Promise<{ id: string; slug: string; streamKey: string }> {
  const created = await api<{ id: string; streamKey: string }>("/api/channels", {
    token: owner.token,
    body: { slug, title: `Channel ${slug}` },
  });
  if (created.status !== 201)
    throw new Error(`channel not created: ${created.status} ${JSON.stringify(created.body)}`);
  return { ...created.body, slug };
}

/** host:port of a Knative Service the local platform runs (from its status endpoint). */
export async function platformServiceAddress(name: string): Promise<string> {
  const status = (await (await fetch(`http://127.0.0.1:${localPorts().platform}/`)).json()) as {
    services: { name: string; url: string }[];
  };
  const service = status.services.find((s) => s.name === name);
  if (!service) throw new Error(`the platform runs no service "${name}"`);
  return new URL(service.url).host;
}

export { clientAt, freshAddress, relayFrom } from "./client-at.ts";
export { type EndedEventSpec, endedEvent } from "./ended-event.ts";
export { type EventWatch, watchEvents } from "./events.ts";
export {
  linkIn,
  mailById,
  mailHeaders,
  mailSummaries,
  type ReceivedMail,
  waitForMail,
} from "./mail.ts";
export {
  type LiveStreamStatus,
  liveStream,
  type Publisher,
  publishTestPattern,
} from "./rtmp.ts";
export { openSse, type SseEvent, type SseStream } from "./sse.ts";
export { type StoredEvent, storeScheduledEvent } from "./stored-event.ts";
export { type Answer, cookieNamed, requestAt } from "./tls-request.ts";
export { watchAs } from "./viewing.ts";
export { until } from "./wait.ts";
