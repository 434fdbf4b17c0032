#!/usr/bin/env bash
# Starts Skolflyt for the browser tests: a fresh SQLite demo municipality, the built SPA.
set -euo pipefail
cd "$(dirname "$0")/.."
port="$1"
dir=$(mktemp -d)
export SKOLFLYT_DATABASE_URL="sqlite://$dir/e2e.db"
export SKOLFLYT_BIND="127.0.0.1:$port"
export SKOLFLYT_DIST_DIR="$PWD/dist"
bin="${SKOLFLYT_BIN:-target/debug/skolflyt}"
"$bin" demo --pupils 300 --seed 1
"$bin" demo-accounts > "$PWD/end2end/.accounts.jsonl"
exec "$bin" serve
