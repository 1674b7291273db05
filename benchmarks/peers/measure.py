#!/usr/bin/env python3
"""measure.py - one harness run, measured from outside.

    measure.py OUT CMD [ARG...]

Runs CMD (stdout and stderr to OUT.log) and writes one line to OUT:

    wall_s user_s sys_s maxrss_kb exit peak_private_kb

user_s, sys_s and maxrss_kb come from wait4(): CPU of CMD and of every
descendant it waited for (microsecond resolution), and the peak resident
set of the largest single process among them (as GNU time -v reports it).
peak_private_kb is the highest sum, over CMD's live process tree, of
RssAnon + RssShmem (/proc/PID/status) sampled every 20 ms: memory that is
the harness's own, without the shared-library pages that every process
mapping libc or OpenSSL shares. Nothing else runs in the tree, so a server
started elsewhere is never counted. OUT.maps gets, for the sample where the
largest process's VmRSS was highest, that process's resident kB per mapped
file (anonymous memory as [anon]), largest first: where the RSS goes.
"""
import os
import subprocess
import sys
import time


def children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass
    return kids


def private_kb(pid):
    total = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("RssAnon:", "RssShmem:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(root):
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += children(pid)
    return pids


def rss_by_mapping(pid):
    """Resident kB per mapped file of pid (smaps), anonymous memory summed."""
    per, name = {}, "[anon]"
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if "-" in fields[0] and len(fields) >= 5:
                    name = fields[5] if len(fields) > 5 and fields[5].startswith("/") else "[anon]"
                elif fields[0] == "Rss:":
                    per[name] = per.get(name, 0) + int(fields[1])
    except OSError:
        return None
    return per


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: measure.py OUT CMD [ARG...]")
    out, cmd = sys.argv[1], sys.argv[2:]
    with open(out + ".log", "wb") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        peak, peak_rss, maps = 0, 0, None
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            pids = tree(proc.pid)
            peak = max(peak, sum(private_kb(p) for p in pids))
            rss, biggest = max((status_kb(p, "VmRSS"), p) for p in pids)
            if rss > peak_rss:
                peak_rss, maps = rss, rss_by_mapping(biggest) or maps
            time.sleep(0.02)
        wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out, "w") as f:
        f.write(f"{wall:.4f} {ru.ru_utime:.6f} {ru.ru_stime:.6f} {ru.ru_maxrss} {proc.returncode} {peak}\n")
    with open(out + ".maps", "w") as f:
        for name, kb in sorted((maps or {}).items(), key=lambda kv: -kv[1]):
            f.write(f"{kb} {name}\n")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
