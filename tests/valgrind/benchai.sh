#!/usr/bin/env bash
# benchai under valgrind memcheck, for `make valgrind`: the integration
# tests run this script as their benchai (BENCHAI_BIN). Every benchai
# process writes its own log into $BENCHAI_VALGRIND_LOGS; an error or a
# definite leak makes it exit 99, so the test that ran it fails, and
# tests/valgrind/check.sh lists what the logs say. llama-server and other
# programs benchai starts run natively (no --trace-children).
set -euo pipefail
: "${BENCHAI_REAL_BIN:?the benchai binary to run under valgrind}"
: "${BENCHAI_VALGRIND_LOGS:?a folder for the valgrind logs}"
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=30 \
    --log-file="$BENCHAI_VALGRIND_LOGS/benchai.%p.log" "$BENCHAI_REAL_BIN" "$@"
