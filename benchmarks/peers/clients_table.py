#!/usr/bin/env python3
"""clients_table.py - the markdown tables of vs-llama-clients.sh.

    clients_table.py TMP REPS "LOADAVG"

Reads per repetition r, under TMP: speed_bench.r.json (speed_bench.py
--output), llama_eval.r.json (llama-eval.py's state), benchai-speed.r.db and
benchai-gsm8k.r.db (benchai's stores), and each process's measure.py line
(<name>.r). Prints, per pair of tools on the same requests, the figures both
read from llama-server's timings (predicted and prompt tokens/s, draft
acceptance), the client latency, whether the answers agree, and the clients'
own CPU and peak RSS. Means over all requests of all repetitions.
"""
import json
import sqlite3
import statistics
import sys


def mean(xs):
    xs = [x for x in xs if x is not None]
    return statistics.mean(xs) if xs else None


def f(x, digits=1):
    return "n/a" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return "" if not a or not b else f"{b / a:.3f}"


def measured(path):
    wall, user, sys_, rss, rc, private = open(path).read().split()
    return {"cpu": float(user) + float(sys_), "rss_mb": float(rss) / 1024, "wall": float(wall)}


def benchai_samples(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT s.item_id, s.output, s.gen_tps, s.prompt_tps, s.e2e_ms, s.draft_n, s.draft_accepted, "
        "s.completion_tokens, sc.passed, s.finish_reason, s.status FROM samples s "
        "LEFT JOIN scores sc ON sc.sample_id = s.id WHERE s.warmup = 0").fetchall()
    con.close()
    keys = ("id", "output", "gen_tps", "prompt_tps", "e2e_ms", "draft_n", "draft_accepted", "tokens", "passed",
            "finish", "status")
    return [dict(zip(keys, r)) for r in rows]


def acceptance(drafted, accepted):
    d, a = sum(x or 0 for x in drafted), sum(x or 0 for x in accepted)
    return a / d if d else None


def cost_rows(name, runs_a, runs_b):
    a = [measured(p) for p in runs_a]
    b = [measured(p) for p in runs_b]
    ca, cb = mean([x["cpu"] for x in a]), mean([x["cpu"] for x in b])
    ra, rb = mean([x["rss_mb"] for x in a]), mean([x["rss_mb"] for x in b])
    print(f"| client CPU, user + system (s) | {f(ca, 2)} | {f(cb, 2)} | {ratio(ca, cb)} |")
    print(f"| client peak RSS (MB) | {f(ra)} | {f(rb)} | {ratio(ra, rb)} |")


def main():
    tmp, reps, load_end = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rs = range(1, reps + 1)

    # speed_bench.py vs benchai on the same prompts.
    sb = [x for r in rs for x in json.load(open(f"{tmp}/speed_bench.{r}.json"))["results"]]
    bs = [x for r in rs for x in benchai_samples(f"{tmp}/benchai-speed.{r}.db")]
    print("### speed_bench.py (tools/server/bench/speed-bench) and benchai, same prompts")
    print()
    print("| figure | speed_bench.py | benchai | benchai / speed_bench |")
    print("|---|---|---|---|")
    ok_sb = [x for x in sb if x["ok"]]
    ok_bs = [x for x in bs if x["status"] == "ok"]
    print(f"| requests answered | {len(ok_sb)} of {len(sb)} | {len(ok_bs)} of {len(bs)} | |")
    a, b = mean([x["predicted_per_second"] for x in ok_sb]), mean([x["gen_tps"] for x in ok_bs])
    print(f"| predicted tokens/s (server timings, mean per request) | {f(a)} | {f(b)} | {ratio(a, b)} |")
    a, b = mean([x["prompt_per_second"] for x in ok_sb]), mean([x["prompt_tps"] for x in ok_bs])
    print(f"| prompt tokens/s (server timings, mean per request) | {f(a)} | {f(b)} | {ratio(a, b)} |")
    a = acceptance([x["draft_n"] for x in ok_sb], [x["draft_n_accepted"] for x in ok_sb])
    b = acceptance([x["draft_n"] for x in ok_bs], [x["draft_accepted"] for x in ok_bs])
    print(f"| draft acceptance, accepted / drafted | {f(a, 4)} | {f(b, 4)} | {ratio(a, b)} |")
    a, b = mean([x["latency_s"] * 1000 for x in ok_sb]), mean([x["e2e_ms"] for x in ok_bs])
    print(f"| client latency, mean (ms) | {f(a)} | {f(b)} | {ratio(a, b)} |")
    tok_sb = {x["id"]: x["completion_tokens"] for x in ok_sb}
    tok_bs = {x["id"]: x["tokens"] for x in ok_bs}
    same = sum(tok_sb[k] == tok_bs[k] for k in tok_sb if k in tok_bs)
    print(f"| same completion length for the same prompt (speed_bench keeps no text) | {same} of "
          f"{len(set(tok_sb) & set(tok_bs))} | | |")
    cost_rows("speed_bench", [f"{tmp}/speed_bench.{r}" for r in rs], [f"{tmp}/benchai-speed.{r}" for r in rs])
    print()

    # llama-eval.py vs benchai on the prompts llama-eval renders.
    cases = [c for r in rs for c in json.load(open(f"{tmp}/llama_eval.{r}.json"))["task_states"]["cases"].values()]
    bg = [x for r in rs for x in benchai_samples(f"{tmp}/benchai-gsm8k.{r}.db")]
    print("### llama-eval.py (examples/llama-eval, --dataset gsm8k, regex grader) and benchai, same prompts")
    print()
    print("| figure | llama-eval.py | benchai | benchai / llama-eval |")
    print("|---|---|---|---|")
    status = {}
    for c in cases:
        status[c["status"]] = status.get(c["status"], 0) + 1
    finish = {}
    for x in bg:
        finish[x["finish"]] = finish.get(x["finish"], 0) + 1
    print(f"| cases by outcome | {', '.join(f'{k}: {v}' for k, v in sorted(status.items()))} | "
          f"{', '.join(f'finish {k}: {v}' for k, v in sorted(finish.items(), key=str))} | |")
    graded = [c for c in cases if c["status"] == "ok"]
    a = sum(bool(c["correct"]) for c in graded)
    b = sum(bool(x["passed"]) for x in bg)
    print(f"| correct / graded | {a} / {len(graded)} | {b} / {len(bg)} (exact) | |")
    a, b = mean([c["tps_gen"] for c in cases]), mean([x["gen_tps"] for x in bg])
    print(f"| predicted tokens/s (server timings, mean per case) | {f(a)} | {f(b)} | {ratio(a, b)} |")
    by_prompt = {}
    for c in cases:
        by_prompt.setdefault(c["prompt"], c)
    suite_prompts = {}
    for line in open(f"{tmp}/peer_gsm8k_prompts.yaml"):
        line = line.strip()
        if line.startswith("- {id: "):
            item_id = line[7:line.index(",")]
            prompt = json.loads(line[line.index("prompt: ") + 8:line.rindex(", answer:")])
            suite_prompts[item_id] = prompt
    pairs = [(by_prompt[suite_prompts[x["id"]]], x) for x in bg if suite_prompts.get(x["id"]) in by_prompt]
    same = sum((c.get("response") or "") == (x["output"] or "") for c, x in pairs)
    print(f"| identical answer text for the same prompt | {same} of {len(pairs)} | | |")
    cost_rows("llama_eval", [f"{tmp}/llama_eval.{r}" for r in rs], [f"{tmp}/benchai-gsm8k.{r}" for r in rs])
    print()
    print(f"Means over {reps} repetitions. Load average at the end: {load_end}.")


if __name__ == "__main__":
    main()
