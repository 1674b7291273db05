#!/usr/bin/env bash
# Reads the logs tests/valgrind/benchai.sh wrote (folder $1): prints every
# log with an error or a definite leak and exits 1, else says how many
# benchai processes ran clean. A log cut short by SIGKILL (the kill tests)
# has no summary and is counted apart.
set -uo pipefail
dir=${1:?usage: check.sh LOG_DIR}
total=0 bad=0 cut=0
for log in "$dir"/benchai.*.log; do
    [ -e "$log" ] || continue
    total=$((total + 1))
    if grep -Eq 'definitely lost: [1-9]|ERROR SUMMARY: [1-9]|Invalid (read|write|free)|uninitialised' "$log"; then
        bad=$((bad + 1))
        echo "=== $log"
        cat "$log"
    elif ! grep -q "ERROR SUMMARY" "$log"; then
        cut=$((cut + 1))
    fi
done
echo "valgrind: $total benchai processes, $bad with errors or definite leaks, $cut cut short (killed)"
[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
