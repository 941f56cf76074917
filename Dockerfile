# syntax=docker/dockerfile:1
# One image for every shadow-diff process (ingress, comparator, report-api, start) and for the
# demo's sample service. The command picks the process; docker-compose.yml wires them by env vars.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, in a layer of their own: it is rebuilt only when the lockfile changes.
# `npm ci` would also run `prepare` (the TypeScript build), which needs the sources: skip the
# scripts here, run the install scripts of the packages that have one (package.json allowScripts),
# then build once the sources are in.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 esbuild msgpackr-extract
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Dev dependencies stay: the sample service runs with tsx (`node --import tsx demo/sample-service.ts`).
COPY --from=build /app /app
# The store's volume: owned by the unprivileged user (a fresh named volume takes this ownership).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080 8081 9080
CMD ["node", "dist/services/cli/main.js", "--help"]
