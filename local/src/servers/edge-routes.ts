// The edge's route index: which Service answers which path. Each Service in knative/ declares
// the paths it serves (the streamplatform.dev/edge-paths annotation); the edge's API locations,
// local and Compose alike, are generated from those declarations, so adding a route to a
// function means changing its manifest only.
import { join } from "node:path";
import { loadManifests, type Manifests } from "../eventing/manifests.ts";
import { repoRoot } from "../paths.ts";

// Space-separated paths: `/api/events` serves that path and everything below it
// (`/api/events/…`); `=/ce` that path only; `~/api/events/*/related` the paths of that shape
// (`*` one segment), ahead of any prefix, as NGINX's regex locations are. The longest declared
// path that matches wins, as with NGINX's prefix locations, so `/api/me/notifications` can sit
// below `/api/me`. A pattern lets a Service answer one question about another's things (search
// holds what is related to an event) without taking the rest of their paths.
export const EDGE_PATHS = "streamplatform.dev/edge-paths";
/** The largest request body the edge lets through to the Service (NGINX's default: 1m). */
export const EDGE_MAX_BODY_SIZE = "streamplatform.dev/edge-max-body-size";
/**
 * Requests the edge has in flight to the Service at most (all its paths together); beyond that
 * it answers 503 with Retry-After at once (NGINX limit_conn), keeping the caller's connection.
 * Without a cap, a crowd over capacity opens as many upstream connections as it has callers,
 * the function's accept queue overflows, and every caller waits for seconds (#21's overload).
 */
export const EDGE_MAX_CONCURRENCY = "streamplatform.dev/edge-max-concurrency";

export interface EdgeRoute {
  service: string;
  path: string;
  exact: boolean;
  /** A path pattern: `*` stands for one segment. */
  pattern?: boolean;
  /**
   * A Knative Service, proxied to its upstream by a generated location; otherwise the stateful
   * tier, whose location (SSE: unbuffered, long-lived) the template holds.
   */
  knative: boolean;
  maxBodySize?: string;
  maxConcurrency?: number;
}

/** The NGINX upstream of a Knative Service. */
export const upstreamOf = (service: string) => `fn_${service.replace(/-/g, "_")}`;

/** Every declared path of the manifests, checked: well-formed and claimed once. */
export function edgeRoutes(
  manifests: Manifests = loadManifests([join(repoRoot, "knative")]),
): EdgeRoute[] {
  const routes: EdgeRoute[] = [];
  const declared = [
    ...manifests.services.map((s) => ({ metadata: s.metadata, knative: true })),
    ...manifests.kubernetesServices.map((s) => ({ metadata: s.metadata, knative: false })),
  ];
  for (const { metadata, knative } of declared) {
    const annotations = metadata.annotations ?? {};
    const paths = annotations[EDGE_PATHS];
    if (paths === undefined) continue;
    const maxBodySize = annotations[EDGE_MAX_BODY_SIZE];
    if (maxBodySize !== undefined && !/^\d+[km]?$/.test(maxBodySize))
      throw new Error(
        `${metadata.name}: ${EDGE_MAX_BODY_SIZE}: "${maxBodySize}" is not a size (64k, 2m…)`,
      );
    const concurrency = annotations[EDGE_MAX_CONCURRENCY];
    if (concurrency !== undefined && !/^[1-9]\d*$/.test(concurrency))
      throw new Error(
        `${metadata.name}: ${EDGE_MAX_CONCURRENCY}: "${concurrency}" is not a whole number of requests`,
      );
    const maxConcurrency = concurrency === undefined ? undefined : Number(concurrency);
    for (const entry of paths.trim().split(/\s+/)) {
      const exact = entry.startsWith("=");
      const pattern = entry.startsWith("~");
      const path = exact || pattern ? entry.slice(1) : entry;
      // Plain segments only (and `*` in a pattern): the path goes into nginx.conf as it is.
      const segments = pattern ? /^(\/([\w.-]+|\*))+$/ : /^(\/[\w.~-]+)+$/;
      if (!segments.test(path) || (pattern && !path.includes("*")))
        throw new Error(
          `${metadata.name}: ${EDGE_PATHS}: "${entry}" is not a path like /api/things, =/api/thing or ~/api/things/*/part`,
        );
      const other = routes.find((route) => route.path === path);
      if (other)
        throw new Error(
          `${metadata.name}: ${EDGE_PATHS}: ${path} is already declared by ${other.service}`,
        );
      routes.push({
        service: metadata.name,
        path,
        exact,
        ...(pattern && { pattern }),
        knative,
        maxBodySize,
        maxConcurrency,
      });
    }
  }
  return routes;
}

/** A pattern route's regular expression, as its NGINX location has it. */
const patternOf = (route: EdgeRoute) =>
  `^${route.path.replaceAll(".", "\\.").replaceAll("*", "[^/]+")}$`;

/** The route that serves `path` at the edge: an exact one, a pattern, else the longest prefix. */
export function edgeRouteOf(routes: EdgeRoute[], path: string): EdgeRoute | undefined {
  const rank = (route: EdgeRoute) => (route.exact ? 2 : route.pattern ? 1 : 0);
  const matches = (route: EdgeRoute) =>
    route.pattern
      ? new RegExp(patternOf(route)).test(path)
      : path === route.path || (!route.exact && path.startsWith(`${route.path}/`));
  return routes
    .filter(matches)
    .sort((a, b) => rank(b) - rank(a) || b.path.length - a.path.length)[0];
}

/**
 * NGINX locations for the Knative Services' routes. Prefix locations rather than regexes:
 * NGINX picks the longest, whatever their order, which is the index's own rule. A prefix gets
 * an exact location too, so `/api/events` is served and `/api/eventsx` is not.
 */
export function edgeLocations(
  routes: EdgeRoute[],
  /**
   * Headers of a location's own (on a cluster: the Knative Service's Host, which its ingress
   * routes by). NGINX then drops the http block's proxy_set_header lines, so they come too.
   */
  proxyHeaders?: (service: string) => string[],
  /** Where a location passes to (on OpenFaaS: the gateway's /function/<name>). */
  passTo: (service: string) => string = (service) => `http://${upstreamOf(service)}`,
): string {
  const block = (match: string, route: EdgeRoute) =>
    [
      `    location ${match} {`,
      ...(route.maxBodySize ? [`      client_max_body_size ${route.maxBodySize};`] : []),
      ...(route.maxConcurrency
        ? [
            `      limit_conn ${concurrencyZoneOf(route.service)} ${route.maxConcurrency};`,
            // The server's error_page turns it into the @overloaded problem (Retry-After).
            "      limit_conn_status 503;",
            // Each refusal is in the access log (503); a flood must not fill the error log too.
            "      limit_conn_log_level info;",
          ]
        : []),
      ...(proxyHeaders?.(route.service).map((header) => `      ${header}`) ?? []),
      `      proxy_pass ${passTo(route.service)};`,
      "    }",
    ].join("\n");
  return routes
    .filter((route) => route.knative)
    .flatMap((route, index, all) => [
      ...(all[index - 1]?.service === route.service ? [] : [`    # ${route.service}`]),
      ...(route.pattern
        ? [block(`~ ${patternOf(route)}`, route)]
        : [
            block(`= ${route.path}`, route),
            ...(route.exact ? [] : [block(`${route.path}/`, route)]),
          ]),
    ])
    .join("\n");
}

const concurrencyZoneOf = (service: string) => `${upstreamOf(service)}_in_flight`;

/**
 * The http-level NGINX lines for the Services with an edge concurrency cap: a key that is the
 * same for every request (one count for all callers) and a zone per Service.
 */
export function concurrencyLimits(routes: EdgeRoute[]): string {
  const services = [...new Set(routes.filter((r) => r.maxConcurrency).map((r) => r.service))];
  if (services.length === 0) return "";
  return [
    "  map $request_method $edge_everyone {",
    "    default all;",
    "  }",
    ...services.map(
      (service) => `  limit_conn_zone $edge_everyone zone=${concurrencyZoneOf(service)}:1m;`,
    ),
  ].join("\n");
}

/** Idle connections the edge keeps open to a Service: at least as many as it may have busy. */
export function keepaliveOf(routes: EdgeRoute[], service: string): number {
  const cap = routes.find((r) => r.service === service)?.maxConcurrency ?? 0;
  return Math.max(64, cap);
}
