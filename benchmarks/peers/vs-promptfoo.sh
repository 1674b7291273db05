#!/usr/bin/env bash
# vs-promptfoo.sh - benchai and promptfoo on the same exact-match suite,
# the same OpenAI-compatible endpoint, the same concurrency, in one
# invocation (issue 13, "vs promptfoo").
#
# 1. Installs promptfoo (PROMPTFOO_VERSION, default 0.121.20, the last that
#    runs on Debian 12's Node 20) from npm into ~/.cache/benchai/peers/
#    promptfoo-VERSION (once), and builds benchai and the stub (make).
# 2. Generates ITEMS (default 1000) exact-match items as a benchai suite and
#    the equivalent promptfooconfig.yaml (make_exact_suite.py): one user
#    message, max_tokens 4, temperature 0, an `equals` assertion, an
#    openai:chat provider on the same loopback URL.
# 3. For each server in SERVERS (default "stub tiny"):
#      stub  build/bench/stub_server --events 4: instant answers, so the
#            figures are the harness's own cost;
#      tiny  the cached llama-server with the tiny dense test model, -np 4
#            (scripts/make-test-models; THREADS, default 2);
#    starts the server itself, then runs REPS times, interleaved:
#      benchai run --backend openai --concurrency 4 --warmup 0 (streamed,
#        benchai's default), the same with --no-stream (promptfoo's
#        provider does not stream), and
#      promptfoo eval -j 4 --no-cache --no-table --no-progress-bar,
#        telemetry, update check and sharing disabled, its config dir in
#        the temporary folder;
#    each measured from outside by measure.py: wall, user + system CPU of
#    the harness process and its children (wait4; the server is not one of
#    them: its CPU is read from /proc apart and printed as excluded), peak
#    RSS (the largest single process of the tree, as GNU time reports it)
#    and peak private memory (RssAnon + RssShmem of the tree, sampled).
# 4. Prints one markdown table per server (medians of REPS, range when
#    REPS > 1), the ratios promptfoo/benchai, the targets of the issue, and
#    on the tiny model whether both tools got the same outputs and verdicts
#    for the same items. `promptfoo --version` alone is measured too.
#
#   benchmarks/peers/vs-promptfoo.sh
# Environment: ITEMS, REPS (default 2), SERVERS, THREADS, PROMPTFOO_VERSION,
# BENCHAI_BIN (default ./benchai).
set -euo pipefail

peers_name=vs-promptfoo
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$root"
items="${ITEMS:-1000}"
reps="${REPS:-2}"
servers="${SERVERS:-stub tiny}"
threads="${THREADS:-2}"
pf_version="${PROMPTFOO_VERSION:-0.121.20}"
concurrency=4
max_tokens=4

# --- the tools ------------------------------------------------------------------------
command -v npm >/dev/null || peers_die "npm is needed (scripts/install-deps.sh)"
pf_dir="$(peers_cache)/promptfoo-$pf_version"
promptfoo="$pf_dir/node_modules/.bin/promptfoo"
if [ ! -x "$promptfoo" ]; then
    echo "vs-promptfoo: installing promptfoo@$pf_version into $pf_dir (npm, a few minutes)" >&2
    mkdir -p "$pf_dir"
    npm install --prefix "$pf_dir" --no-audit --no-fund --loglevel=error "promptfoo@$pf_version" >"$pf_dir/install.log" 2>&1 \
        || { tail -20 "$pf_dir/install.log" >&2; peers_die "npm install promptfoo@$pf_version failed"; }
fi
make --no-print-directory -s benchai build/bench/stub_server >/dev/null || peers_die "make failed"
benchai="${BENCHAI_BIN:-$root/benchai}"
stub="$root/build/bench/stub_server"

tmp="$(mktemp -d /tmp/benchai-vs-promptfoo.XXXXXX)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# promptfoo must not phone home (no internet here) nor write outside tmp.
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_DISABLE_SHARING=1
export PROMPTFOO_CONFIG_DIR="$tmp/promptfoo-home" NO_COLOR=1

start_server() {
    local port
    port="$(peers_free_port)"
    case "$1" in
    stub)
        "$stub" --port "$port" --events "$max_tokens" >"$tmp/stub.out" 2>&1 &
        server_pid=$!
        peers_wait_http "http://127.0.0.1:$port/health" 10 || peers_die "the stub did not start"
        ;;
    tiny)
        local model
        model="$(bash scripts/make-test-models | peers_lookup TINY_DENSE)"
        [ -f "$model" ] || peers_die "tiny dense model not found (make models)"
        peers_llama_server "$port" "$model" "$tmp/llama-server.log" -np "$concurrency" -t "$threads"
        ;;
    esac
    url="http://127.0.0.1:$port"
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# One harness run: NAME OUT_PREFIX CMD...; the server's CPU during it goes
# to OUT_PREFIX.server.
measure() {
    local name="$1" out="$2"
    shift 2
    local s0 s1 rc=0
    s0="$(peers_proc_cpu "$server_pid")"
    peers_timed "$out" "$@" || rc=$?
    s1="$(peers_proc_cpu "$server_pid")"
    echo "$s0 $s1" | awk '{ printf "%.3f\n", $2 - $1 }' >"$out.server"
    # promptfoo exits 100 when an assertion failed: that is a result, not an error.
    if [ "$rc" -ne 0 ] && ! { [ "$name" = promptfoo ] && [ "$rc" -eq 100 ]; }; then
        tail -20 "$out.log" >&2
        peers_die "$name failed (exit $rc)"
    fi
}

echo "## benchai vs promptfoo $pf_version: $items exact-match items, concurrency $concurrency, max_tokens $max_tokens"
echo
peers_machine_md
echo "- benchai $("$benchai" --version 2>/dev/null | head -1); promptfoo $("$promptfoo" --version 2>/dev/null | tail -1); Node $(node --version)"
echo "- $reps repetitions, interleaved (benchai, benchai --no-stream, promptfoo, ...); figures are medians (range)"
echo

measure_version() {
    peers_timed "$tmp/pf-version" "$promptfoo" --version || peers_die "promptfoo --version failed"
}

for server in $servers; do
    start_server "$server"
    echo "vs-promptfoo: $server at $url (load $(peers_loadavg))" >&2
    work="$tmp/$server"
    /usr/bin/python3 "$here/make_exact_suite.py" "$items" "$work" "$url" "$max_tokens"
    for r in $(seq 1 "$reps"); do
        measure benchai "$work/benchai.$r" "$benchai" run --suite "$work/peer_exact.yaml" --backend openai \
            --url "$url" --model peer --concurrency "$concurrency" --warmup 0 \
            --store "$work/benchai.$r.db" --logs "$work/logs"
        measure benchai "$work/benchai-nostream.$r" "$benchai" run --suite "$work/peer_exact.yaml" --backend openai \
            --url "$url" --model peer --concurrency "$concurrency" --warmup 0 --no-stream \
            --store "$work/benchai-nostream.$r.db" --logs "$work/logs"
        (cd "$work" && measure promptfoo "$work/promptfoo.$r" "$promptfoo" eval -c "$work/promptfooconfig.yaml" \
            --no-cache -j "$concurrency" --no-table --no-progress-bar -o "$work/promptfoo.$r.json")
    done
    stop_server
done
measure_version

/usr/bin/python3 "$here/promptfoo_table.py" "$tmp" "$items" "$reps" "$servers" "$(peers_loadavg)"
