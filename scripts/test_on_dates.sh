#!/usr/bin/env bash
# Run the suite (or the tests named after --) with the machine's clock set to each of a dozen days
# through 2026 and 2027, to show that nothing depends on the day it runs (Debian: apt-get install faketime).
#   scripts/test_on_dates.sh                      # the whole suite on SQLite, twelve times
#   scripts/test_on_dates.sh -- bangfu/programmes # only these tests
#   DATES="2026-12-02 2027-02-06" scripts/test_on_dates.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "需要 faketime (apt-get install faketime)" >&2; exit 2; }
DATES=${DATES:-"2026-01-01 2026-02-17 2026-03-02 2026-06-01 2026-07-10 2026-08-20 2026-09-01 2026-12-02 2026-12-31 2027-01-22 2027-02-06 2027-05-15"}
[ "${1:-}" = "--" ] && shift
failed=()
for day in $DATES; do
  echo "=== $day ==="
  if ! faketime "$day 10:00:00" .venv/bin/python -m pytest -q -n "${BANGFU_TEST_WORKERS:-2}" "$@"; then
    failed+=("$day")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "失败的日期: ${failed[*]}" >&2; exit 1; fi
echo "所有日期均通过: $DATES"
