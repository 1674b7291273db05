# lib.sh - sourced by the benchmarks/peers/*.sh scripts: paths, the cache
# folder for peers, the machine line, and one measured command.
#
#   peers_cache            ~/.cache/benchai/peers (XDG_CACHE_HOME respected)
#   peers_machine_md       markdown lines: cores, CPU model, kernel, load average
#   peers_loadavg          the 1/5/15-minute load average, now
#   peers_lookup KEY       KEY=value lines on stdin -> value
#   peers_timed OUT CMD... runs CMD under /usr/bin/time -v; OUT gets
#                          "wall_s user_s sys_s maxrss_kb exit" (one line);
#                          CMD's stdout/stderr go to OUT.log
#   peers_die MSG          message on stderr, exit 1
# The caller sets peers_name (for messages) and root (the repository).

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

# GNU time's -v report -> "wall user sys maxrss exit". Wall is
# "h:mm:ss" or "m:ss.ss".
peers_timed() {
    local out="$1"
    shift
    /usr/bin/time -v -o "$out.time" "$@" >"$out.log" 2>&1
    local rc=$?
    awk -v rc="$rc" -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
        END { printf "%s %s %s %s %s\n", w, u, s, m, rc }' "$out.time" >"$out"
    return $rc
}

# /usr/bin/time (package "time") is what measures the harnesses.
[ -x /usr/bin/time ] || peers_die "/usr/bin/time is missing (scripts/install-deps.sh installs package 'time')"
