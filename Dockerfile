# Acta's image: the TypeScript sources run by tsx (as `npm start` does), on Debian slim, as a
# non-root user. docker-compose.yml runs three of these behind nginx; one alone runs the embedded
# default (data in /app/.data, inside the container unless you mount a volume there).
#
#   docker build -t acta . && docker run --rm -p 3000:3000 acta

# Dependencies: only the production ones (tsx, which runs the sources, is one of them), installed
# exactly as the lock file says. The platform binaries (esbuild's, embedded Postgres's) are optional
# dependencies, so optional dependencies are kept.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
# src/ whole: the TypeScript sources and the pages' static files (src/http/console/, src/http/docs/),
# which their routes read from beside their modules at start-up.
COPY src ./src
COPY actors ./actors
# The image's `node` user (uid 1000) owns only what it writes: the embedded default's data folder.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# Ready means accepting commands (database, read pipeline and Kafka up); slim images have no curl.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1's child under `init: true` (compose) or PID 1: either way SIGTERM reaches
# main.ts, which drains (bounded) before exiting. --max-semi-space-size=64: see load/FINDINGS.md §11.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
