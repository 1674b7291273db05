# Four processes of 200 MB each: under the per-process address-space limit
# of 256 MB, but 800 MB together.
import os, sys, time
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        b = bytearray(200 << 20)
        for j in range(0, len(b), 4096):
            b[j] = 1
        print("child", i, "holds 200 MB", file=sys.stderr, flush=True)
        time.sleep(3)
        os._exit(0)
    kids.append(pid)
codes = [os.waitpid(p, 0)[1] for p in kids]
print("ESCAPED: 800 MB" if all(c == 0 for c in codes) else "killed: %s" % codes)
