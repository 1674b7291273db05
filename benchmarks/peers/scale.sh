#!/usr/bin/env bash
# scale.sh - benchai's client at scale on the loopback stub, before and after
# the move of the I/O loop from poll() (curl_multi_perform + curl_multi_poll)
# to curl_multi_socket_action on epoll + timerfd (issue 13, "Scale on the
# stub"). Both drivers run in the same invocation, interleaved (before,
# after, before, after, ...), and a markdown table gives both figures and
# the ratio.
#
# "before" is libbenchai.a built from the commit just before the one that
# brought curl_multi_socket_action into src/net/http.c (found with git log
# -S; BEFORE=<rev> picks another), extracted with git archive into the
# cache folder and built there once. The product code keeps one driver; the
# same benchmarks/scale_bench.c is compiled against both libraries (it uses
# only backend.h and scheduler.h).
#
# Figures (build/bench/scale_bench, see its header):
#   - closed loop at concurrency 1, 64, 1024: client CPU (getrusage of the
#     client process, I/O + consumer threads) per request, non-streamed and
#     streamed, and per SSE event (streamed CPU / events);
#   - open loop: the highest Poisson rate whose schedule lag (libcurl about
#     to write the request - its intended arrival) has p99 < 1 ms; as root
#     the rate phase runs under SCHED_FIFO (the client's own lag, not the
#     machine's other load: RT=0 turns that off);
#   - syscalls per request (strace -f -c on the client only: the stub is
#     started here, apart), concurrency 64, the difference between a run
#     of N2 and one of N1 requests divided by N2 - N1, so start-up and the
#     /v1/models probe cancel out;
#   - where the client's CPU goes: perf record (cpu-clock) of the "after"
#     client at concurrency 1024, its own threads only (the stub it forks
#     is left out of the report), by object and by symbol (PROFILE=0 skips).
#
#   benchmarks/peers/scale.sh          REPS=2 by default
# Environment: REPS, BEFORE (git revision), RT (1 as root by default),
# CONCURRENCY (default 1,64,1024), STRACE=0 skips the syscall counts,
# PROFILE=0 the perf profile.
set -euo pipefail

peers_name=scale
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$root"
reps="${REPS:-2}"
concurrency="${CONCURRENCY:-1,64,1024}"
rt="${RT:-$([ "$(id -u)" -eq 0 ] && echo 1 || echo 0)}"
command -v git >/dev/null || peers_die "git is needed (the 'before' driver is built from history)"
git rev-parse --git-dir >/dev/null 2>&1 || peers_die "not a git checkout: the 'before' driver comes from history"

# --- the two builds -----------------------------------------------------------
make --no-print-directory -s bench >/dev/null || peers_die "make bench failed"
after_bin="$root/build/bench/scale_bench"
stub_bin="$root/build/bench/stub_server"

if [ -n "${BEFORE:-}" ]; then
    before_rev="$(git rev-parse --verify "$BEFORE^{commit}")"
else
    intro="$(git log --reverse --format=%H -S curl_multi_socket_action -- src/net/http.c | head -1)"
    [ -n "$intro" ] || peers_die "no commit brings curl_multi_socket_action into src/net/http.c; set BEFORE"
    before_rev="$(git rev-parse "$intro^")"
fi
before_dir="$(peers_cache)/driver-before-${before_rev:0:12}"
before_bin="$before_dir/build/bench/scale_bench"
if [ ! -x "$before_bin" ] || [ "$before_bin" -ot "$root/benchmarks/scale_bench.c" ] \
    || [ "$before_bin" -ot "$root/benchmarks/bench_stub.h" ]; then
    echo "scale: building the 'before' driver from ${before_rev:0:12} in $before_dir" >&2
    mkdir -p "$before_dir"
    git archive "$before_rev" Makefile src | tar -x -C "$before_dir"
    mkdir -p "$before_dir/benchmarks"
    cp "$root/benchmarks/scale_bench.c" "$root/benchmarks/bench_stub.h" "$before_dir/benchmarks/"
    nice -n 5 make --no-print-directory -s -C "$before_dir" BUILD=build -j "$(nproc)" build/bench/scale_bench \
        >"$before_dir/build.log" 2>&1 || { tail -20 "$before_dir/build.log" >&2; peers_die "building 'before' failed"; }
fi

tmp="$(mktemp -d /tmp/benchai-scale.XXXXXX)"
stub_pid=""
cleanup() {
    [ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "## benchai client at scale on the loopback stub: poll() loop (before) vs curl_multi_socket_action + epoll (after)"
echo
peers_machine_md
echo "- before: libbenchai.a of ${before_rev:0:12} ($(git log -1 --format=%s "$before_rev" | cut -c1-70))"
echo "- after: $(git describe --always --dirty) (this checkout)"
echo "- $reps repetitions of each, interleaved; rate phase under SCHED_FIFO: $([ "$rt" = 1 ] && echo yes || echo no)"
echo

# --- interleaved runs -------------------------------------------------------------
rt_flag=()
[ "$rt" = 1 ] && rt_flag=(--rt)
for r in $(seq 1 "$reps"); do
    for side in before after; do
        bin="$after_bin"
        [ "$side" = before ] && bin="$before_bin"
        echo "scale: repetition $r, $side (load $(peers_loadavg))" >&2
        nice -n 0 "$bin" --stub "$stub_bin" --phase all --concurrency "$concurrency" "${rt_flag[@]}" \
            >"$tmp/$side.$r.out" 2>"$tmp/$side.$r.err" \
            || { cat "$tmp/$side.$r.err" >&2; peers_die "$side run $r failed (output in $tmp/$side.$r.out)"; }
    done
done

# --- syscalls per request -------------------------------------------------------------
n1=1000
n2=6000
if [ "${STRACE:-1}" = 1 ] && command -v strace >/dev/null; then
    for side in before after; do
        bin="$after_bin"
        [ "$side" = before ] && bin="$before_bin"
        for stream in 0 1; do
            "$stub_bin" --port 0 --events 16 >"$tmp/stub.port" &
            stub_pid=$!
            for _ in $(seq 50); do grep -q PORT= "$tmp/stub.port" 2>/dev/null && break; sleep 0.1; done
            port="$(peers_lookup PORT <"$tmp/stub.port")"
            [ -n "$port" ] || peers_die "the stub did not start"
            for n in $n1 $n2; do
                strace -f -c -o "$tmp/strace.$side.$stream.$n" "$bin" --port "$port" --phase cpu \
                    --concurrency 64 --stream "$stream" --requests "$n" >/dev/null 2>&1 \
                    || peers_die "strace of $side failed"
            done
            kill "$stub_pid"
            wait "$stub_pid" 2>/dev/null || true
            stub_pid=""
        done
    done
fi

# --- where the client's CPU goes (after), concurrency 1024 ------------------------
if [ "${PROFILE:-1}" = 1 ] && command -v perf >/dev/null \
    && perf record -q -e cpu-clock -F 999 -g -o "$tmp/perf.data" -- "$after_bin" --stub "$stub_bin" --phase cpu \
        --concurrency 1024 --stream 0 --requests 20000 >/dev/null 2>&1; then
    perf report -i "$tmp/perf.data" --comm scale_bench --stdio --no-children --sort dso -g none 2>/dev/null \
        | grep -E '^ +[0-9]' | head -6 >"$tmp/perf.dso"
    perf report -i "$tmp/perf.data" --comm scale_bench --stdio --no-children --sort sym -g none 2>/dev/null \
        | grep -E '^ +[0-9]' | head -12 >"$tmp/perf.sym"
fi

/usr/bin/python3 - "$tmp" "$reps" "$n1" "$n2" "$(peers_loadavg)" <<'PY'
import glob, os, re, statistics, sys
tmp, reps, n1, n2, load_end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def results(side):
    runs = []
    for r in range(1, reps + 1):
        rows = []
        for line in open(f"{tmp}/{side}.{r}.out"):
            if line.startswith("RESULT "):
                rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
        runs.append(rows)
    return runs

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def cpu_figure(runs, conc, stream, key):
    return med([float(row[key]) for rows in runs for row in rows
                if row["phase"] == "cpu" and row["concurrency"] == str(conc) and row["stream"] == str(stream)])

def spread(runs, conc, stream, key):
    v = [float(row[key]) for rows in runs for row in rows
         if row["phase"] == "cpu" and row["concurrency"] == str(conc) and row["stream"] == str(stream)]
    return f" ({min(v):.1f}-{max(v):.1f})" if len(v) > 1 else ""

before, after = results("before"), results("after")
concs = sorted({int(row["concurrency"]) for rows in after for row in rows if row["phase"] == "cpu"})

def fmt(x, unit=""):
    return "n/a" if x is None else (f"{x:.1f}{unit}" if x < 1000 else f"{x:,.0f}{unit}")

def ratio(b, a):
    return "n/a" if not a or not b else f"{a / b:.2f}x"

print("| figure | before (poll) | after (epoll) | after/before |")
print("|---|---|---|---|")
for c in concs:
    for stream, label in ((0, "non-streamed"), (1, "streamed, 16 events")):
        b, a = cpu_figure(before, c, stream, "cpu_us_per_req"), cpu_figure(after, c, stream, "cpu_us_per_req")
        print(f"| client CPU per request, concurrency {c}, {label} (us) | {fmt(b)}{spread(before, c, stream, 'cpu_us_per_req')} "
              f"| {fmt(a)}{spread(after, c, stream, 'cpu_us_per_req')} | {ratio(b, a)} |")
    b, a = cpu_figure(before, c, 1, "cpu_us_per_event"), cpu_figure(after, c, 1, "cpu_us_per_event")
    print(f"| client CPU per SSE event, concurrency {c} (us) | {fmt(b)} | {fmt(a)} | {ratio(b, a)} |")
    b, a = cpu_figure(before, c, 0, "wall_rps"), cpu_figure(after, c, 0, "wall_rps")
    print(f"| requests/s by wall clock, concurrency {c}, non-streamed | {fmt(b)} | {fmt(a)} | {ratio(b, a)} |")

def max_rate(runs):
    rows = [row for rs in runs for row in rs if row["phase"] == "max_rate"]
    return rows

def rate_cell(runs, key):
    rows = max_rate(runs)
    vals = [float(r[key]) for r in rows if float(r["rate"]) > 0]
    if not vals:                      # no rate held, not even the first one
        start = rows[0]["rate_start"] if rows else "?"
        return None, f"none held from {start}/s" if key == "rate" else "n/a"
    note = " (search ceiling)" if key == "rate" and any(r["ceiling"] == "1" for r in rows) else ""
    return med(vals), fmt(med(vals)) + note

for key, label in (("rate", "highest open-loop rate with p99 schedule lag < 1 ms (requests/s)"),
                   ("lag_p99_us", "&nbsp;&nbsp;its p99 schedule lag (us)"),
                   ("cpu_us_per_req", "&nbsp;&nbsp;client CPU per request at that rate (us)")):
    b, bc = rate_cell(before, key)
    a, ac = rate_cell(after, key)
    print(f"| {label} | {bc} | {ac} | {ratio(b, a)} |")
b = med([float(r["start_lag_p99_us"]) for r in max_rate(before) if "start_lag_p99_us" in r])
a = med([float(r["start_lag_p99_us"]) for r in max_rate(after) if "start_lag_p99_us" in r])
start = max_rate(after)[0]["rate_start"] if max_rate(after) else "?"
print(f"| p99 schedule lag at the search's first rate, {start}/s (us) | {fmt(b)} | {fmt(a)} | {ratio(b, a)} |")

def syscalls(side, stream):
    counts = {}
    for n in (n1, n2):
        path = f"{tmp}/strace.{side}.{stream}.{n}"
        if not os.path.exists(path):
            return None, None
        per = {}
        for line in open(path):
            f = line.split()
            if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
                calls = int(f[3])
                per[f[-1]] = calls
        counts[n] = per
    total = (sum(counts[n2].values()) - sum(counts[n1].values())) / (n2 - n1)
    names = set(counts[n1]) | set(counts[n2])
    each = {k: (counts[n2].get(k, 0) - counts[n1].get(k, 0)) / (n2 - n1) for k in names}
    top = sorted(each.items(), key=lambda kv: -kv[1])[:5]
    return total, ", ".join(f"{k} {v:.2f}" for k, v in top if v > 0.01)

for stream, label in ((0, "non-streamed"), (1, "streamed, 16 events")):
    b, btop = syscalls("before", stream)
    a, atop = syscalls("after", stream)
    if b is None or a is None:
        continue
    print(f"| syscalls per request, concurrency 64, {label} | {b:.2f} | {a:.2f} | {ratio(b, a)} |")
    print(f"| &nbsp;&nbsp;most frequent, per request | {btop} | {atop} | |")
print()
if os.path.exists(f"{tmp}/perf.dso"):
    print("Where the client's CPU goes (after; perf record -e cpu-clock, concurrency 1024, non-streamed, 20,000 requests):")
    print()
    print("```")
    print("by object:")
    print(open(f"{tmp}/perf.dso").read().rstrip())
    print("by symbol:")
    print(open(f"{tmp}/perf.sym").read().rstrip())
    print("```")
    print()
print(f"Medians of {reps} repetitions (range in parentheses where there are several). Load average at the end: {load_end}.")
print("Target: highest rate with p99 schedule lag < 1 ms (issue 13); CPU figures are per client process (I/O + consumer threads).")
PY
