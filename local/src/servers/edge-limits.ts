// Request limits at the edge (NGINX limit_req), per client address, on the routes where floods
// start: signing in and up, the mails and password hashes of resets and address checks, and
// beacons. Each sits above the function's own limit for the route (kept in PostgreSQL, with an
// exact Retry-After), so ordinary clients meet that one; a flood is refused here, before any
// function spends a connection, a query or a hash on it.

export interface LimitedRoute {
  method: string;
  path: string;
}

export interface EdgeLimit {
  /** The NGINX zone; EDGE_LIMIT_<NAME> (upper case) changes the limit. */
  name: string;
  /** What is limited, as the 429's detail names it. */
  what: string;
  routes: LimitedRoute[];
  perSecond: number;
  burst: number;
}

const post = (path: string): LimitedRoute => ({ method: "POST", path });

export const EDGE_LIMITS: readonly EdgeLimit[] = [
  // The function: 20 a second, bursts of 100.
  {
    name: "sign_in",
    what: "sign-in attempts",
    routes: [post("/api/sessions")],
    perSecond: 40,
    burst: 200,
  },
  // The function: 2 a second, bursts of 60 (each hashes a password).
  { name: "sign_up", what: "sign-ups", routes: [post("/api/users")], perSecond: 5, burst: 120 },
  // The function: a reset mail a minute (bursts of 20), a mailed link a second (bursts of 20).
  {
    name: "account_mail",
    what: "password resets and address verifications",
    routes: [
      post("/api/password-resets"),
      post("/api/password-resets/complete"),
      post("/api/email-verifications"),
    ],
    perSecond: 2,
    burst: 40,
  },
  // The function: 20 a second, bursts of 50.
  {
    name: "beacons",
    what: "beacons",
    routes: [post("/api/analytics/beacons")],
    perSecond: 40,
    burst: 100,
  },
];

const PREFIX = "EDGE_LIMIT_";
const variableOf = (limit: EdgeLimit) => `${PREFIX}${limit.name.toUpperCase()}`;

/**
 * The limits with the environment's changes: `EDGE_LIMIT_SIGN_UP=10,200` (10 a second, bursts
 * of 200; a rate below 1 in whole requests a minute, e.g. 0.5) or `off`. A deployment whose
 * clients all reach the edge from one address (a proxy that hides them) needs that.
 */
export function edgeLimits(env: NodeJS.ProcessEnv = process.env): EdgeLimit[] {
  const names = EDGE_LIMITS.map(variableOf);
  for (const variable of Object.keys(env))
    if (variable.startsWith(PREFIX) && !names.includes(variable))
      throw new Error(`${variable}: no such edge limit (there are ${names.join(", ")})`);
  return EDGE_LIMITS.flatMap((limit) => {
    const value = env[variableOf(limit)]?.trim();
    if (value === undefined || value === "") return [limit];
    if (value === "off") return [];
    const match = /^(\d+(?:\.\d+)?)\s*,\s*(\d+)$/.exec(value);
    const perSecond = Number(match?.[1]);
    const burst = Number(match?.[2]);
    if (!match || !(perSecond > 0) || !Number.isInteger(perSecond < 1 ? perSecond * 60 : perSecond))
      throw new Error(
        `${variableOf(limit)}: "${value}" is not RATE,BURST (requests a second, a whole number or a whole number a minute; e.g. ${limit.perSecond},${limit.burst}) or off`,
      );
    return [{ ...limit, perSecond, burst }];
  });
}

/** NGINX's rate: whole requests a second, or a minute below one a second. */
const rateOf = (perSecond: number) =>
  Number.isInteger(perSecond) ? `${perSecond}r/s` : `${Math.round(perSecond * 60)}r/m`;

/** Seconds until the bucket holds a request again: what Retry-After says. */
export const retryAfterOf = (limit: EdgeLimit) => Math.max(1, Math.ceil(1 / limit.perSecond));

/** The 429 problem's detail for a request refused by `limit`. */
export const edgeLimitDetail = (limit: EdgeLimit) =>
  `too many ${limit.what} from this address (the edge's limit): try again in ${retryAfterOf(limit)} s`;

/** The edge's other 429 (limit_conn on the SSE streams), when no limit_req applies. */
const STREAMS_DETAIL = "too many open streams from this address: close one first";
const STREAMS_RETRY_AFTER = 10;

/**
 * The http-level NGINX lines: per limit, a key that is the client's address on its routes and
 * empty elsewhere (NGINX does not count an empty key), its zone and its limit_req; and the
 * detail and Retry-After the edge's 429 problem (@too_many) answers with, by route.
 */
export function requestLimits(limits: readonly EdgeLimit[]): string {
  const route = ({ method, path }: LimitedRoute) => `"${method} ${path}"`;
  const byRoute = (value: (limit: EdgeLimit) => string) =>
    limits.flatMap((limit) => limit.routes.map((r) => `    ${route(r)} ${value(limit)};`));
  return [
    ...limits.flatMap((limit) => [
      `  map "$request_method $uri" $edge_limit_${limit.name} {`,
      ...limit.routes.map((r) => `    ${route(r)} $binary_remote_addr;`),
      "  }",
      `  limit_req_zone $edge_limit_${limit.name} zone=${limit.name}:10m rate=${rateOf(limit.perSecond)};`,
      `  limit_req zone=${limit.name} burst=${limit.burst} nodelay;`,
    ]),
    "  limit_req_status 429;",
    // Each refusal is in the access log (429); a flood must not fill the error log too.
    "  limit_req_log_level info;",
    '  map "$request_method $uri" $edge_too_many {',
    `    default "${STREAMS_DETAIL}";`,
    ...byRoute((limit) => `"${edgeLimitDetail(limit)}"`),
    "  }",
    '  map "$request_method $uri" $edge_retry_after {',
    `    default ${STREAMS_RETRY_AFTER};`,
    ...byRoute((limit) => String(retryAfterOf(limit))),
    "  }",
  ].join("\n");
}
