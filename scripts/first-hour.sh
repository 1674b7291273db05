#!/usr/bin/env bash
# first-hour.sh - a new user's first hour with benchai, checked the way they
# would see it (`make first-hour`; CI runs it after `make check`).
#
# A fresh `git clone` of this repository (its HEAD commit: uncommitted
# changes are not in it) into a temp directory; there, under a pseudo-
# terminal (script(1)), the README's first command `make demo`, then
# `benchai run` twice on the shipped smoke suite, `runs`, `show`, `compare`
# of the two runs and `report`, typed one after another as a person would. The captured
# terminal output must show
#   - every command exiting 0;
#   - the demo's table, the store path and what to try next;
#   - progress while a run is going (an items-done/total count before the
#     run's closing line), then the run's table;
#   - show's, runs' and compare's tables, and the path of the report, which exists;
#   - no line with "warning:" (compiler or benchai or gnuplot), no sanitizer
#     report, no "runtime error".
# On failure it prints what failed and the whole transcript. The llama.cpp
# build and the tiny models come from ~/.cache/benchai (built by the first
# `make demo`/`make check` on the machine), so a warm run is a build of
# benchai plus a minute of runs.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/benchai-first-hour-XXXXXX")
keep=${BENCHAI_KEEP_FIRST_HOUR:-}
cleanup() { if [ -z "$keep" ]; then rm -rf "$work"; else echo "first-hour: kept $work"; fi; }
trap cleanup EXIT

start=$(date +%s)
# The person's shell, not a make recipe's: a make started from `make
# first-hour` would otherwise print "Entering directory" lines.
unset MAKELEVEL MAKEFLAGS MFLAGS
git clone -q "$repo" "$work/benchai"
cd "$work/benchai"

# What the person types, one command at a time; "[exit N]" after each so
# the checks below can see every status in the same transcript.
cat > "$work/session.sh" <<'EOF'
stty cols 120 rows 40 2>/dev/null || true
step() {
  printf '\n$ %s\n' "$*"
  local t0=$SECONDS
  "$@"
  printf '[exit %d after %d s]\n' "$?" "$((SECONDS - t0))"
}
step make demo
step ./benchai run --suite smoke --tag first
step ./benchai run --suite smoke --tag second
step ./benchai runs
step ./benchai show latest
step ./benchai compare tag:first tag:second
step ./benchai report tag:first tag:second --out report
EOF

transcript="$work/transcript"
set +e
TERM=xterm-256color script -qfec "bash $work/session.sh" "$transcript" </dev/null >/dev/null 2>&1
script_rc=$?
set -e
secs=$(( $(date +%s) - start ))

# The transcript as the eye reads it: carriage returns and ANSI sequences
# gone (a redrawn progress line leaves its last state and its earlier ones).
plain="$work/plain"
sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r$//' -e 's/\r/\n/g' "$transcript" > "$plain"

failures=()
need() {   # need DESCRIPTION PATTERN [FILE]: an extended regex must match
  grep -Eq -- "$2" "${3:-$plain}" || failures+=("$1 (no line matches /$2/)")
}
# the text printed by one step: from its "$ command" line to its [exit] line
step_text() {
  awk -v cmd="\$ $1" 'index($0, cmd) == 1 { on = 1 } on { print } on && /^\[exit [0-9]+ / { exit }' "$plain"
}

[ "$script_rc" -eq 0 ] || failures+=("script(1) exited $script_rc")
n_steps=$(grep -c '^\$ ' "$plain" || true)
n_ok=$(grep -c '^\[exit 0 ' "$plain" || true)
[ "$n_steps" -eq 7 ] && [ "$n_ok" -eq 7 ] || failures+=("$n_ok of 7 commands exited 0 ($n_steps started)")

step_text 'make demo' > "$work/demo"
need "the demo's table" '^\| *tiny-dense *\| *smoke' "$work/demo"
need "the demo names the store" 'results/benchai\.db' "$work/demo"
need "the demo says what to try next" '--model' "$work/demo"

step_text './benchai run --suite smoke --tag first' > "$work/run"
# progress: an items count such as 3/6 printed before the closing "run ...: done"
awk '/^run [^ ]+: done/ { exit } { print }' "$work/run" > "$work/run-progress"
need "progress while the run goes (items done/total)" '[0-9]+ ?/ ?[0-9]+' "$work/run-progress"
need "the run's closing table" '^\| *tiny-dense *\| *smoke' "$work/run"
need "runs lists the tagged runs" 'first' <(step_text './benchai runs')
need "show prints the scores table" '\| *smoke' <(step_text './benchai show latest')
need "compare prints the paired suite" 'smoke' <(step_text './benchai compare tag:first tag:second')
need "report prints the path of the page" 'report/index\.html' <(step_text './benchai report tag:first tag:second --out report')
[ -s report/index.html ] || failures+=("report/index.html was not written")

noise=$(grep -Ein 'warning:|sanitizer|runtime error|leak of' "$plain" || true)
[ -z "$noise" ] || failures+=("lines a user would take for trouble:"$'\n'"$noise")

if [ "${#failures[@]}" -ne 0 ]; then
  echo "first-hour: FAILED after ${secs} s:"
  for f in "${failures[@]}"; do echo "  - $f"; done
  echo "---- transcript (carriage returns and colours removed) ----"
  cat "$plain"
  echo "---- end of transcript ----"
  exit 1
fi
echo "first-hour: passed in ${secs} s under a pty:"
grep -E '^\$ |^\[exit ' "$plain" | paste - - | sed 's/^/  /'
