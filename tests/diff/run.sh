#!/usr/bin/env bash
# Runs the differential test (tests/diff/run.py) with Debian's Python, which
# sees the Debian packages it calls (python3-nltk, python3-langdetect,
# python3-numpy); `make difftest` builds the driver and calls this.
set -euo pipefail
cd "$(dirname "$0")/../.."
driver=${BENCHAI_DIFF_DRIVER:-build/diff-driver}
if [ ! -x /usr/bin/python3 ]; then
    echo "difftest: skipped: /usr/bin/python3 (Debian's python3) is not installed"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
exec /usr/bin/python3 tests/diff/run.py "$driver" ${BENCHAI_DIFF_ARGS:-}
