# benchai's program side of a Python test (runs the model's code; the tests
# run in the judge, another process that holds the verdict channel).
# argv: request fd, reply fd. Frames: 4-byte big-endian length + pickle.
import sys, os, io, pickle, types, traceback, builtins

_rfd, _wfd = int(sys.argv[1]), int(sys.argv[2])
_PLAIN = (type(None), bool, int, float, complex, str, bytes, bytearray,
          list, tuple, dict, set, frozenset)
_objs = {}


def _deep(fn, *args):
    """Pickling nested values counts against the recursion limit: raised for
    that only (the program's own recursion keeps Python's usual limit)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    try:
        return fn(*args)
    finally:
        sys.setrecursionlimit(old)


class _Out(pickle.Pickler):
    def persistent_id(self, o):
        if type(o) in _PLAIN:
            return None
        _objs[id(o)] = o
        return ("ref", id(o))


class _In(pickle.Unpickler):
    def persistent_load(self, pid):
        return _objs[pid[1]]


def _read(n):
    b = b""
    while len(b) < n:
        c = os.read(_rfd, n - len(b))
        if not c:
            os._exit(0)
        b += c
    return b


def _send(msg):
    f = io.BytesIO()
    try:
        _deep(_Out(f, protocol=5).dump, msg)
    except Exception as e:
        f = io.BytesIO()
        _Out(f, protocol=5).dump(("raise", "TypeError", "cannot send the result: %s" % e, ""))
    data = f.getvalue()
    data = len(data).to_bytes(4, "big") + data
    while data:
        data = data[os.write(_wfd, data):]


def _plain(o):
    for t in (bool, int, float, complex, str, bytes, bytearray, tuple, list, dict, frozenset, set):
        if isinstance(o, t):
            return t(o)
    if hasattr(o, "__iter__"):
        return list(o)
    raise TypeError("a %s object has no plain value to compare" % type(o).__name__)


def _base_exception(e):
    for t in type(e).__mro__:
        if getattr(builtins, t.__name__, None) is t:
            return t.__name__
    return "Exception"


def _serve(g):
    while True:
        req = _deep(_In(io.BytesIO(_read(int.from_bytes(_read(4), "big")))).load)
        op = req[0]
        try:
            if op == "lookup":
                if req[1] in g:
                    _send(("ok", g[req[1]]))
                else:
                    _send(("missing",))
                continue
            obj = _objs[req[1]]
            if op == "call":
                args, kwargs = req[2], req[3]
                res = obj(*args, **kwargs)
                after = [a if type(a) in (list, dict, set, bytearray) else None for a in args]
                _send(("ok", res, after))
            elif op == "getattr":
                _send(("ok", getattr(obj, req[2])))
            elif op == "setattr":
                setattr(obj, req[2], req[3])
                _send(("ok", None))
            elif op == "plain":
                _send(("ok", _plain(obj)))
            else:
                _send(("raise", "RuntimeError", "unknown request", ""))
        except BaseException as e:
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                raise
            _send(("raise", _base_exception(e), str(e)[:2000],
                   "".join(traceback.format_exception(e))[-4000:]))


def _main():
    mod = types.ModuleType("__main__")
    mod.__file__ = "main.py"
    mod.__builtins__ = builtins
    sys.modules["__main__"] = mod
    with open("main.py", encoding="utf-8") as f:
        src = f.read()
    sys.argv = ["main.py"]
    exec(compile(src, "main.py", "exec"), mod.__dict__)
    _serve(mod.__dict__)


_main()
