// A sink with SINK_CREDENTIAL=oidc (issue #23, item 2) against a real Kubernetes API server:
// the server issues service-account tokens (TokenRequest, as Knative's sources get theirs with
// `authentication-oidc`) and publishes its keys (service-account issuer discovery). The sink is
// the platform's own hosting (shared/src/hosting) with a CloudEvent target; it takes a token
// for its audience from the allowed sender and refuses every other with 401, applying nothing.
// `npm run test:manifests` (local/src/deploy/apiserver.ts starts etcd and the API server).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  type ApiServer,
  type KubeObject,
  startApiServer,
} from "../../local/src/deploy/apiserver.ts";
import { createEvent, toHttpBinary } from "../../shared/src/cloudevents/index.ts";
import { type HostedFunction, hostFunction } from "../../shared/src/hosting/host.ts";
import { applied } from "./fixtures/oidc-sink.ts";

// What knative/events.yaml gives events-lifecycle, and what its KafkaSource sends.
const manifests = parseAllDocuments(
  readFileSync(join(import.meta.dirname, "..", "..", "knative", "events.yaml"), "utf8"),
).map((doc) => doc.toJS() as KubeObject);
const sinkService = manifests.find(
  (o) => o.kind === "Service" && o.metadata.name === "events-lifecycle",
) as KubeObject & { spec: { template: { spec: { containers: { env: EnvVar[] }[] } } } };
type EnvVar = { name: string; value?: string };
const envOf = (name: string) =>
  sinkService.spec.template.spec.containers[0]?.env.find((v) => v.name === name)?.value ?? "";
const AUDIENCE = envOf("SINK_OIDC_AUDIENCE");
const [, NAMESPACE = "", SENDER = ""] =
  /^system:serviceaccount:([^:]+):([^:,]+)$/.exec(envOf("SINK_OIDC_SUBJECTS")) ?? [];
const SINK_ACCOUNT = "events-lifecycle";
const OTHER_ACCOUNT = "search-indexer-oidc-sources.knative.dev-kafkasource";
const INTERNAL = "internal-token-of-the-platform-0123456789";

let api: ApiServer;
let sink: HostedFunction;
let dir: string;
const savedEnv = { ...process.env };

async function createServiceAccount(name: string): Promise<void> {
  const answer = await api.call("POST", `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name },
  });
  expect(answer.status, String(answer.body.message)).toBe(201);
}

/** A token of the API server for a service account (TokenRequest); no audience: the API's own. */
async function tokenFor(account: string, audience?: string): Promise<string> {
  const answer = await api.call(
    "POST",
    `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${account}/token`,
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { ...(audience && { audiences: [audience] }), expirationSeconds: 600 },
    },
  );
  expect(answer.status, String(answer.body.message)).toBe(201);
  return (answer.body.status as { token: string }).token;
}

/** The claims and key id of `token`, signed again with `key` (changes applied to the claims). */
async function resigned(
  token: string,
  key: Parameters<SignJWT["sign"]>[0],
  changes: Record<string, unknown> = {},
): Promise<string> {
  const { kid } = decodeProtectedHeader(token);
  return new SignJWT({ ...decodeJwt(token), ...changes })
    .setProtectedHeader({ alg: "RS256", ...(kid && { kid }) })
    .sign(key);
}

let sent = 0;
/** POSTs one event to the sink: its status, problem body, and the event's id. */
async function post(authorization?: string) {
  const event = createEvent({
    type: "streamplatform.stream.started",
    source: "/test/oidc-sink",
    subject: `stream-${++sent}`,
    data: {
      streamId: `stream-${sent}`,
      channelId: "channel-1",
      startedAt: new Date().toISOString(),
    },
  });
  const { headers, body } = toHttpBinary(event);
  const response = await fetch(`http://127.0.0.1:${sink.port}/`, {
    method: "POST",
    headers: { ...headers, ...(authorization && { authorization }) },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text,
    id: event.id,
  };
}

beforeAll(async () => {
  api = await startApiServer();
  for (const account of [SENDER, SINK_ACCOUNT, OTHER_ACCOUNT]) await createServiceAccount(account);
  dir = mkdtempSync(join(tmpdir(), "oidc-sink-"));
  // The sink's own token, as a pod has it: what it fetches the issuer's keys with.
  writeFileSync(join(dir, "token"), await tokenFor(SINK_ACCOUNT));
  Object.assign(process.env, {
    SINK_CREDENTIAL: "oidc",
    SINK_OIDC_ISSUER: api.issuer,
    SINK_OIDC_AUDIENCE: AUDIENCE,
    SINK_OIDC_SUBJECTS: `system:serviceaccount:${NAMESPACE}:${SENDER}`,
    SINK_OIDC_CA_FILE: api.caFile,
    SINK_OIDC_TOKEN_FILE: join(dir, "token"),
    INTERNAL_TOKEN: INTERNAL,
  });
  sink = await hostFunction({
    source: join(import.meta.dirname, "fixtures", "oidc-sink.ts"),
    target: "oidc-sink",
    port: 0,
  });
});

afterAll(async () => {
  await sink?.shutdown(1000);
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.env = savedEnv;
});

describe("a sink with SINK_CREDENTIAL=oidc", () => {
  it("is what knative/ configures: the sink's audience is the one its KafkaSource sends", () => {
    expect(envOf("SINK_CREDENTIAL")).toBe("oidc");
    expect(AUDIENCE).toBe("serving.knative.dev/service/default/events-lifecycle");
    // Knative names a KafkaSource's OIDC identity <source>-oidc-<group>-<kind>.
    expect(SENDER).toBe("events-lifecycle-oidc-sources.knative.dev-kafkasource");
    const source = manifests.find(
      (o) => o.kind === "KafkaSource" && o.metadata.name === "events-lifecycle",
    ) as KubeObject & { spec: { sink: { audience?: string } } };
    expect(source.spec.sink.audience).toBe(AUDIENCE);
  });

  it("takes an event with the sender's token for its audience (keys by issuer discovery)", async () => {
    const answer = await post(`Bearer ${await tokenFor(SENDER, AUDIENCE)}`);
    expect(answer.status, answer.text).toBe(204);
    expect(applied).toEqual([answer.id]);
  });

  it("refuses with 401 and applies nothing: no token, another audience, expired, another key, the internal token, another sender", async () => {
    const genuine = await tokenFor(SENDER, AUDIENCE);
    const clusterKey = await importPKCS8(readFileSync(api.signingKeyFile, "utf8"), "RS256");
    const { privateKey: otherKey } = await generateKeyPair("RS256");
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string | undefined, RegExp][] = [
      ["no token", undefined, /OIDC token/],
      [
        "another audience",
        `Bearer ${await tokenFor(SENDER, "serving.knative.dev/service/default/search-indexer")}`,
        /audience/,
      ],
      [
        "expired (signed with the cluster's own key)",
        `Bearer ${await resigned(genuine, clusterKey, { iat: now - 1200, nbf: now - 1200, exp: now - 600 })}`,
        /expired/,
      ],
      ["signed with another key", `Bearer ${await resigned(genuine, otherKey)}`, /signature/],
      ["the platform-internal token", `Bearer ${INTERNAL}`, /not a service-account JWT/],
      [
        "another sender's token for this audience",
        `Bearer ${await tokenFor(OTHER_ACCOUNT, AUDIENCE)}`,
        /subject/,
      ],
    ];
    const before = [...applied];
    for (const [what, authorization, why] of cases) {
      const answer = await post(authorization);
      expect(answer.status, `${what}: ${answer.text}`).toBe(401);
      expect(answer.type, what).toBe("application/problem+json");
      const problem = JSON.parse(answer.text) as { status: number; detail: string };
      expect(problem.status, what).toBe(401);
      expect(problem.detail, what).toMatch(why);
      // The problem names what is wrong, never the token.
      if (authorization) expect(answer.text, what).not.toContain(authorization.slice(7, 40));
    }
    expect(applied).toEqual(before);
    // The re-signed genuine claims are accepted as such: the refusals above were for the fault named.
    const again = await post(`Bearer ${await resigned(genuine, clusterKey)}`);
    expect(again.status, again.text).toBe(204);
  });

  it("takes the key set's URL directly, as knative/ configures it (the API server's /openid/v1/jwks)", async () => {
    process.env.SINK_OIDC_JWKS_URL = `${api.issuer}/openid/v1/jwks`;
    try {
      const answer = await post(`Bearer ${await tokenFor(SENDER, AUDIENCE)}`);
      expect(answer.status, answer.text).toBe(204);
      expect(applied.at(-1)).toBe(answer.id);
    } finally {
      delete process.env.SINK_OIDC_JWKS_URL;
    }
  });

  it("answers 500 naming what is missing when it has no audience to check (retried, not dead-lettered)", async () => {
    delete process.env.SINK_OIDC_AUDIENCE;
    const before = [...applied];
    try {
      const answer = await post(`Bearer ${await tokenFor(SENDER, AUDIENCE)}`);
      expect(answer.status, answer.text).toBe(500);
      expect(JSON.parse(answer.text).detail).toMatch(/SINK_OIDC_AUDIENCE/);
      expect(applied).toEqual(before);
    } finally {
      process.env.SINK_OIDC_AUDIENCE = AUDIENCE;
    }
  });

  it("answers 503 (retried, applied nothing) when it cannot fetch the issuer's keys", async () => {
    // Without its own token the API server does not show it the keys (issuer discovery is for
    // service accounts): the sink cannot check, and says so rather than let the event in.
    process.env.SINK_OIDC_TOKEN_FILE = "";
    const before = [...applied];
    try {
      const answer = await post(`Bearer ${await tokenFor(SENDER, AUDIENCE)}`);
      expect(answer.status, answer.text).toBe(503);
      expect(JSON.parse(answer.text).detail).toMatch(/issuer's keys/);
      expect(applied).toEqual(before);
    } finally {
      process.env.SINK_OIDC_TOKEN_FILE = join(dir, "token");
    }
  });
});
