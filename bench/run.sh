#!/usr/bin/env bash
# `npm run bench`: installs Crawlee 3 for the comparison (bench/ is its own npm project), builds
# trawl, then runs every benchmark; each rewrites its section of bench/RESULTS.md.
# Usage: npm run bench [-- queue|autoscale|cheerio|sitemap ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -d bench/node_modules/crawlee ]; then
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(queue autoscale cheerio sitemap)
for name in "${benches[@]}"; do
  echo "bench: $name"
  node --import tsx "bench/$name/run.ts"
done
