#!/bin/sh
# Applies pending migrations, then replaces this shell with the server so it receives signals directly.
set -e
if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL must be set in a container (the embedded PostgreSQL is for development only)" >&2
  exit 1
fi
node dist/src/database/migrate.js
exec node dist/src/main.js
