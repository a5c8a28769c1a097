# Images of the platform (no container engine runs on the team's machines: these are built by
# CI or on a cluster's builder; `docker build --target functions -t IMAGE .`):
#   functions      every function; FUNCTION_SOURCE + FUNCTION_TARGET (or GRPC_SOURCE) choose
#                  what a container serves, as knative/, stack.yml and docker-compose.yml set
#   stream-server  RTMP ingest, ffmpeg, HLS and the SSE gateway (the stateful tier)
# TypeScript runs through tsx, as locally: the sources are the program.

# Production dependencies of every workspace, installed exactly as locked.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY local/package.json local/
COPY stream-server/package.json stream-server/
COPY functions/analytics/package.json functions/analytics/
COPY functions/events/package.json functions/events/
COPY functions/ingress/package.json functions/ingress/
COPY functions/notifications/package.json functions/notifications/
COPY functions/search/package.json functions/search/
COPY functions/subscriptions/package.json functions/subscriptions/
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

FROM base AS functions
COPY functions functions
# The eventing container of docker-compose.yml runs local/'s KafkaSource dispatcher on knative/.
COPY local/src local/src
COPY local/package.json local/
COPY knative knative
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(process.env.GRPC_SOURCE?0:1))"
CMD ["node", "--import", "tsx", "shared/src/hosting/main.ts"]

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
