# syntax=docker/dockerfile:1
#
# One image for the gateway and the six services (docker-compose.yml): the same
# sources and node_modules, and a command per process, e.g.
#   node --conditions=marquee-source --import tsx services/user/src/main.ts
#   node --conditions=marquee-source --import tsx gateway/src/main.ts   (the default)
# Like every other run mode, it runs the TypeScript sources through tsx (the
# `marquee-source` export condition), so the server code has no separate build output to drift.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: node_modules from the lockfile alone, cached until a manifest changes ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Every npm workspace's manifest (root package.json "workspaces": gen, services/*,
# gateway, web-player); scripts/compose/test/compose.test.ts checks none is missing.
COPY gen/package.json gen/
COPY gateway/package.json gateway/
COPY services/kit/package.json services/kit/
COPY services/user/package.json services/user/
COPY services/content/package.json services/content/
COPY services/streaming/package.json services/streaming/
COPY services/recommendation/package.json services/recommendation/
COPY services/account/package.json services/account/
COPY services/feedback/package.json services/feedback/
COPY web-player/package.json web-player/
# Dev dependencies included: tsx runs the sources at run time. Native modules
# (classic-level, ...) come as prebuilt binaries and ffmpeg as an npm package, so
# the slim image needs no compiler and no apt packages.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The streaming service's media directory (MARQUEE_MEDIA_DIR): created here and
# owned by `node`, so the named volume mounted on it starts out writable.
RUN mkdir -p /var/lib/marquee/media && chown -R node:node /var/lib/marquee
# node_modules (root and any nested per workspace) from deps, then the sources;
# .dockerignore keeps the host's node_modules, data and caches out.
COPY --from=deps /app ./
COPY . .
# The browser app the gateway serves (web-player/dist), built once it has sources.
RUN if [ -f web-player/index.html ]; then npm run build -w @marquee/web-player; fi
# Code stays owned by root, read-only to the process.
USER node
EXPOSE 7101 7102 7103 7104 7105 7106 8080
CMD ["node", "--conditions=marquee-source", "--import", "tsx", "gateway/src/main.ts"]
