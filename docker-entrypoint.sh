#!/bin/sh
# Applies pending migrations, then replaces this shell with the server so it receives signals directly.
set -e
if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL must be set in a container (the embedded PostgreSQL is for development only)" >&2
  exit 1
fi
node dist/src/database/migrate.js
# The server's V8 heap settings (package.json "config.nodeOptions", README "Performance"), unless set.
NODE_OPTIONS="${NODE_OPTIONS:-$(node -p "require('./package.json').config.nodeOptions")}"
export NODE_OPTIONS
exec node dist/src/main.js
