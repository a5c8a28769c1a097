# Images of the platform (no container engine runs on the team's machines: these are built by
# CI or on a cluster's builder; `docker build --target functions -t IMAGE .`):
#   functions      every function; FUNCTION_SOURCE + FUNCTION_TARGET (or GRPC_SOURCE) choose
#                  what a container serves, as knative/, stack.yml and docker-compose.yml set
#   stream-server  RTMP ingest, ffmpeg, HLS and the SSE gateway (the stateful tier)
#   edge           NGINX with the web app's production build (its config is mounted)
# Functions run from the production build (npm run build: one bundle per function, plain node;
# no compiler at run time, and a cold start that does not resolve hundreds of modules). The
# stream-server and the eventing dispatcher run their TypeScript through tsx, as locally.

# Production dependencies of every workspace, installed exactly as locked.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY local/package.json local/
COPY stream-server/package.json stream-server/
COPY web/package.json web/
COPY functions/analytics/package.json functions/analytics/
COPY functions/events/package.json functions/events/
COPY functions/ingress/package.json functions/ingress/
COPY functions/notifications/package.json functions/notifications/
COPY functions/search/package.json functions/search/
COPY functions/accounts/package.json functions/accounts/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm install --no-save --no-audit --no-fund tsx@4 \
  && npm cache clean --force

FROM node:20-bookworm-slim AS base
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY shared shared
COPY protos protos

# The bundles: built with every dependency (esbuild, tsx), of which only dist/ is kept.
FROM deps AS build
COPY tsconfig.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY shared shared
COPY protos protos
COPY functions functions
COPY local local
COPY knative knative
RUN npm run build

FROM base AS functions
COPY --from=build /app/dist dist
# The eventing container of docker-compose.yml runs local/'s KafkaSource dispatcher on knative/.
COPY local/src local/src
COPY local/package.json local/
COPY knative knative
ENV FUNCTIONS_DIST=/app/dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(process.env.GRPC_SOURCE?0:1))"
CMD ["node", "dist/host.mjs"]

FROM base AS stream-server
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/stream-platform/hls \
  && chown node:node /var/lib/stream-platform/hls
COPY stream-server stream-server
USER node
ENV HLS_DIR=/var/lib/stream-platform/hls
EXPOSE 1935 8091
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8091/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "stream-server/src/main.ts"]

# The web app, built with Vite, served by NGINX (docker-compose.yml mounts the edge's config).
FROM build AS web-build
COPY web web
RUN npm run build -w web

FROM nginx:1.27 AS edge
COPY --from=web-build /app/web/dist /srv/web
EXPOSE 8080 1935
