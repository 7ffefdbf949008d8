# tdfwd in a container (multi-stage). Build:   docker build -t tdfwd:0.1.0 .
# Run:  docker run -d --name tdfwd -v tdfwd-buffer:/var/lib/tdfwd \
#         -v "$PWD/tdfwd.yaml:/etc/tdfwd/tdfwd.yaml:ro" -e TD_API_KEY tdfwd:0.1.0
# The buffer lives in the volume /var/lib/tdfwd (TDFWD_BUFFER), owned by the non-root user tdfwd.
# Not built in this repo's CI (no Docker engine there): see README "Install".

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: dev dependencies, TypeScript → dist/, then only production dependencies are kept -------
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# No scripts yet: `prepare` would build before the sources are here. The native modules are built next.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3 msgpackr-extract
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies only, non-root ------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    TDFWD_BUFFER=/var/lib/tdfwd \
    MALLOC_ARENA_MAX=2
# glibc keeps fewer malloc arenas: ~5-8 MB less peak RSS at the same speed (bench/README.md).
RUN groupadd --system tdfwd \
 && useradd --system --gid tdfwd --home-dir /var/lib/tdfwd --no-create-home --shell /usr/sbin/nologin tdfwd \
 && mkdir -p /var/lib/tdfwd /etc/tdfwd \
 && chown tdfwd:tdfwd /var/lib/tdfwd \
 && chmod 0700 /var/lib/tdfwd
WORKDIR /opt/tdfwd
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY examples ./examples
RUN ln -s /opt/tdfwd/bin/tdfwd.js /usr/local/bin/tdfwd
USER tdfwd
# A named volume starts with the image's ownership (tdfwd, 0700); a bind mount or hostPath keeps the
# host's: make it writable by this user, or tdfwd says whose it is and exits 2.
VOLUME /var/lib/tdfwd
# admin: GET /metrics, /healthz, /api/status (admin.listen, default 127.0.0.1:24220).
EXPOSE 24220
# The daemon's admin /healthz answers "ok" while it serves; with admin.listen: off, drop this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:24220/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop): stop inputs, seal, deliver for up to shutdown_timeout (10s), exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tdfwd"]
CMD ["--config", "/etc/tdfwd/tdfwd.yaml", "run"]
