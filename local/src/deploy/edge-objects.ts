// The edge on a cluster (Knative's or OpenFaaS's): its nginx.conf as a ConfigMap, the NGINX
// Deployment (web app image, /hls/ from stream-server's volume, its certificate from a TLS
// Secret) and its public Service. Only the config and the namespace differ between the two. And
// what every edge run from the image (Compose's too) serves over TLS.
import { createHash } from "node:crypto";
import { rtmpStreamBlock, STREAM_MODULE, tlsListen } from "../servers/nginx.ts";

export const EDGE_IMAGE = "ghcr.io/stream-platform/edge:latest";
const HLS_MOUNT = "/var/lib/stream-platform/hls";
export const PART_OF = { "app.kubernetes.io/part-of": "stream-platform" };

/** Where things are in the edge image (Dockerfile target edge), whoever runs it. */
export const EDGE_IMAGE_PATHS = {
  PREFIX: "/var/cache/nginx",
  LOG_DIR: "/var/log/nginx",
  HOST: "0.0.0.0",
  PORT: "8080",
  HLS_DIR: HLS_MOUNT,
  WEB_DIR: "/srv/web",
  // The image's NGINX runs as www-data already.
  USER: "",
};

/**
 * The image's edge certificate: the two keys of a Kubernetes TLS Secret (EDGE_TLS_SECRET),
 * mounted; Compose mounts the same two files.
 */
const TLS_DIR = "/etc/nginx/tls";
export const EDGE_IMAGE_TLS = { cert: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key` };
export const EDGE_TLS_SECRET = "edge-tls";
/** The image's listeners beside HTTP on 8080: HTTPS and RTMPS (RTMP over TLS, from OBS). */
export const EDGE_IMAGE_PORTS = { https: 8443, rtmps: 1936 };

/**
 * What the image's edge serves over TLS, as the template's placeholders: HTTPS beside HTTP, and
 * RTMPS (plus plain RTMP where `plainRtmp`) handed to stream-server's PROXY protocol port at
 * `rtmpUpstream`, so its publish limit counts each publisher, not the edge.
 */
export function edgeImageTransport(options: {
  rtmpUpstream: string;
  plainRtmp?: boolean;
  /** Docker's DNS, so that every stream-server instance is found. */
  resolver?: string;
}): Record<"MODULES" | "TLS_LISTEN" | "STREAM", string> {
  return {
    MODULES: STREAM_MODULE,
    TLS_LISTEN: tlsListen(`${EDGE_IMAGE_PATHS.HOST}:${EDGE_IMAGE_PORTS.https}`, EDGE_IMAGE_TLS),
    STREAM: rtmpStreamBlock({
      upstream: options.rtmpUpstream,
      listeners: [
        ...(options.plainRtmp ? [{ listen: "1935" }] : []),
        { listen: String(EDGE_IMAGE_PORTS.rtmps), tls: EDGE_IMAGE_TLS },
      ],
      ...(options.resolver && { resolver: options.resolver }),
    }),
  };
}

export function edgeObjects(conf: string, namespace?: string): object[] {
  const inNamespace = namespace ? { namespace } : {};
  const labels = { "app.kubernetes.io/name": "edge", ...PART_OF };
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "edge-nginx", ...inNamespace, labels: PART_OF },
      data: { "nginx.conf": conf },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "edge", ...inNamespace, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: { "app.kubernetes.io/name": "edge" } },
        template: {
          metadata: {
            labels,
            // A changed nginx.conf rolls the pods (a subPath mount is never updated in place).
            annotations: {
              "streamplatform.dev/config-sha256": createHash("sha256").update(conf).digest("hex"),
            },
          },
          spec: {
            // www-data, as in the image (Dockerfile target edge).
            securityContext: { runAsNonRoot: true, runAsUser: 33, runAsGroup: 33 },
            containers: [
              {
                name: "edge",
                image: EDGE_IMAGE,
                ports: [
                  { name: "http", containerPort: 8080 },
                  { name: "https", containerPort: EDGE_IMAGE_PORTS.https },
                  { name: "rtmps", containerPort: EDGE_IMAGE_PORTS.rtmps },
                ],
                readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
                livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 20 },
                resources: {
                  requests: { cpu: "100m", memory: "64Mi" },
                  limits: { cpu: "2", memory: "256Mi" },
                },
                volumeMounts: [
                  { name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf" },
                  { name: "hls", mountPath: HLS_MOUNT, readOnly: true },
                  { name: "tls", mountPath: TLS_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: "edge-nginx" } },
              // The site's certificate (kubectl create secret tls edge-tls, or cert-manager's).
              { name: "tls", secret: { secretName: EDGE_TLS_SECRET } },
              // stream-server writes the playlists and segments, every edge replica reads them.
              {
                name: "hls",
                persistentVolumeClaim: { claimName: "stream-server-hls", readOnly: true },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "edge", ...inNamespace, labels: PART_OF },
      spec: {
        // With stream-server-rtmp (plain RTMP), the only way in from outside: every Knative
        // Service is cluster-local, reached through the edge's routes. RTMPS ends here.
        type: "LoadBalancer",
        // Connections keep the client's own address (stream-server's publish limit and the
        // edge's request limits count clients, not nodes).
        externalTrafficPolicy: "Local",
        selector: { "app.kubernetes.io/name": "edge" },
        ports: [
          { name: "http", port: 80, targetPort: "http" },
          { name: "https", port: 443, targetPort: "https" },
          { name: "rtmps", port: EDGE_IMAGE_PORTS.rtmps, targetPort: "rtmps" },
        ],
      },
    },
  ];
}
