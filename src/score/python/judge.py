# benchai's judge of a Python test: runs the tests of the item (humaneval's
# check, or the asserts) against the program's code, which runs in another
# process (serve). The item comes on stdin and never reaches that process;
# the verdicts go out on fd 3, which it never has. Verdict lines:
#   PASS i | FAIL i {json}
import sys, os, io, json, pickle, builtins, subprocess, ast, traceback, ctypes, types

_libc = ctypes.CDLL(None, use_errno=True)
if _libc.prctl(4, 0, 0, 0, 0) != 0:       # PR_SET_DUMPABLE 0: /proc/<judge> closed to the program
    raise SystemExit("judge: cannot make itself undumpable")
_verdict = os.fdopen(3, "w", buffering=1)
os.set_inheritable(3, False)
_spec = json.loads(sys.stdin.buffer.read().decode("utf-8"))
_null = os.open("/dev/null", os.O_RDONLY)
os.dup2(_null, 0)

_q_r, _q_w = os.pipe()
_a_r, _a_w = os.pipe()
_prog = subprocess.Popen([sys.executable, "-I", "-X", "utf8", _spec["serve"], str(_q_r), str(_a_w)],
                         pass_fds=(_q_r, _a_w), stdin=subprocess.DEVNULL, close_fds=True)
os.close(_q_r)
os.close(_a_w)


class ProgramGone(Exception):
    pass


def _gone():
    try:
        st = _prog.wait(timeout=5)
    except Exception:
        st = None
    return ProgramGone("the program ended before the tests finished (exit status %s)" % st)


def _deep(fn, *args):
    """Pickling nested values counts against the recursion limit: raised for
    that only (the program's own recursion keeps Python's usual limit)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    try:
        return fn(*args)
    finally:
        sys.setrecursionlimit(old)


def _program_ref(i):
    return None


# The program's objects travel as calls of benchai_ref.remote (name shared
# with serve); ours come back as benchai_ref.ref.
_refmod = types.ModuleType("benchai_ref")
_refmod.remote = _program_ref
_program_ref.__module__, _program_ref.__qualname__ = "benchai_ref", "remote"
sys.modules["benchai_ref"] = _refmod


class _Out(pickle.Pickler):
    def reducer_override(self, o):
        if type(o) is Remote:
            return (_program_ref, (o._bai_id,))
        return NotImplemented


_SAFE = {("builtins", "complex"), ("builtins", "set"), ("builtins", "frozenset"),
         ("builtins", "bytearray")}


class _In(pickle.Unpickler):
    """Only plain values and references to the program's objects: no class
    or function of the program's can be built here."""
    def find_class(self, module, name):
        if (module, name) in _SAFE:
            return getattr(builtins, name)
        if (module, name) == ("benchai_ref", "ref"):
            return Remote
        raise pickle.UnpicklingError("the program sent a %s.%s" % (module, name))


def _read(n):
    b = b""
    while len(b) < n:
        c = os.read(_a_r, n - len(b))
        if not c:
            raise _gone()
        b += c
    return b


def _rpc(*msg):
    f = io.BytesIO()
    try:
        _deep(_Out(f, protocol=5).dump, msg)
    except Exception as e:
        raise TypeError("cannot pass this value to the program: %s" % e)
    data = f.getvalue()
    data = len(data).to_bytes(4, "big") + data
    try:
        while data:
            data = data[os.write(_q_w, data):]
    except OSError:
        raise _gone()
    rep = _deep(_In(io.BytesIO(_read(int.from_bytes(_read(4), "big")))).load)
    if rep[0] == "raise":
        exc = getattr(builtins, rep[1], None)
        if not (isinstance(exc, type) and issubclass(exc, BaseException)) or \
                issubclass(exc, (SystemExit, KeyboardInterrupt, GeneratorExit)):
            exc = RuntimeError
        raise exc(rep[2])
    return rep


def _restore(arg, after):
    if type(arg) is list and type(after) is list:
        arg[:] = after
    elif type(arg) is dict and type(after) is dict:
        arg.clear()
        arg.update(after)
    elif type(arg) is set and type(after) is set:
        arg.clear()
        arg.update(after)
    elif type(arg) is bytearray and type(after) is bytearray:
        arg[:] = after


class Remote:
    """An object of the program: calls and attributes go to it; comparing,
    hashing, iterating or printing it uses its plain value (numbers,
    strings, lists, ...), never a method of the program's."""
    __slots__ = ("_bai_id",)

    def __init__(self, i):
        object.__setattr__(self, "_bai_id", i)

    def __call__(self, *args, **kwargs):
        rep = _rpc("call", self._bai_id, args, kwargs)
        for a, after in zip(args, rep[2]):
            if after is not None:
                _restore(a, after)
        return rep[1]

    def __getattr__(self, name):
        return _rpc("getattr", self._bai_id, name)[1]

    def __setattr__(self, name, value):
        _rpc("setattr", self._bai_id, name, value)

    def _bai_plain(self):
        return _rpc("plain", self._bai_id)[1]

    def __eq__(self, other):
        if type(other) is Remote and other._bai_id == self._bai_id:
            return True
        try:
            mine = self._bai_plain()
        except TypeError:
            return False
        return mine == (other._bai_plain() if type(other) is Remote else other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __bool__(self):
        try:
            return bool(self._bai_plain())
        except TypeError:
            return True

    def __hash__(self):
        try:
            return hash(self._bai_plain())
        except TypeError:
            return hash(("remote", self._bai_id))

    def __repr__(self):
        try:
            return repr(self._bai_plain())
        except Exception:
            return "<an object of the program>"

    __str__ = __repr__


def _plain_op(name):
    def op(self, *others):
        others = [o._bai_plain() if type(o) is Remote else o for o in others]
        return getattr(self._bai_plain(), name)(*others)
    return op


for _n in ("__lt__", "__le__", "__gt__", "__ge__", "__len__", "__iter__", "__contains__",
           "__getitem__", "__int__", "__float__", "__index__", "__add__", "__radd__",
           "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
           "__floordiv__", "__mod__", "__neg__", "__abs__", "__round__", "__reversed__"):
    setattr(Remote, _n, _plain_op(_n))


class Namespace(dict):
    """The tests' globals: their own names and Python's builtins first,
    then the program's names (as Remote objects, or plain values)."""
    def __missing__(self, name):
        if hasattr(builtins, name):
            raise KeyError(name)
        rep = _rpc("lookup", name)
        if rep[0] != "ok":
            raise KeyError(name)
        return rep[1]


def _say(line):
    _verdict.write(line + "\n")


def _failure(i, e, extra=None):
    d = {"error": (type(e).__name__ + ": " + str(e))[:500],
         "kind": "failed" if isinstance(e, AssertionError) else "runtime_error"}
    if isinstance(e, ProgramGone):
        d["kind"] = "program_ended"
    tb = traceback.extract_tb(e.__traceback__)
    for fr in reversed(tb):
        if fr.filename == "<test>" and fr.line:
            d["line"] = fr.line.strip()[:500]
            break
    if extra:
        d.update(extra)
    _say("FAIL %d %s" % (i, json.dumps(d)))


def _explain(src, g):
    try:
        t = ast.parse(src).body[0]
        if (isinstance(t, ast.Assert) and isinstance(t.test, ast.Compare)
                and len(t.test.ops) == 1 and isinstance(t.test.ops[0], ast.Eq)):
            ev = lambda e: eval(compile(ast.Expression(e), "<assert>", "eval"), g)
            return {"expected": repr(ev(t.test.comparators[0]))[:500],
                    "actual": repr(ev(t.test.left))[:500]}
    except BaseException:
        pass
    return {}


def _main():
    g = Namespace()
    g["__builtins__"] = builtins
    g["__name__"] = "__benchai_test__"
    if _spec["form"] == "humaneval":
        try:
            exec(compile(_spec.get("prompt") or "", "<prompt>", "exec"), g)
        except BaseException:
            pass
        try:
            exec(compile(_spec["test"], "<test>", "exec"), g)
            rep = _rpc("lookup", _spec["entry_point"])
            if rep[0] != "ok":
                raise NameError("the program does not define %s" % _spec["entry_point"])
            g[_spec["entry_point"]] = rep[1]
            g["check"](rep[1])
            _say("PASS 0")
        except BaseException as e:
            _failure(0, e)
    else:
        for i, src in enumerate(_spec["asserts"]):
            try:
                exec(compile(src, "<test>", "exec"), g)
                _say("PASS %d" % i)
            except ProgramGone as e:
                _failure(i, e)
            except BaseException as e:
                _failure(i, e, _explain(src, g) if isinstance(e, AssertionError) else None)
    os.close(_q_w)
    try:
        _prog.wait(timeout=2)
    except Exception:
        _prog.kill()


_main()
