#!/usr/bin/env bash
# Idempotent setup: installs what is missing (system packages, npm packages), then builds.
# Run by `npm run demo` and `npm test`; safe to run again at any time.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: ${need_apt[*]} missing; install them with your system's package manager" >&2
  fi
fi

# npm packages: install when node_modules is absent or older than the lockfile.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! node -e "require('better-sqlite3')" >/dev/null 2>&1; then
  echo "setup: building better-sqlite3"
  npm rebuild better-sqlite3 --loglevel=error
fi

echo "setup: building"
npx tsc -b
