# lib.sh - sourced by the benchmarks/peers/*.sh scripts: paths, the cache
# folder for peers, the machine line, and one measured command.
#
#   peers_cache            ~/.cache/benchai/peers (XDG_CACHE_HOME respected)
#   peers_machine_md       markdown lines: cores, CPU model, kernel, load average
#   peers_loadavg          the 1/5/15-minute load average, now
#   peers_lookup KEY       KEY=value lines on stdin -> value
#   peers_timed OUT CMD... runs CMD and measures it from outside (measure.py):
#                          OUT gets "wall_s user_s sys_s maxrss_kb exit
#                          peak_private_kb"; CMD's stdout/stderr go to OUT.log
#   peers_free_port        a free port on 127.0.0.1
#   peers_wait_http URL S  waits up to S seconds for GET URL to answer 200
#   peers_proc_cpu PID     user + system CPU seconds of a running process
#   peers_llama_server PORT MODEL LOG ARGS...
#                          starts the cached llama-server (sets server_pid)
#   peers_die MSG          message on stderr, exit 1
# The caller sets peers_name (for messages), here (this folder) and root
# (the repository).

peers_die() { echo "${peers_name:-peers}: $*" >&2; exit 1; }

peers_cache() { echo "${XDG_CACHE_HOME:-$HOME/.cache}/benchai/peers"; }

peers_lookup() { sed -n "s/^$1=//p"; }

peers_loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

peers_machine_md() {
    local cpu
    cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r), $(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "- load average at start: $(peers_loadavg)"
}

peers_timed() { /usr/bin/python3 "$here/measure.py" "$@"; }

# A free TCP port on 127.0.0.1 (the kernel's pick; closed again at once).
peers_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until GET URL answers 200 (at most $2 seconds); 1 when it never did.
peers_wait_http() {
    /usr/bin/python3 - "$1" "${2:-120}" <<'PY'
import sys, time, urllib.request
url, limit = sys.argv[1], float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        if urllib.request.urlopen(url, timeout=2).status == 200:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit(1)
PY
}

# CPU seconds (user + system) a process has used so far, from /proc.
peers_proc_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " "); printf "%.3f\n", (f[12] + f[13]) / hz }' \
        "/proc/$1/stat"
}

# Starts the cached llama-server on 127.0.0.1:PORT with MODEL and extra
# arguments; sets server_pid. Waits for /health.
peers_llama_server() {
    local port="$1" model="$2" log="$3"
    shift 3
    local server
    server="$(bash "$root/scripts/install-llama.sh" --print | peers_lookup LLAMA_SERVER)" \
        || peers_die "no cached llama.cpp build (make models)"
    "$server" -m "$model" --host 127.0.0.1 --port "$port" "$@" >"$log" 2>&1 &
    server_pid=$!
    peers_wait_http "http://127.0.0.1:$port/health" 300 \
        || { tail -5 "$log" >&2; peers_die "llama-server did not become healthy"; }
}
