#!/usr/bin/env bash
# vs-llama-bench.sh - do benchai's speed figures agree with llama-bench's?
# (issue 13, "vs llama-bench"; target: within +-3% where the server path
# allows it.)
#
# For each model in MODELS (default: the tiny dense and MoE test models and
# a small-vocabulary twin of the dense one), REPS times (default 5),
# interleaved (benchai, llama-bench, benchai, llama-bench, ...), at the same
# thread count (THREADS, default 2), from the same llama.cpp build:
#   1. benchai run --suite suites/v1/speed.yaml --threads T --model M
#        --server-arg --no-cache-prompt
#      (8 items: a 512-word prompt, 128 tokens with ignore_eos, one warm-up
#      request excluded). --no-cache-prompt makes llama-server process every
#      prompt whole, so prompt_per_second is a cold pp figure like
#      llama-bench's (the speed suite repeats one prompt, which the server
#      would otherwise take from its cache). Per repetition: mean gen_tps
#      (the server's predicted_per_second), mean prompt_tps, the prompt
#      length P the server saw, and the client-side 1000/TPOT.
#   2. llama-bench -m M -p P -n 128 -d 0,P -r 1 -t T -o json: pp P at depth
#      0 (the server's prompt starts from an empty cache, too) and tg 128 at
#      depth P (each speed request generates with its P-token prompt in the
#      KV cache; depth 0 is printed for reference).
# The table gives both figures (mean +- sd over the repetitions), the ratio
# of the means, and the spread of the per-repetition ratios.
#
# Where the time goes. Per generated token, llama-server does what
# llama-bench does (one decode) plus what only a server does: the sampler
# chain over every logit (even at temperature 0), detokenizing, the
# slot/task loop, and the HTTP streaming. That extra cost per token is
# measured, not estimated: d = 1/gen_tps - 1/tg (microseconds per token, same
# depth) for each model. The small-vocabulary twin (make_small_vocab.py:
# tiny-dense's layers and weights seed, 512 tokens instead of 32000) leaves
# the decode nearly the same but shrinks the vocabulary pass 62x; assuming
# d = fixed + per_entry * V, the two dense models give both terms. The MoE
# model (same vocabulary, 4x the FFN work) shows whether d depends on the
# model's size (a fixed cost does not).
#
#   benchmarks/peers/vs-llama-bench.sh
# Environment: THREADS, REPS, MODELS (space-separated: dense moe vocab512 or
# GGUF paths), BENCHAI_BIN (default ./benchai).
set -euo pipefail

peers_name=vs-llama-bench
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$root"
threads="${THREADS:-2}"
reps="${REPS:-5}"
models="${MODELS:-dense moe vocab512}"
benchai="${BENCHAI_BIN:-$root/benchai}"
[ -x "$benchai" ] || make --no-print-directory -s benchai >/dev/null || peers_die "make failed"
command -v sqlite3 >/dev/null || peers_die "the sqlite3 CLI is needed"

paths="$(bash scripts/install-llama.sh --print)" || peers_die "llama.cpp not built (make models)"
llama_server="$(echo "$paths" | peers_lookup LLAMA_SERVER)"
llama_bench="$(echo "$paths" | peers_lookup LLAMA_BENCH)"
llama_src="$(echo "$paths" | peers_lookup LLAMA_SRC)"
tiny="$(bash scripts/make-test-models)" || peers_die "the tiny models could not be made (make models)"

# The small-vocabulary twin, cached by the hash of both generators.
small_vocab_model() {
    local key dir out
    key="$(cat "$here/make_small_vocab.py" scripts/make_test_models.py | sha256sum | cut -c1-12)"
    dir="$(peers_cache)/models"
    out="$dir/tiny-dense-vocab512-$key.gguf"
    if [ ! -f "$out" ]; then
        mkdir -p "$dir"
        PYTHONPATH="$llama_src/gguf-py:$root/scripts" /usr/bin/python3 "$here/make_small_vocab.py" \
            --src "$llama_src" --out "$out" --vocab 512 >&2 || peers_die "make_small_vocab.py failed"
    fi
    echo "$out"
}

model_path() {
    case "$1" in
    dense) echo "$tiny" | peers_lookup TINY_DENSE ;;
    moe) echo "$tiny" | peers_lookup TINY_MOE ;;
    vocab512) small_vocab_model ;;
    *) echo "$1" ;;
    esac
}

tmp="$(mktemp -d /tmp/benchai-vs-llama-bench.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

echo "## benchai speed suite vs llama-bench: same build, $threads threads, $reps repetitions each, interleaved"
echo
peers_machine_md
version="$("$llama_bench" --version 2>&1 || true)"
echo "- llama.cpp: $(echo "$version" | grep -i -m1 version || echo "$llama_bench")"
echo "- benchai $("$benchai" --version | head -1)"
echo

q() { sqlite3 -batch -noheader "$1" "$2"; }
where="warmup=0 AND status='ok' AND gen_tps > 0"
for name in $models; do
    model="$(model_path "$name")"
    [ -f "$model" ] || peers_die "model $name not found ($model)"
    PYTHONPATH="$llama_src/gguf-py" /usr/bin/python3 -c 'import sys, gguf
print(len(gguf.GGUFReader(sys.argv[1]).fields["tokenizer.ggml.tokens"].data))' "$model" >"$tmp/$name.vocab" \
        || peers_die "cannot read the vocabulary size of $model"
    for r in $(seq 1 "$reps"); do
        echo "vs-llama-bench: $name, repetition $r (load $(peers_loadavg))" >&2
        db="$tmp/$name.$r.db"
        "$benchai" run --suite suites/v1/speed.yaml --threads "$threads" --model "$model" \
            --server-bin "$llama_server" --server-arg --no-cache-prompt --store "$db" --logs "$tmp/logs" \
            >"$tmp/benchai.out" 2>"$tmp/benchai.err" \
            || { cat "$tmp/benchai.err" >&2; peers_die "benchai run failed ($name)"; }
        n="$(q "$db" "SELECT count(*) FROM samples WHERE $where")"
        [ "$n" -gt 0 ] || peers_die "no usable samples for $name ($(q "$db" "SELECT group_concat(DISTINCT error) FROM samples"))"
        q "$db" "SELECT avg(gen_tps), avg(prompt_tps), CAST(round(avg(prompt_tokens)) AS INTEGER),
                 avg(CASE WHEN tpot_ms > 0 THEN 1000.0 / tpot_ms END), avg(completion_tokens), count(*),
                 avg(cached_tokens) FROM samples WHERE $where" | tr '|' ' ' >"$tmp/$name.$r.benchai"
        depth="$(cut -d' ' -f3 "$tmp/$name.$r.benchai")"
        "$llama_bench" -m "$model" -p "$depth" -n 128 -d "0,$depth" -r 1 -t "$threads" -o json \
            >"$tmp/$name.$r.llama-bench.json" 2>"$tmp/llama-bench.err" \
            || { tail -5 "$tmp/llama-bench.err" >&2; peers_die "llama-bench failed ($name)"; }
    done
done

/usr/bin/python3 "$here/llama_bench_table.py" "$tmp" "$reps" "$models" "$(peers_loadavg)"
