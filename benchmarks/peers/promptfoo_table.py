#!/usr/bin/env python3
"""promptfoo_table.py - the markdown table of vs-promptfoo.sh.

    promptfoo_table.py TMP ITEMS REPS "SERVERS" "LOADAVG"

Reads, under TMP/<server>/, for each tool and repetition r:
  <tool>.r          "wall_s user_s sys_s maxrss_kb exit peak_private_kb" (measure.py)
  <tool>.r.server   the server's CPU seconds during that run
  benchai*.r.db     benchai's store (outputs, verdicts, server timings)
  promptfoo.r.json  promptfoo's results
<tool>.r.maps the resident kB per mapping at the peak, and TMP/pf-version
for `promptfoo --version`. Prints medians (with the
range when there are several repetitions), the ratios promptfoo/benchai
and the issue's targets. Nothing here is a measured figure: all are read.
"""
import json
import os
import sqlite3
import statistics
import sys

TOOLS = (("benchai", "benchai (streamed, default)"),
         ("benchai-nostream", "benchai --no-stream"),
         ("promptfoo", "promptfoo"))


def timed(path):
    wall, user, sys_, rss, rc, private = open(path).read().split()
    return {"wall": float(wall), "cpu": float(user) + float(sys_), "rss_mb": float(rss) / 1024, "exit": int(rc),
            "private_mb": float(private) / 1024}


def benchai_results(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT s.item_id, s.output, sc.passed, s.e2e_ms, s.prompt_ms + s.gen_ms "
        "FROM samples s LEFT JOIN scores sc ON sc.sample_id = s.id WHERE s.warmup = 0").fetchall()
    con.close()
    return {r[0]: {"output": r[1] or "", "passed": bool(r[2]), "latency_ms": r[3], "server_ms": r[4]} for r in rows}


def promptfoo_results(path):
    data = json.load(open(path))
    out = {}
    for r in data["results"]["results"]:
        resp = r.get("response") or {}
        out[r["testCase"]["description"]] = {"output": resp.get("output") or "", "passed": bool(r.get("success")),
                                             "latency_ms": r.get("latencyMs")}
    return out


def maps_line(work, tool, reps, top=6):
    """The largest resident mappings that measure.py recorded (OUT.maps)."""
    path = f"{work}/{tool}.{reps}.maps"
    if not os.path.exists(path):
        return "n/a"
    rows = [line.split(None, 1) for line in open(path) if line.strip()]
    total = sum(int(kb) for kb, _ in rows)
    parts = [f"{os.path.basename(name.strip())} {int(kb) / 1024:.1f}" for kb, name in rows[:top]]
    return f"{total / 1024:.1f} in all: " + ", ".join(parts)


def med(xs):
    return statistics.median(xs) if xs else None


def cell(xs, fmt):
    if not xs:
        return "n/a"
    m = fmt.format(med(xs))
    return m if len(xs) == 1 else f"{m} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


def main():
    tmp, items, reps, servers, load_end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(), sys.argv[5]
    for server in servers:
        work = os.path.join(tmp, server)
        fig = {}
        for tool, _ in TOOLS:
            runs = [timed(f"{work}/{tool}.{r}") for r in range(1, reps + 1)]
            server_cpu = [float(open(f"{work}/{tool}.{r}.server").read()) for r in range(1, reps + 1)]
            if tool == "promptfoo":
                res = [promptfoo_results(f"{work}/promptfoo.{r}.json") for r in range(1, reps + 1)]
            else:
                res = [benchai_results(f"{work}/{tool}.{r}.db") for r in range(1, reps + 1)]
            fig[tool] = {
                "wall": [x["wall"] for x in runs], "cpu": [x["cpu"] for x in runs],
                "cpu_item_ms": [x["cpu"] * 1000 / items for x in runs], "rss": [x["rss_mb"] for x in runs],
                "private": [x["private_mb"] for x in runs],
                "server_cpu": server_cpu, "answered": [len(x) for x in res],
                "passed": [sum(v["passed"] for v in x.values()) for x in res], "results": res,
            }
        title = {"stub": "loopback stub (instant answers: the harness's own cost)",
                 "tiny": "tiny-model llama-server, -np 4"}.get(server, server)
        print(f"### {title}")
        print()
        print("| figure | " + " | ".join(label for _, label in TOOLS) + " | promptfoo / benchai |")
        print("|---|" + "---|" * (len(TOOLS) + 1))
        rows = (("wall (s)", "wall", "{:.2f}"), ("harness CPU, user + system (s)", "cpu", "{:.2f}"),
                ("harness CPU per item (ms)", "cpu_item_ms", "{:.3f}"), ("peak RSS (MB)", "rss", "{:.1f}"),
                ("peak private memory, RssAnon + RssShmem (MB)", "private", "{:.1f}"),
                ("items answered", "answered", "{:.0f}"), ("items passed", "passed", "{:.0f}"),
                ("server CPU during the run (s, not counted)", "server_cpu", "{:.2f}"))
        for label, key, fmt in rows:
            b, p = med(fig["benchai"][key]), med(fig["promptfoo"][key])
            ratio = f"{p / b:.1f}x" if b and p is not None and key in ("wall", "cpu", "cpu_item_ms", "rss", "private") else ""
            print(f"| {label} | " + " | ".join(cell(fig[t][key], fmt) for t, _ in TOOLS) + f" | {ratio} |")
        print()
        cpu_ratio = med(fig["promptfoo"]["cpu"]) / med(fig["benchai"]["cpu"])
        cpu_ratio_ns = med(fig["promptfoo"]["cpu"]) / med(fig["benchai-nostream"]["cpu"])
        rss_ratio = med(fig["promptfoo"]["rss"]) / med(fig["benchai"]["rss"])
        private_ratio = med(fig["promptfoo"]["private"]) / med(fig["benchai"]["private"])
        wall_ratio = med(fig["promptfoo"]["wall"]) / med(fig["benchai"]["wall"])
        verdict = lambda ok: "met" if ok else "NOT met"
        if server == "stub":
            print(f"- target >= 100x less harness CPU per item: {cpu_ratio:.0f}x streamed, {cpu_ratio_ns:.0f}x "
                  f"non-streamed: {verdict(cpu_ratio >= 100)}")
            print(f"- target >= 20x less peak RSS: {rss_ratio:.1f}x: {verdict(rss_ratio >= 20)} "
                  f"(private memory alone: {private_ratio:.0f}x)")
            for tool in ("benchai", "promptfoo"):
                print(f"- where {tool}'s RSS goes at its peak (last repetition, MB): {maps_line(work, tool, reps)}")
        else:
            print(f"- target wall no worse than promptfoo's: promptfoo/benchai {wall_ratio:.2f}x: "
                  f"{verdict(wall_ratio >= 1)}")
            print(f"- target >= 20x less harness CPU per item: {cpu_ratio:.0f}x streamed, {cpu_ratio_ns:.0f}x "
                  f"non-streamed: {verdict(cpu_ratio >= 20)}")
            # Same server, same prompts, temperature 0: the answers should be
            # the same, and so should the verdicts on them.
            b, p = fig["benchai-nostream"]["results"][-1], fig["promptfoo"]["results"][-1]
            common = sorted(set(b) & set(p))
            same_out = sum(b[k]["output"] == p[k]["output"] for k in common)
            same_verdict = sum(b[k]["passed"] == p[k]["passed"] for k in common)
            print(f"- agreement (last repetition, benchai --no-stream vs promptfoo, {len(common)} items): identical "
                  f"outputs {same_out}, identical verdicts {same_verdict}")
            over_b = [v["latency_ms"] - v["server_ms"] for v in b.values()
                      if v["latency_ms"] is not None and v["server_ms"] is not None]
            over_p = [p[k]["latency_ms"] - b[k]["server_ms"] for k in common
                      if p[k]["latency_ms"] is not None and b[k]["server_ms"] is not None]
            if over_b and over_p:
                print(f"- client latency minus the server's own time (prompt_ms + predicted_ms), median per item: "
                      f"benchai {med(over_b):.2f} ms, promptfoo {med(over_p):.2f} ms (promptfoo's against "
                      f"benchai's server timings of the same item)")
        print()
    v = timed(os.path.join(tmp, "pf-version"))
    print(f"`promptfoo --version` alone: {v['wall']:.2f} s wall, {v['cpu']:.2f} CPU-s, {v['rss_mb']:.0f} MB peak RSS.")
    print()
    print(f"Load average at the end: {load_end}. CPU is the harness's process tree (wait4), the server excluded; "
          "peak RSS is the largest single process of the tree (as GNU time reports it), shared-library pages "
          "included; private memory is sampled every 20 ms.")


if __name__ == "__main__":
    main()
