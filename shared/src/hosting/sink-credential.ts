// Who may post to a CloudEvent sink (issue #23, item 2), by SINK_CREDENTIAL:
//   unset, "internal-token"  the platform-internal token (local/'s dispatcher and PingSource)
//   "oidc"                   a JWT of the cluster's service-account issuer for this sink's audience:
//                            what Knative's sources send with `authentication-oidc` enabled
//   "network"                anyone who reaches it (the NetworkPolicy is the check)
// The OIDC check verifies the signature against the issuer's published keys (fetched once and
// cached by jose, fetched again for a key id it has not seen), the issuer, the audience, the
// expiry and, when SINK_OIDC_SUBJECTS lists them, the sender's service account.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from "jose";
import { carriesInternalToken, internalToken } from "../auth/internal.ts";
import { type Problem, serviceUnavailable } from "../http/problem.ts";
import { log } from "../log.ts";

const refused = (detail: string): Problem => ({
  status: 401,
  title: "Not the eventing data plane",
  detail,
});

interface OidcConfig {
  issuer: string;
  audience: string;
  /** The key set's URL; unset: the issuer's discovery document names it. */
  jwksUrl?: string;
  subjects?: Set<string>;
  /** PEM of the CA that signed the key server's certificate (in a pod: the cluster's). */
  caFile?: string;
  /** A bearer token for the key server, read at each fetch (the kubelet rotates it). */
  tokenFile?: string;
}

function oidcConfig(): OidcConfig {
  const { SINK_OIDC_ISSUER: issuer, SINK_OIDC_AUDIENCE: audience } = process.env;
  // A sink without them could check nothing: answered 500 (retried), not 401 (dead-lettered).
  if (!issuer || !audience)
    throw new Error("SINK_CREDENTIAL=oidc needs SINK_OIDC_ISSUER and SINK_OIDC_AUDIENCE");
  const subjects = (process.env.SINK_OIDC_SUBJECTS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    issuer,
    audience,
    jwksUrl: process.env.SINK_OIDC_JWKS_URL || undefined,
    subjects: subjects.length > 0 ? new Set(subjects) : undefined,
    caFile: process.env.SINK_OIDC_CA_FILE || undefined,
    tokenFile: process.env.SINK_OIDC_TOKEN_FILE || undefined,
  };
}

/** An HTTPS GET that trusts the configured CA and sends the configured token. */
function fetcher(config: OidcConfig) {
  const ca = config.caFile ? readFileSync(config.caFile) : undefined;
  return (
    url: string,
    options: { signal?: AbortSignal; headers?: Headers } = {},
  ): Promise<Response> =>
    new Promise((resolve, reject) => {
      const token = config.tokenFile ? readFileSync(config.tokenFile, "utf8").trim() : undefined;
      const req = request(
        url,
        {
          ca,
          signal: options.signal,
          headers: {
            // jose's own (its Accept names the JWK Set type, which the API server requires).
            ...Object.fromEntries(options.headers ?? [["accept", "application/json"]]),
            ...(token && { authorization: `Bearer ${token}` }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () =>
            resolve(
              new Response(Buffer.concat(chunks), {
                status: res.statusCode ?? 502,
                headers: { "content-type": res.headers["content-type"] ?? "application/json" },
              }),
            ),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** The key set of one configuration, found (by discovery when no URL is given) once. */
async function keySetOf(config: OidcConfig): Promise<KeySet> {
  const get = fetcher(config);
  let url = config.jwksUrl;
  if (!url) {
    const where = `${config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const answer = await get(where);
    if (answer.status !== 200) throw new Error(`OIDC discovery ${where} answered ${answer.status}`);
    const document = (await answer.json()) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== "string")
      throw new Error(`OIDC discovery ${where} names no jwks_uri`);
    url = document.jwks_uri;
  }
  return createRemoteJWKSet(new URL(url), { [customFetch]: get });
}

let cached: { key: string; keySet: Promise<KeySet> } | undefined;

function keySet(config: OidcConfig): Promise<KeySet> {
  const key = JSON.stringify({ ...config, subjects: undefined });
  if (cached?.key !== key) {
    const keySet = keySetOf(config);
    cached = { key, keySet };
    // A failed discovery is tried again at the next request, not remembered.
    keySet.catch(() => {
      if (cached?.keySet === keySet) cached = undefined;
    });
  }
  return cached.keySet;
}

/** What the token's fault is, or undefined when the fault is not the token's (keys unreachable). */
function tokenFault(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === "aud"
      ? "the token is not for this sink's audience"
      : `the token's "${error.claim}" claim is not acceptable (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "the token's signature does not verify with the issuer's keys";
  if (error instanceof errors.JWKSNoMatchingKey)
    return "the token was signed with a key the issuer does not publish";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSMultipleMatchingKeys
  )
    return "the bearer token is not a service-account JWT";
  return undefined;
}

// What Kubernetes signs service-account tokens with (RSA or ECDSA keys); never a shared secret.
const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

async function oidcProblem(authorization: string | undefined): Promise<Problem | undefined> {
  let config: OidcConfig;
  try {
    config = oidcConfig();
  } catch (error) {
    return { status: 500, title: "Sink misconfigured", detail: (error as Error).message };
  }
  if (!authorization?.startsWith("Bearer "))
    return refused("a sink takes CloudEvents only with an OIDC token (Authorization: Bearer)");
  let payload: { sub?: string };
  try {
    ({ payload } = await jwtVerify(authorization.slice("Bearer ".length), await keySet(config), {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: ALGORITHMS,
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    const fault = tokenFault(error);
    if (fault) return refused(fault);
    // The issuer's keys could not be had: not the caller's fault, so 503 and Knative retries.
    log({
      level: "error",
      msg: "sink cannot check OIDC tokens",
      error: String(error),
    });
    return serviceUnavailable("the sink cannot fetch the issuer's keys to check the token");
  }
  if (config.subjects && !config.subjects.has(payload.sub ?? ""))
    return refused("the token's subject is not one of this sink's senders");
  return undefined;
}

/**
 * Why a sink refuses this request (401, or 503 when it cannot check now), or undefined when the
 * caller is trusted. A process without INTERNAL_TOKEN refuses every token-checked request: no
 * token is no trust.
 */
export async function sinkCallerProblem(
  authorization: string | undefined,
): Promise<Problem | undefined> {
  const mode = process.env.SINK_CREDENTIAL;
  if (mode === "network") return undefined;
  if (mode === "oidc") return oidcProblem(authorization);
  if (internalToken() !== undefined && carriesInternalToken(authorization)) return undefined;
  return refused("a sink takes CloudEvents only with the platform-internal token");
}
