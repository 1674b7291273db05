# Connects to host AF_UNIX sockets: a socket file (path on the first line of
# stdin) and an abstract name (second line), and sends a line to each.
import socket, sys
lines = sys.stdin.read().split("\n")
reached = []
for addr in (lines[0], "\0" + lines[1]):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect(addr)
        s.sendall(b"escaped\n")
        reached.append(repr(addr))
    except OSError as e:
        print(repr(addr), e, file=sys.stderr)
print("ESCAPED: " + ", ".join(reached) if reached else "CONTAINED")
