#!/usr/bin/env bash
# run-all.sh - builds the benchmarks (`make bench`) and runs them one after
# another, each printing its own figures and the machine. See
# docs/benchmarks.md for what each one measures.
#
#   benchmarks/run-all.sh              all of them
#   benchmarks/run-all.sh NAME...      only these (suite_load hostile_bench score_bench
#                                      compare_bench store_bench sandbox_bench
#                                      http_bench scale_bench vs-llama-bench soak)
# Environment: BUILD (build folder, default build), BIN (benchai binary,
# default ./benchai), as for make. vs-llama-bench (benchmarks/peers/) and
# soak need the cached llama.cpp build and the tiny models (make models);
# they are skipped when they are missing. The other peers/ scripts run on their own
# (benchmarks/peers/README.md). Exit status: 0 when every benchmark ran, 1 otherwise.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BUILD:-build}"
bin="${BIN:-benchai}"
all="suite_load hostile_bench score_bench compare_bench store_bench sandbox_bench http_bench scale_bench vs-llama-bench soak"
selected="${*:-$all}"

make --no-print-directory BUILD="$build" BIN="$bin" bench >/dev/null \
    || { echo "run-all: make bench failed" >&2; exit 1; }

failed=""
for name in $selected; do
    echo "=== $name ($(date -u +%H:%M:%S))"
    start=$(date +%s)
    case "$name" in
    vs-llama-bench)
        if ! scripts/install-llama.sh --print >/dev/null 2>&1; then
            echo "skipped: no cached llama.cpp build (make models)"
            continue
        fi
        case "$bin" in /*) abs="$bin" ;; *) abs="$root/$bin" ;; esac
        BENCHAI_BIN="$abs" benchmarks/peers/vs-llama-bench.sh
        ;;
    soak)
        if ! scripts/install-llama.sh --print >/dev/null 2>&1; then
            echo "skipped: no cached llama.cpp build (make models)"
            continue
        fi
        "$build/bench/soak" --benchai "$bin"
        ;;
    stub_server)
        echo "stub_server is the loopback server http_bench starts; nothing to run"
        continue
        ;;
    *)
        if [ ! -x "$build/bench/$name" ]; then
            echo "run-all: unknown benchmark '$name'" >&2
            failed="$failed $name"
            continue
        fi
        "$build/bench/$name"
        ;;
    esac
    rc=$?
    [ $rc -eq 0 ] || failed="$failed $name"
    echo "=== $name: exit $rc, $(( $(date +%s) - start )) s"
    echo
done

if [ -n "$failed" ]; then
    echo "run-all: failed:$failed" >&2
    exit 1
fi
echo "run-all: all benchmarks ran"
