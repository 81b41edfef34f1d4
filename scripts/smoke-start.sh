#!/usr/bin/env bash
# Proves the README's first Quick start line: `npm start` on a fresh embedded database serves the demo
# workspace and the printed curl answers 200 with a ticket. Bounded: gives up after 120 s.
set -euo pipefail
cd "$(dirname "$0")/.."
# SMOKE_DATA_DIR: a DATA_DIR of the caller's (scripts/private-clone-check.sh: inside a private clone).
data_dir=${SMOKE_DATA_DIR:-$(mktemp -d)}
mkdir -p "$data_dir"
port=${SMOKE_PORT:-3917}
log="$data_dir/server.log"
# Its own process group, so the cleanup reaches npm, node and the embedded PostgreSQL alike.
DATA_DIR="$data_dir" PORT=$port EMBEDDED_PG_PORT=${SMOKE_PG_PORT:-54391} setsid npm start >"$log" 2>&1 &
server=$!
cleanup() {
  kill -TERM -- "-$server" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 -- "-$server" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$server" 2>/dev/null || true
  # As root from a private directory, DATA_DIR/pg links to the cluster under the temporary directory.
  if [ -L "$data_dir/pg" ]; then rm -rf "$(readlink "$data_dir/pg")"; fi
  rm -rf "$data_dir"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  grep -q 'Try:' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "server exited early"; exit 1; }
  sleep 1
done
grep -q 'Try:' "$log" || { cat "$log"; echo "server did not print the demo curl within 120 s"; exit 1; }

# The banner (token, curl, /docs) comes last, after "listening", not above the start-up log (issue #10).
awk '/listening on/ && !l {l=NR} /Demo workspace/ && !d {d=NR} END {exit !(l && d && l < d)}' "$log" ||
  { cat "$log"; echo "the demo banner was not printed after the 'listening' line"; exit 1; }
lines_before=$(awk '/Demo workspace/ {print NR; exit}' "$log")
[ "$lines_before" -le 12 ] || { cat "$log"; echo "the banner comes after $lines_before lines of start-up log"; exit 1; }

# Run the very curl the server printed.
curl_cmd=$(sed -n '/^  curl /,/-d /p' "$log" | sed 's/\\$//' | tr -d '\n')
body=$(eval "$curl_cmd -w '\n%{http_code}'")
status=$(tail -n1 <<<"$body")
[ "$status" = "200" ] || { echo "printed curl answered $status: $body"; exit 1; }
grep -q '"type":"ticket"' <<<"$body" || { echo "no ticket in: $body"; exit 1; }
echo "smoke: npm start served the demo workspace; the printed curl answered 200 with a ticket"
