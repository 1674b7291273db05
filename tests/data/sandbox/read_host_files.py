# Tries to read every path given on stdin (one per line): the store, the
# suites with their expected answers, the user's own files.
import sys
leaked = []
for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    try:
        with open(path, "rb") as f:
            leaked.append("%s (%d bytes)" % (path, len(f.read())))
    except OSError as e:
        print(path, e.strerror, file=sys.stderr)
print("ESCAPED: " + ", ".join(leaked) if leaked else "CONTAINED")
