# One image for both deployables: the API (default command) and the worker (command overridden).
# Node 26, the Active LTS (since October 2026), pinned to a release; the code also runs on Node 20.19+
# (package.json "engines"), where some dependencies already warn that their next releases need 22.
FROM node:26.10.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:26.10.0-bookworm-slim
# ffmpeg/ffprobe: the worker probes uploads and makes thumbnails.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The demo page's files (served at /demo when DEMO_PAGE=true; off by default in production).
COPY --from=build /app/packages/demo ./packages/demo
# The disk driver's default root (./data/storage) must be writable by the user the apps run as; mount a
# volume there to keep its files.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# The apps' Node flags (scripts/node-flags.ts) are on the command line: NODE_OPTIONS refuses
# --heap-growing-percent. docker-compose.yml's commands repeat them. Both are V8 flags that V8 still
# defines in the versions Node 26 ships (src/flags/flag-definitions.h: max_semi_space_size,
# heap_growing_percent); node refuses to start on a flag its V8 lacks ("bad option"), which
# test/runtime.e2e-spec.ts checks on the Node that runs the tests.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=100", "dist/apps/api/src/main.js"]
