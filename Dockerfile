# syntax=docker/dockerfile:1
# One image for every shadow-diff process (start, ingress, comparator, report-api, gate, replay) and,
# with `--target sample`, a small image of the demo's sample service. The command picks the process.
#
#   docker build -t shadow-diff .
#   docker run --rm -p 8080:8080 -p 127.0.0.1:8081:8081 -v shadow-diff-data:/data \
#     -e SHADOW_DIFF_PRIMARY=http://reviews-v1:9080 -e SHADOW_DIFF_SHADOW=http://reviews-v2:9080 \
#     -e REPORT_TOKEN="$(openssl rand -hex 24)" shadow-diff
#
# `start` listens on 0.0.0.0 in the container, so its report API needs a token: REPORT_TOKEN (or
# SHADOW_DIFF_REPORT_TOKEN); without one it refuses to start (docs/security.md).
#
# Node 24 (Active LTS, supported until April 2028): Node 20 has reached its end of life. The code and
# CI also run on Node 20 (package.json engines), so the image may move between LTS lines freely.

# Compilers for better-sqlite3, which builds from source when no prebuilt binary fits the platform.
FROM node:24-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# The TypeScript build. `npm ci` would run `prepare` (the build) before the sources are in: skip the
# scripts, then run the install scripts of the packages that have one (package.json allowScripts).
FROM toolchain AS build
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild msgpackr-extract
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY services ./services
COPY demo ./demo
RUN npm run build

# Production dependencies only, native modules built for this platform.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 msgpackr-extract

# The demo's sample service (docker-compose.yml's primary and shadow): compiled JavaScript on Node's
# standard library alone. `--version v2` makes it the candidate.
FROM node:24-bookworm-slim AS sample
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist/demo/sample-service.js ./sample-service.mjs
USER node
EXPOSE 9080
HEALTHCHECK --interval=5s --timeout=3s --retries=10 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "sample-service.mjs", "--version", "v1", "--port", "9080", "--host", "0.0.0.0"]

# shadow-diff itself (the default target).
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SHADOW_DIFF_DB=/data/shadow-diff.db \
    SHADOW_DIFF_LISTEN=0.0.0.0:8080 \
    SHADOW_DIFF_REPORT_LISTEN=0.0.0.0:8081
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/services ./dist/services
# Found at run time relative to dist/: package.json (--version), the migrations, the web report's pages.
COPY package.json ./
COPY migrations ./migrations
COPY services/report-api/web ./services/report-api/web
# The store's volume, owned by the unprivileged user (a fresh named volume takes this ownership),
# and `shadow-diff` on the PATH.
RUN mkdir -p /data \
 && chown node:node /data \
 && chmod 755 dist/services/cli/main.js \
 && ln -s /app/dist/services/cli/main.js /usr/local/bin/shadow-diff
VOLUME /data
USER node
EXPOSE 8080 8081
# The report API's /healthz on the port of SHADOW_DIFF_REPORT_LISTEN (start, report-api). A process
# without a report API (ingress, comparator) needs its own check or none (docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const a = process.env.SHADOW_DIFF_REPORT_LISTEN || ''; const port = a.slice(a.lastIndexOf(':') + 1) || '8081'; fetch('http://127.0.0.1:' + port + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["shadow-diff", "start"]
