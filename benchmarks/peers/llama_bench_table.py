#!/usr/bin/env python3
"""llama_bench_table.py - the markdown table of vs-llama-bench.sh.

    llama_bench_table.py TMP REPS "MODELS" "LOADAVG"

Reads, for each model name and repetition r, TMP/<name>.<r>.benchai
("gen_tps prompt_tps P client_tps completion_tokens samples cached_tokens",
means over the speed suite's samples), TMP/<name>.<r>.llama-bench.json and
TMP/<name>.vocab. Prints per model: tg at depth P and pp at depth 0, both
tools, mean +- sd over the repetitions, the ratio of the means and the range
of the per-repetition ratios; the server-only time per generated token
d = 1e6/gen_tps - 1e6/tg; and, when two models of different vocabulary
sizes were run, d solved into a fixed part and a part per vocabulary entry.
"""
import json
import statistics
import sys


def mean_sd(xs):
    if not xs:
        return None, None
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def fmt(xs, digits=1):
    m, s = mean_sd(xs)
    return "n/a" if m is None else f"{m:.{digits}f} +- {s:.{digits}f}"


def load(tmp, name, reps):
    runs = []
    for r in range(1, reps + 1):
        gen, pp, depth, client, n_gen, n, cached = open(f"{tmp}/{name}.{r}.benchai").read().split()
        rows = json.load(open(f"{tmp}/{name}.{r}.llama-bench.json"))
        depth = int(depth)
        pick = lambda p, g, d: next((x["avg_ts"] for x in rows if x["n_prompt"] == p and x["n_gen"] == g
                                     and x["n_depth"] == d), None)
        runs.append({"gen": float(gen), "pp": float(pp or 0), "depth": depth,
                     "client": float(client) if client else None, "n": int(n), "cached": float(cached or 0),
                     "tg_d": pick(0, 128, depth), "tg_0": pick(0, 128, 0), "pp_0": pick(depth, 0, 0),
                     "build": rows[0].get("build_commit", "?") if rows else "?"})
    vocab = int(open(f"{tmp}/{name}.vocab").read())
    return runs, vocab


def ratio_cells(num, den):
    rs = [a / b for a, b in zip(num, den) if a and b]
    if not rs:
        return "n/a", "n/a", None
    m = statistics.mean(num) / statistics.mean(den)
    verdict = "within +-3%" if abs(m - 1) <= 0.03 else "outside +-3%"
    return f"{m:.3f} ({verdict})", f"{min(rs):.3f}-{max(rs):.3f}", m


def main():
    tmp, reps, names, load_end = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4]
    gaps = {}
    print("| model | figure | benchai (llama-server timings) | llama-bench | benchai / llama-bench | per-repetition ratios |")
    print("|---|---|---|---|---|---|")
    for name in names:
        runs, vocab = load(tmp, name, reps)
        depth = runs[0]["depth"]
        gen = [x["gen"] for x in runs]
        tg_d = [x["tg_d"] for x in runs]
        ratio, spread, _ = ratio_cells(gen, tg_d)
        label = f"{name} (vocab {vocab})"
        print(f"| {label} | tg 128 at depth {depth} (tok/s) | {fmt(gen)} | {fmt(tg_d)} | {ratio} | {spread} |")
        pp = [x["pp"] for x in runs]
        pp_0 = [x["pp_0"] for x in runs]
        ratio, spread, _ = ratio_cells(pp, pp_0)
        print(f"| | pp {depth} at depth 0 (tok/s) | {fmt(pp)} | {fmt(pp_0)} | {ratio} | {spread} |")
        client = [x["client"] for x in runs if x["client"]]
        ratio, spread, _ = ratio_cells(client, tg_d[:len(client)])
        print(f"| | client-side 1000/TPOT (tok/s, includes HTTP streaming) | {fmt(client)} | | {ratio} | {spread} |")
        tg_0 = [x["tg_0"] for x in runs if x["tg_0"]]
        print(f"| | llama-bench tg 128 at depth 0, for reference (tok/s) | | {fmt(tg_0)} | | |")
        # Server-only microseconds per generated token, per repetition.
        d = [1e6 / g - 1e6 / t for g, t in zip(gen, tg_d) if g and t]
        gaps[name] = (vocab, d, statistics.mean([1e6 / t for t in tg_d if t]))
        print(f"| | server-only time per token, 1e6/gen_tps - 1e6/tg (us) | {fmt(d)} | of {statistics.mean([1e6 / t for t in tg_d if t]):.1f} us per decode | | |")
        cached = statistics.mean(x["cached"] for x in runs)
        print(f"| | samples per run; prompt tokens taken from the cache | {runs[0]['n']}; {cached:.0f} | | | |")
    print()
    print(f"llama.cpp build {load(tmp, names[0], reps)[0][0]['build']}; mean +- sd over {reps} repetitions; "
          f"load average at the end: {load_end}.")
    print()
    # Solve d = fixed + per_entry * V from the two vocabulary sizes with the
    # same layers (dense and its small-vocabulary twin).
    small = [n for n in gaps if gaps[n][0] < 4096]
    big = [n for n in gaps if gaps[n][0] >= 4096 and n in ("dense",)]
    if small and big:
        (v1, d1, _), (v2, d2, _) = gaps[big[0]], gaps[small[0]]
        m1, m2 = statistics.mean(d1), statistics.mean(d2)
        per_entry = (m1 - m2) / (v1 - v2)
        fixed = m2 - per_entry * v2
        print(f"Server-only cost per generated token, solved from {big[0]} (vocab {v1}) and {small[0]} (vocab {v2}): "
              f"{fixed:.1f} us fixed + {per_entry * 1000:.2f} ns per vocabulary entry "
              f"(= {per_entry * v1:.1f} us at vocab {v1}: the sampler's pass over the logits).")
        for n, (v, d, decode) in gaps.items():
            predicted = fixed + per_entry * v
            print(f"- {n}: measured {statistics.mean(d):.1f} us per token, the two terms predict {predicted:.1f} us; "
                  f"that explains a tg ratio of {decode / (decode + predicted):.3f}.")


if __name__ == "__main__":
    main()
