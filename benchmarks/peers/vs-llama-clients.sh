#!/usr/bin/env bash
# vs-llama-clients.sh - benchai next to the Python clients in llama.cpp's own
# source tree, on the same llama-server and the same requests (issue 13,
# "vs llama.cpp's in-tree clients").
#
# The clients (LLAMA_SRC from scripts/install-llama.sh --print):
#   tools/server/bench/speed-bench/speed_bench.py  per-request server timings
#       (avg prompt and predicted tokens/s), client latency, draft acceptance;
#   examples/llama-eval/llama-eval.py               accuracy of a dataset
#       (regex grader here), with per-case predicted tokens/s.
# Both import `requests` and `tqdm` (Debian: python3-requests, python3-tqdm,
# installed here with apt-get when missing) and `datasets`, the Hugging Face
# package, which Debian 12 does not package (and PyPI is not reachable);
# their prompts come from the Hugging Face hub (SPEED-Bench, GSM8K, AIME) or,
# for llama-eval's GPQA, a CSV URL read by pandas: none is reachable here.
# So this script first records what a plain import says, then runs each
# client unchanged with offline/datasets.py first on PYTHONPATH: a stand-in
# that serves rows from a JSON file generated here. Everything else (HTTP,
# timing, grading, summaries) is the clients' own code.
#
# Work: N prompts (default 16), max OSL tokens (default 64), temperature 0,
# concurrency CONC (default 1); the server is the cached llama-server with the
# tiny dense model and the tiny random-weight draft (-md, --spec-type
# draft-simple where the build has it, so acceptance is a real figure),
# -np CONC, --no-cache-prompt (both tools see cold prompts), started here. Interleaved REPS times (default 2):
#   speed_bench.py on the prompts, then benchai run --no-stream on the same
#   prompts (a generated suite); llama-eval.py --dataset gsm8k on
#   GSM8K-shaped rows, then benchai on the exact prompts llama-eval sends
#   (its template, read from llama-eval.py itself).
# Each process is measured by measure.py (CPU and peak RSS of the client).
# The table compares the server-reported tokens/s and acceptance each tool
# got, the client latency, the outputs (same request, greedy: they should be
# identical), and the clients' own cost.
#
#   benchmarks/peers/vs-llama-clients.sh
# Environment: N, OSL, CONC, REPS, THREADS (server threads, default 2),
# BENCHAI_BIN (default ./benchai).
set -euo pipefail

peers_name=vs-llama-clients
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$root"
n="${N:-16}"
osl="${OSL:-64}"
conc="${CONC:-1}"
reps="${REPS:-2}"
threads="${THREADS:-2}"
benchai="${BENCHAI_BIN:-$root/benchai}"
py=/usr/bin/python3
[ -x "$benchai" ] || make --no-print-directory -s benchai >/dev/null || peers_die "make failed"

# --- the clients and what they need ------------------------------------------------
missing=()
for p in python3-requests python3-tqdm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "vs-llama-clients: installing ${missing[*]} (Debian)" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || peers_die "apt-get install ${missing[*]} failed"
fi
paths="$(bash scripts/install-llama.sh --print)" || peers_die "llama.cpp not built (make models)"
llama_src="$(echo "$paths" | peers_lookup LLAMA_SRC)"
speed_bench="$llama_src/tools/server/bench/speed-bench/speed_bench.py"
llama_eval="$llama_src/examples/llama-eval/llama-eval.py"
[ -f "$speed_bench" ] || peers_die "$speed_bench not found in this llama.cpp tree"
[ -f "$llama_eval" ] || peers_die "$llama_eval not found in this llama.cpp tree"
tiny="$(bash scripts/make-test-models)"
model="$(echo "$tiny" | peers_lookup TINY_DENSE)"
draft="$(echo "$tiny" | peers_lookup TINY_DRAFT)"

tmp="$(mktemp -d /tmp/benchai-vs-llama-clients.XXXXXX)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "## benchai vs llama.cpp's in-tree clients: same llama-server, same requests"
echo
peers_machine_md
echo "- llama.cpp source: $llama_src ($(git -C "$llama_src" log -1 --format=%h 2>/dev/null || echo '?'))"
echo "- Python: $($py --version 2>&1), Debian packages: $(dpkg-query -W -f='${Package} ${Version}, ' python3-requests python3-tqdm)"
echo "- $n prompts, max $osl tokens, temperature 0, concurrency $conc; server: tiny dense + tiny draft (-md), -np $conc, -t $threads"
echo "- $reps repetitions, interleaved"
echo
echo "What a plain import of each client's modules says on this machine (no stand-in):"
echo
for mod in requests tqdm datasets pandas; do
    if out="$($py -c "import $mod" 2>&1)"; then
        echo "- \`import $mod\`: ok"
    else
        echo "- \`import $mod\`: $(echo "$out" | tail -1)"
    fi
done
echo

# --- the work ------------------------------------------------------------------------------
# Prompts for both clients, the offline rows, and benchai's suites (the
# gsm8k prompts rendered with llama-eval's own template).
"$py" - "$tmp" "$n" "$osl" "$llama_eval" <<'PY'
import importlib.util, json, os, sys
tmp, n, osl, llama_eval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
topics = ["a binary search in C", "the causes of the French Revolution", "how rainbows form",
          "a haiku about autumn", "the difference between TCP and UDP", "how vaccines work",
          "a limerick about a cat", "the rules of chess castling"]
speed_rows, gsm_rows = [], []
for i in range(n):
    speed_rows.append({"question_id": f"s{i:03d}", "category": ["coding", "writing"][i % 2],
                       "turns": [f"Item {i}: explain {topics[i % len(topics)]} in a few sentences."]})
    a, b = 3 + 7 * i, 11 + 5 * i
    gsm_rows.append({"question": f"Sam has {a} apples and buys {b} more. How many apples does Sam have?",
                     "answer": f"{a} + {b} = {a + b}\n#### {a + b}"})
json.dump({"nvidia/SPEED-Bench": {"qualitative": speed_rows}, "openai/gsm8k": {"main": gsm_rows}},
          open(os.path.join(tmp, "rows.json"), "w"))
# llama-eval's prompt template, from the file itself (importing it runs no eval).
spec = importlib.util.spec_from_file_location("llama_eval", llama_eval)
le = importlib.util.module_from_spec(spec)
spec.loader.exec_module(le)
template = le.TEMPLATE_REGISTRY["gsm8k"]
q = json.dumps
with open(os.path.join(tmp, "peer_speed_prompts.yaml"), "w") as f:
    f.write(f"suite: peer_speed_prompts\nversion: 1\ndefaults: {{scorer: exact, max_tokens: {osl}, temperature: 0}}\nitems:\n")
    for r in speed_rows:
        f.write(f"  - {{id: {r['question_id']}, prompt: {q(r['turns'][0])}, answer: \"-\"}}\n")
with open(os.path.join(tmp, "peer_gsm8k_prompts.yaml"), "w") as f:
    f.write(f"suite: peer_gsm8k_prompts\nversion: 1\ndefaults: {{scorer: exact, max_tokens: {osl}, temperature: 0}}\nitems:\n")
    for i, r in enumerate(gsm_rows):
        answer = r["answer"].split("####")[-1].strip()
        f.write(f"  - {{id: g{i:03d}, prompt: {q(template.format(question=r['question']))}, answer: {q(answer)}}}\n")
PY

port="$(peers_free_port)"
url="http://127.0.0.1:$port"
# Builds that name the kind of speculation need it said (benchai's launcher
# does the same). No prompt cache: the second tool to send a prompt would
# otherwise find it cached and see another prompt_per_second.
server_args=(-md "$draft" -np "$conc" -t "$threads" --no-cache-prompt)
"$(echo "$paths" | peers_lookup LLAMA_SERVER)" --help 2>&1 | grep -c -- '--spec-type' >/dev/null \
    && server_args+=(--spec-type draft-simple)
peers_llama_server "$port" "$model" "$tmp/llama-server.log" "${server_args[@]}"
echo "vs-llama-clients: llama-server at $url (load $(peers_loadavg))" >&2

export BENCHAI_OFFLINE_ROWS="$tmp/rows.json" PYTHONDONTWRITEBYTECODE=1 HF_HUB_OFFLINE=1
offline_path="$here/offline"
run_benchai() {
    local out="$1" suite="$2"
    peers_timed "$out" "$benchai" run --suite "$suite" --backend openai --url "$url" --model tiny \
        --concurrency "$conc" --warmup 0 --no-stream --store "$out.db" --logs "$tmp/logs" \
        || { tail -20 "$out.log" >&2; peers_die "benchai failed"; }
}
for r in $(seq 1 "$reps"); do
    echo "vs-llama-clients: repetition $r (load $(peers_loadavg))" >&2
    PYTHONPATH="$offline_path" peers_timed "$tmp/speed_bench.$r" "$py" "$speed_bench" --url "$url" \
        --bench qualitative --category all --osl "$osl" --concurrency "$conc" \
        --extra-inputs '{"temperature":0}' --output "$tmp/speed_bench.$r.json" \
        || { tail -20 "$tmp/speed_bench.$r.log" >&2; peers_die "speed_bench.py failed"; }
    run_benchai "$tmp/benchai-speed.$r" "$tmp/peer_speed_prompts.yaml"
    # llama-eval writes its state next to --output and refuses to start over
    # an existing one: a fresh file per repetition.
    (cd "$tmp" && PYTHONPATH="$offline_path" peers_timed "$tmp/llama_eval.$r" "$py" "$llama_eval" --server "$url" \
        --model tiny --dataset gsm8k --n_cases "$n" --n_predict "$osl" --temperature 0 --grader-type regex \
        --threads "$conc" --output "$tmp/llama_eval.$r.json") \
        || { tail -20 "$tmp/llama_eval.$r.log" >&2; peers_die "llama-eval.py failed"; }
    run_benchai "$tmp/benchai-gsm8k.$r" "$tmp/peer_gsm8k_prompts.yaml"
done
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""

"$py" "$here/clients_table.py" "$tmp" "$reps" "$(peers_loadavg)"
