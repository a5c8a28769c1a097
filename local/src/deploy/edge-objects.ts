// The edge on a cluster (Knative's or OpenFaaS's): its nginx.conf as a ConfigMap, the NGINX
// Deployment (web app image, /hls/ from stream-server's volume) and its public Service. Only the
// config and the namespace differ between the two.
import { createHash } from "node:crypto";

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
                ports: [{ name: "http", containerPort: 8080 }],
                readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
                livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 20 },
                resources: {
                  requests: { cpu: "100m", memory: "64Mi" },
                  limits: { cpu: "2", memory: "256Mi" },
                },
                volumeMounts: [
                  { name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf" },
                  { name: "hls", mountPath: HLS_MOUNT, readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: "edge-nginx" } },
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
        // With stream-server-rtmp, the only way in from outside: every Knative Service is
        // cluster-local, reached through the edge's routes.
        type: "LoadBalancer",
        selector: { "app.kubernetes.io/name": "edge" },
        ports: [{ name: "http", port: 80, targetPort: "http" }],
      },
    },
  ];
}
