#!/usr/bin/env bash
# The test command: type check (packages and tests), lint, format check, then every test.
# Prints `N passed, N failed` last and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1
status=0
step_failed=0

run_step() {
  local name=$1
  shift
  echo "test: $name"
  if ! "$@"; then
    echo "test: $name FAILED" >&2
    status=1
    step_failed=$((step_failed + 1))
  fi
}

run_step 'type check' npx tsc -p tsconfig.test.json
run_step 'lint' npx eslint . --max-warnings=0
run_step 'format' npx prettier --check . --log-level warn

rm -f vitest-report.json
npx vitest run --reporter=default --reporter=json --outputFile.json=vitest-report.json "$@"
[ $? -eq 0 ] || status=1

node -e "
const fs = require('node:fs');
let passed = 0, failed = 0, skipped = 0;
if (fs.existsSync('vitest-report.json')) {
  const r = JSON.parse(fs.readFileSync('vitest-report.json', 'utf8'));
  passed = r.numPassedTests; failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  if (r.numFailedTestSuites > 0 && failed === 0) failed = r.numFailedTestSuites;
} else { failed = 1; }
failed += $step_failed;
const skippedNote = skipped ? ', ' + skipped + ' skipped' : '';
console.log(passed + ' passed, ' + failed + ' failed' + skippedNote);
"
exit $status
