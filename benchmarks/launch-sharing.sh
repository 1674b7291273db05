#!/usr/bin/env bash
# launch-sharing.sh - server starts and wall time of sweeps with one
# llama-server per launch (points that differ only in request settings run
# on one server) against --fresh-server (a server per point, as before),
# side by side in one run, on the tiny models:
#   the demo plan (benchmarks/demo.yaml), a K sweep of 4 values with the
#   same-vocab draft, and a temperature sweep of 4 values.
# Prints one line per case and mode; nothing is asserted (docs/benchmarks.md).
#   benchmarks/launch-sharing.sh [--skip-demo]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="${BIN:-$root/benchai}"
models="${BENCHAI_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/benchai/models/current}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"

# one case in one mode: wall seconds and the number of servers started
measure() {
    local name="$1" mode="$2"; shift 2
    local db="$tmp/$name-$mode.db" extra=()
    [ "$mode" = fresh ] && extra=(--fresh-server)
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" run "$@" "${extra[@]}" --store "$db" --logs "$tmp/logs" >/dev/null 2>"$tmp/err" \
        || { echo "$name $mode: benchai failed: $(tail -2 "$tmp/err")"; return; }
    t1=$(date +%s.%N)
    local starts points
    starts=$(sqlite3 "$db" "SELECT count(DISTINCT json_extract(props_json, '\$.server_session')) FROM configs WHERE status = 'ok'")
    points=$(sqlite3 "$db" "SELECT count(*) FROM configs WHERE status = 'ok'")
    printf '%-12s %-7s points %3s  server starts %3s  wall %7.1f s\n' "$name" "$mode" "$points" "$starts" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}

for mode in shared fresh; do
    measure k-sweep "$mode" --suite suites/v1/speed.yaml --limit 2 --model "$models/tiny-dense.gguf" \
        --draft "$models/tiny-draft-same.gguf" --threads 1 --sweep k=2,4,8,16
    measure temperature "$mode" --suite suites/v1/smoke.yaml --model "$models/tiny-dense.gguf" --threads 1 \
        --sweep temperature=0,0.3,0.7,1.0
    if [ "${1:-}" != --skip-demo ]; then
        measure demo-plan "$mode" --plan benchmarks/demo.yaml
    fi
done
