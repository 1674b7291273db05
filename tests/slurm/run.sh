#!/usr/bin/env bash
# tests/slurm/run.sh - benchai's Slurm job scripts against a real Slurm
# (make slurm-test; docs/distributed.md). As root on Debian 12:
#
#  1. installs slurmctld, slurmd, slurm-client and munge (install-deps.sh's
#     optional group) and starts munged, slurmctld and slurmd on 127.0.0.1
#     with a minimal slurm.conf in a temp dir: no systemd, free ports, its
#     own munge socket and key, proctrack/linuxproc (no cgroups);
#  2. runs a plan of four points (tiny models, smoke suite) unsharded, then
#     as the job array and merge job `benchai slurm --shards 2` writes, and
#     checks the merged run: the same (config, suite, item, rep) set as the
#     unsharded run, each exactly once, status done, and each configuration's
#     llama-server started exactly once across the array's tasks (counted by
#     a wrapper around llama-server);
#  3. checks that `benchai slurm` refuses --cpus-per-task above every node;
#  4. runs a second sharded run, cancels one task mid-run (scancel: the
#     script's trap copies its partial store), lets the merge job run (the
#     run is interrupted, shard 2 partial), resubmits that index alone
#     (submit.sh 2: it resumes the copy), and checks the re-merged run is
#     done with every sample exactly once;
#  5. stops the jobs and the daemons by pid.
#
# BENCHAI_SLURM_KEEP=1 keeps the temp dir. Exit 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BENCHAI_BIN:-$ROOT/benchai}
start=$(date +%s)
say() { echo "slurm-test: $* ($(( $(date +%s) - start )) s)"; }
fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root: slurmd launches the jobs and munged guards the cluster's credentials"
[ -x "$BIN" ] || fail "$BIN is missing (make benchai)"
BENCHAI_WITH_SLURM=1 bash scripts/install-deps.sh >/dev/null
for c in munged mungekey slurmctld slurmd sbatch squeue scancel sinfo; do
  command -v "$c" >/dev/null || fail "$c not found after installing slurmctld slurmd slurm-client munge"
done
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/benchai
LLAMA=${BENCHAI_LLAMA_SERVER:-$(ls -d "$CACHE"/llama.cpp-*/build/bin/llama-server 2>/dev/null | head -1)}
[ -x "$LLAMA" ] || fail "llama-server not found (make models)"
MODELS=${BENCHAI_MODELS:-$CACHE/models/current}
[ -f "$MODELS/tiny-dense.gguf" ] || fail "tiny models not found in $MODELS (make models)"

T=$(mktemp -d /tmp/benchai-slurm-XXXXXX)
chmod 755 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/work" "$T/scratch"
chmod 700 "$T/munge"
pids=()
cleanup() {
  set +e
  if [ -f "$T/slurm.conf" ] && [ -f "$T/slurmctld.pid" ]; then
    export SLURM_CONF=$T/slurm.conf
    ids=$(squeue -h -o %A 2>/dev/null | sort -u)
    [ -n "$ids" ] && scancel $ids 2>/dev/null
    for _ in $(seq 60); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 1; done
  fi
  # the daemons this script started, by pid: slurmd, slurmctld, munged
  for f in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
  done
  # a job step left behind by a stopped slurmd: only those whose environment
  # names this test's slurm.conf
  for p in $(pgrep -x slurmstepd 2>/dev/null); do
    if tr '\0' ' ' < "/proc/$p/environ" 2>/dev/null | grep -q "SLURM_CONF=$T/slurm.conf"; then kill -9 "$p"; fi
  done
  if [ "${BENCHAI_SLURM_KEEP:-0}" = 1 ]; then echo "slurm-test: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HOST=$(hostname -s)
CPUS=$(nproc)
P1=$(free_port); P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done

mungekey -c -k "$T/munge/munge.key" -b 1024 >/dev/null
chmod 600 "$T/munge/munge.key"
munged -f --socket="$T/munge/munge.sock" --key-file="$T/munge/munge.key" --log-file="$T/log/munged.log" \
  --pid-file="$T/munge/munged.pid" --seed-file="$T/munge/seed"
cat > "$T/slurm.conf" <<EOF
ClusterName=benchai$$
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$P1
SlurmdPort=$P2
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
KillWait=20
NodeName=benchai-node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=bench Nodes=benchai-node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -5 "$T/log/slurmctld.log")"
slurmd -f "$SLURM_CONF" -N benchai-node || fail "slurmd did not start: $(tail -5 "$T/log/slurmd.log")"
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -qx idle && break
  sleep 1
done
sinfo -h -o %T | grep -qx idle || fail "the node never became idle: $(sinfo 2>&1; tail -5 "$T/log/slurmd.log")"
say "munged, slurmctld and slurmd up on 127.0.0.1:$P1/$P2 ($CPUS CPUs)"

# llama-server behind a wrapper that logs every start (not --help/--version)
cat > "$T/llama-wrap.sh" <<EOF
#!/bin/sh
case " \$* " in
  *" --help "*|*" --version "*) ;;
  *) echo "\$*" | sed 's/--port [0-9]*//' >> "\${BENCHAI_TEST_STARTS:-$T/starts.log}" ;;
esac
exec "$LLAMA" "\$@"
EOF
chmod 755 "$T/llama-wrap.sh"
cat > "$T/work/plan.yaml" <<EOF
plan: slurm-test
models_file: $ROOT/benchmarks/models.yaml
suites: [$ROOT/suites/v1/smoke.yaml]
reps: 1
warmup: 0
defaults:
  threads: 1
  ctx: 1024
sweeps:
  - name: experts
    model: tiny-moe
    experts: [1, 2]
  - name: np
    model: tiny-dense
    np: [1, 2]
EOF
cd "$T/work"
export BENCHAI_SCRATCH=$T/scratch
RUN_ARGS=(--server-bin "$T/llama-wrap.sh" --logs "$T/logs" --reps 2)
sql() { sqlite3 "$1" "$2"; }
# (config, suite, item, rep) of a run, one per line, sorted
sample_set() {
  sql "$1" "SELECT c.label || '|' || su.name || '|' || s.item_id || '|' || s.rep FROM samples s
            JOIN configs c ON c.id = s.config_id JOIN suites su ON su.id = s.suite_id
            WHERE s.run_id = '$2' ORDER BY 1"
}
wait_jobs() {   # until no job of ours is queued or running ($1 s at most)
  for _ in $(seq "$1"); do [ -z "$(squeue -h)" ] && return 0; sleep 1; done
  fail "jobs still queued after $1 s: $(squeue)"
}

# --- the unsharded reference run --------------------------------------------------
BENCHAI_TEST_STARTS=$T/starts-whole.log "$BIN" run --plan plan.yaml --store "$T/whole.db" --run-id whole \
  "${RUN_ARGS[@]}" -q > "$T/whole.out" 2>&1 || fail "the unsharded run failed: $(tail -20 "$T/whole.out")"
N_POINTS=$(wc -l < "$T/starts-whole.log")
[ "$N_POINTS" -eq 4 ] || fail "the unsharded run started $N_POINTS servers, not 4"
say "unsharded reference: $(sql "$T/whole.db" "SELECT count(*) FROM samples") samples"

# --- generation-time check: more CPUs than any node has -----------------------------
if "$BIN" slurm plan.yaml --shards 2 --cpus-per-task $((CPUS * 8)) --out "$T/never" -- "${RUN_ARGS[@]}" \
     > "$T/cpus.out" 2>&1; then
  fail "--cpus-per-task $((CPUS * 8)) on a $CPUS-CPU node was accepted"
fi
grep -q "the largest node" "$T/cpus.out" || fail "no reason given: $(cat "$T/cpus.out")"
[ ! -e "$T/never" ] || fail "scripts were written although the request can never run"

# --- phase 1: the job array and the merge job ------------------------------------
"$BIN" slurm plan.yaml --shards 2 --cpus-per-task 1 --time 00:20:00 --run-id sharded --out "$T/slurm1" \
  --shared "$T/shared1" --store "$T/final1.db" -- "${RUN_ARGS[@]}" > "$T/slurm1.out" \
  || fail "benchai slurm: $(cat "$T/slurm1.out")"
grep -q 'SLURM_ARRAY_TASK_COUNT' "$T/slurm1/shard.sbatch" && fail "the script depends on SLURM_ARRAY_TASK_COUNT"
BENCHAI_TEST_STARTS=$T/starts-1.log bash "$T/slurm1/submit.sh" > "$T/submit1.out" || fail "submit: $(cat "$T/submit1.out")"
say "phase 1 submitted: $(cat "$T/submit1.out" | head -1)"
wait_jobs 600
[ -f "$T/final1.db" ] || fail "the merge job wrote no store: $(cat "$T"/slurm1/logs/*)"
[ "$(sql "$T/final1.db" "SELECT status FROM runs WHERE id = 'sharded'")" = done ] \
  || fail "merged run not done: $(cat "$T"/slurm1/logs/merge-*.out)"
sample_set "$T/whole.db" whole > "$T/set-whole"
sample_set "$T/final1.db" sharded > "$T/set-1"
diff "$T/set-whole" "$T/set-1" > /dev/null || fail "sharded and unsharded sample sets differ: $(diff "$T/set-whole" "$T/set-1" | head)"
[ "$(sort -u "$T/set-1" | wc -l)" -eq "$(wc -l < "$T/set-1")" ] || fail "a sample is stored twice"
STARTS=$(wc -l < "$T/starts-1.log")
DISTINCT=$(sort -u "$T/starts-1.log" | wc -l)
[ "$STARTS" -eq 4 ] && [ "$DISTINCT" -eq 4 ] || fail "the array started $STARTS servers ($DISTINCT distinct), not each of the 4 configurations once"
say "phase 1: $(wc -l < "$T/set-1") samples = the unsharded set, each once; 4 server starts for 4 configurations"

# --- phase 2: cancel a task mid-run, resubmit its index ---------------------------
"$BIN" slurm plan.yaml --shards 2 --cpus-per-task 1 --time 00:20:00 --run-id cancelled --out "$T/slurm2" \
  --shared "$T/shared2" --store "$T/final2.db" -- "${RUN_ARGS[@]}" --reps 4 > "$T/slurm2.out" \
  || fail "benchai slurm: $(cat "$T/slurm2.out")"
BENCHAI_TEST_STARTS=$T/starts-2.log bash "$T/slurm2/submit.sh" > "$T/submit2.out"
JOB=$(awk '{print $1}' "$T/slurm2/jobs.txt" | tail -1)
# wait until shard 2 has stored a few samples on its scratch disk, then cancel it
local_db=
for _ in $(seq 600); do
  local_db=$(ls "$T"/scratch/benchai-cancelled-2-*/shard.db 2>/dev/null | head -1 || true)
  if [ -n "$local_db" ] && [ "$(sqlite3 "$local_db" "SELECT count(*) FROM samples" 2>/dev/null || echo 0)" -ge 3 ]; then break; fi
  sleep 0.2
done
[ -n "$local_db" ] || fail "shard 2 never started: $(squeue; cat "$T"/slurm2/logs/* 2>/dev/null)"
scancel "${JOB}_2"
wait_jobs 600
COPY=$T/shared2/cancelled-2.db
[ -f "$COPY" ] || fail "the cancelled shard's store was not copied: $(cat "$T"/slurm2/logs/shard-2-*.out)"
partial=$(sql "$COPY" "SELECT count(*) FROM samples")
[ "$partial" -ge 3 ] && [ "$partial" -lt 40 ] || fail "the copy has $partial samples, not part of shard 2's 40"
[ "$(sql "$T/final2.db" "SELECT status FROM runs WHERE id = 'cancelled'")" = interrupted ] \
  || fail "with shard 2 cancelled the merged run is $(sql "$T/final2.db" "SELECT status FROM runs WHERE id = 'cancelled'")"
grep -q "interrupted 2" "$T"/slurm2/logs/merge-*.out || fail "the merge job does not name shard 2: $(cat "$T"/slurm2/logs/merge-*.out)"
say "phase 2: shard 2 cancelled after $partial samples; its copy merged; run interrupted"
BENCHAI_TEST_STARTS=$T/starts-2.log bash "$T/slurm2/submit.sh" 2 > "$T/resubmit.out" || fail "resubmit: $(cat "$T/resubmit.out")"
wait_jobs 600
[ "$(sql "$T/final2.db" "SELECT status FROM runs WHERE id = 'cancelled'")" = done ] \
  || fail "after the resubmission the run is not done: $(cat "$T"/slurm2/logs/merge-*.out)"
sample_set "$T/final2.db" cancelled > "$T/set-2"
total=$(wc -l < "$T/set-2")
[ "$total" -eq 80 ] || fail "the run has $total samples, not 4 points x 5 items x 4 reps = 80"
[ "$(sort -u "$T/set-2" | wc -l)" -eq 80 ] || fail "a sample is stored twice"
planned=$(sql "$T/final2.db" "SELECT sum(samples) FROM run_planned WHERE run_id = 'cancelled'")
[ "$planned" -eq 80 ] || fail "the manifest plans $planned samples"
STARTS2=$(wc -l < "$T/starts-2.log")
[ "$STARTS2" -le 6 ] || fail "$STARTS2 server starts for 4 configurations and one resumed shard"
say "phase 2: resubmitted shard 2 resumed its copy; 80 of 80 samples, each once; $STARTS2 server starts"
say "passed"
