# syntax=docker/dockerfile:1
# One image for the three processes of a deployment, chosen by the command (see README, Deployment):
#   node dist/api/main.js         the HTTP API (the default command)
#   node dist/worker/main.js      a worker
#   node dist/prisma/migrate.js   the migration job, run once per deploy before the others start
# Written against the `npm run build` contract: compiled entries in dist/, a prebuilt workflow bundle
# in dist/, runnable after `npm ci --omit=dev`.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY package.json package-lock.json ./
# No install scripts: @prisma/engines would download Prisma's native engines, which nothing here uses
# (the client runs on the pg driver adapter, migrations on the WebAssembly engine). The one script
# that matters, the root postinstall (Prisma Client generation), runs by hand below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node scripts/prisma-generate.mjs && npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, from the lock; no scripts (the client is already compiled into dist/).
# The Temporal SDK ships its native bridge for five platforms: keep this one's (about 110 MB less).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 \
         ! -name "$(uname -m)-unknown-linux-gnu" -exec rm -rf {} +
COPY --from=build /app/dist ./dist
# The migration runner reads schema.prisma and migrations/ beside itself (prisma/migrate.ts).
COPY --from=build /app/prisma/schema.prisma ./dist/prisma/schema.prisma
COPY --from=build /app/prisma/migrations ./dist/prisma/migrations
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# ARCHIVE_DIR of the example deployment: a volume mounted here starts owned by the process's user.
RUN mkdir -p /var/lib/universign/archive && chown node:node /var/lib/universign/archive
# The base image's unprivileged `node` user, by number so that Kubernetes' runAsNonRoot can check it;
# the files above stay root's, read-only to the processes.
USER 1000:1000
# The worker always serves its metrics in the image: its health check reads them.
ENV API_PORT=3000 \
    WORKER_METRICS_PORT=9464
EXPOSE 3000 9464
# Either process: the API's GET /health, or the worker's GET /metrics (served once it started).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs"]
CMD ["node", "dist/api/main.js"]
