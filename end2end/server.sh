#!/usr/bin/env bash
# Starts Skolflyt for the browser tests: a fresh SQLite demo municipality and the built SPA.
# Writes the demo logins to end2end/.accounts.jsonl before the server starts listening.
# SKOLFLYT_BIN and SKOLFLYT_DIST_DIR may point at another build.
set -euo pipefail
cd "$(dirname "$0")/.."
port="$1"
# One folder per port, emptied on each start (the server is killed, so it cannot clean up).
dir="$PWD/end2end/.server/$port"
rm -rf "$dir"
mkdir -p "$dir"
export SKOLFLYT_DATABASE_URL="sqlite://$dir/e2e.db"
export SKOLFLYT_BLOB_STORE_URL="$dir/blobs"
export SKOLFLYT_BIND="127.0.0.1:$port"
export SKOLFLYT_DIST_DIR="${SKOLFLYT_DIST_DIR:-$PWD/dist}"
# The unexcused-absence notice waits this long for a correction (600 s in production).
export SKOLFLYT_ABSENCE_NOTICE_DELAY_SECONDS=2
bin="${SKOLFLYT_BIN:-target/debug/skolflyt}"
"$bin" demo --pupils 300 --seed 1
"$bin" demo-accounts > "$PWD/end2end/.accounts.jsonl"
exec "$bin" serve
