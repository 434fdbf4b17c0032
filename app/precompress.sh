#!/bin/sh
# Trunk post_build hook: writes .gz (and .br when brotli is installed) next to each text and
# wasm asset of a release build, for the server to send precompressed.
set -eu
[ "${TRUNK_PROFILE:-release}" = "release" ] || exit 0
dir="${TRUNK_STAGING_DIR:-dist}"
for file in "$dir"/*.js "$dir"/*.wasm "$dir"/*.css "$dir"/*.html; do
    [ -f "$file" ] || continue
    gzip -9 -k -f "$file"
    if command -v brotli >/dev/null 2>&1; then
        brotli -q 11 -k -f "$file"
    fi
done
