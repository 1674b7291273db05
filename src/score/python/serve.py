# benchai's program side of a Python test (runs the model's code; the tests
# run in the judge, another process that holds the verdict channel).
# argv: request fd, reply fd. Frames: 4-byte big-endian length + pickle.
import sys, os, io, pickle, types, traceback, builtins

_rfd, _wfd = int(sys.argv[1]), int(sys.argv[2])
_objs = {}


def _judge_ref(i):
    return _objs[i]


def _ref(i):
    return None


# The references of both sides travel as calls of these two functions,
# found by the unpicklers under a module name of their own.
_refmod = types.ModuleType("benchai_ref")
_refmod.ref, _refmod.remote = _ref, _judge_ref
for _f, _n in ((_ref, "ref"), (_judge_ref, "remote")):
    _f.__module__, _f.__qualname__ = "benchai_ref", _n
sys.modules["benchai_ref"] = _refmod


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
    """Plain values (Python's fast path: exact None, bool, int, float, str,
    bytes, list, tuple, dict, set, frozenset; and complex, bytearray) go by
    value, everything else as a reference the judge can call."""
    def reducer_override(self, o):
        if type(o) in (complex, bytearray) or o is _ref or o is _judge_ref:
            return NotImplemented
        _objs[id(o)] = o
        return (_ref, (id(o),))


class _In(pickle.Unpickler):
    pass


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


def _changed(now, before):
    try:
        return bool(_deep(lambda: now != before))
    except Exception:
        return True


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
        raw = _read(int.from_bytes(_read(4), "big"))
        req = _deep(_In(io.BytesIO(raw)).load)
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
                # (up to 1 MB of arguments: a copy of bigger ones would cost
                # more than the call; they do not come back)
                mutable = [type(a) in (list, dict, set, bytearray) and len(raw) <= (1 << 20)
                           for a in args]
                pristine = _deep(_In(io.BytesIO(raw)).load)[2] if any(mutable) else None
                res = obj(*args, **kwargs)
                # the arguments the call changed go back (the judge's copies
                # change as the caller's would)
                after = [a if m and _changed(a, p) else None for a, m, p in
                         zip(args, mutable, pristine or [None] * len(args))]
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
