/* test_code_forgery.c - verdicts the program cannot forge (issue 22 item
 * 5): wrong solutions that try to make the harness report a pass must
 * score 0, in every test form and language the scorer judges by tests:
 * overriding builtins and the harness's functions, reading the harness's
 * files and printing its markers, writing to the verdict descriptor,
 * exiting early with success, atexit, signals to the judge, objects equal
 * to everything, and C macros and symbols over the driver. Each answer is
 * wrong on purpose; an honest correct answer passes (checked first). */
#include "test_sandbox_common.h"

static struct score_item item_from_json(const char *json, const char *prompt)
{
    struct score_item it = { .id = "forge", .scorer = "code", .prompt = (char *)prompt };
    it.data = cJSON_Parse(json);
    cr_assert_not_null(it.data, "bad JSON in test: %s", json);
    return it;
}

/* Scores the code (fenced) and returns passed (0/1) and value. */
static void score_code(struct sandbox_pool *pool, struct score_item *it, const char *code,
                       int *passed, double *value, char **detail)
{
    char *answer = xasprintf("```\n%s\n```\n", code);
    struct score_input in = { .item = it, .output = answer };
    struct score_context ctx = { .sandbox = pool };
    struct score_result r;
    struct bai_error err = {0};
    cr_assert_eq(score_sample(&in, &ctx, &r, &err), 0, "%s", err.msg);
    *passed = r.passed;
    *value = r.value;
    *detail = xstrdup(r.detail_json);
    score_result_free(&r);
    free(answer);
}

static void expect_zero(struct sandbox_pool *pool, struct score_item *it, const char *what,
                        const char *code)
{
    int passed;
    double value;
    char *detail;
    score_code(pool, it, code, &passed, &value, &detail);
    cr_expect_eq(passed, 0, "%s forged a pass: %s", what, detail);
    cr_expect_float_eq(value, 0.0, 1e-9, "%s scored %g: %s", what, value, detail);
    free(detail);
}

static void expect_pass(struct sandbox_pool *pool, struct score_item *it, const char *code)
{
    int passed;
    double value;
    char *detail;
    score_code(pool, it, code, &passed, &value, &detail);
    cr_expect_eq(passed, 1, "the honest answer failed: %s", detail);
    free(detail);
}

#define PY_ASSERTS "{\"language\": \"python\", \"tests\": {\"form\": \"asserts\", \"asserts\": [" \
    "\"assert sq(2) == 4\", \"assert sq(3) == 9\", \"assert sq(-4) == 16\"]}}"

/* The wrong answer every Python attack carries. */
#define WRONG_SQ "def sq(x):\n    return x + 1\n"

Test(code_forgery, python_asserts, .timeout = 120)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(PY_ASSERTS, NULL);
    expect_pass(pool, &it, "def sq(x):\n    return x * x\n");
    /* (a) the harness called exec from the program's globals */
    expect_zero(pool, &it, "exec override", WRONG_SQ "exec = lambda *a, **k: None\n");
    expect_zero(pool, &it, "builtins override",
        WRONG_SQ "import builtins\nbuiltins.exec = lambda *a, **k: None\n"
        "builtins.AssertionError = type('N', (Exception,), {})\n");
    /* (b) reading the harness's files for a marker, printing pass lines */
    expect_zero(pool, &it, "reading files and printing markers",
        WRONG_SQ "import os, re, sys\n"
        "for f in os.listdir('.'):\n"
        "    t = open(f, errors='replace').read()\n"
        "    for m in set(re.findall(r'[A-Z]{3}[0-9a-f]{29}', t)):\n"
        "        for i in range(3): print('\\n%s PASS %d' % (m, i))\n"
        "for i in range(3): print('PASS %d' % i)\n");
    /* writing to the verdict descriptor, directly and through /proc */
    expect_zero(pool, &it, "writing to fd 3 and the judge's fds",
        WRONG_SQ "import os\n"
        "for fd in range(3, 64):\n"
        "    try: os.write(fd, b'PASS 0\\nPASS 1\\nPASS 2\\n')\n"
        "    except OSError: pass\n"
        "for pid in os.listdir('/proc'):\n"
        "    if not pid.isdigit(): continue\n"
        "    for fd in range(0, 16):\n"
        "        try:\n"
        "            w = os.open('/proc/%s/fd/%d' % (pid, fd), os.O_WRONLY)\n"
        "            os.write(w, b'PASS 0\\nPASS 1\\nPASS 2\\n')\n"
        "        except OSError: pass\n");
    /* exiting early with success, atexit */
    expect_zero(pool, &it, "os._exit(0)", WRONG_SQ "import os\nos._exit(0)\n");
    expect_zero(pool, &it, "sys.exit(0)", WRONG_SQ "import sys\nsys.exit(0)\n");
    expect_zero(pool, &it, "atexit",
        WRONG_SQ "import atexit, os\natexit.register(lambda: os.write(1, b'PASS 0\\nPASS 1\\nPASS 2\\n'))\n");
    /* objects equal to everything, results that lie about their type */
    expect_zero(pool, &it, "always-equal result",
        "class E:\n    def __eq__(self, o): return True\n    __hash__ = None\n"
        "def sq(x):\n    return E()\n");
    expect_zero(pool, &it, "int subclass equal to everything",
        "class I(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\n"
        "def sq(x):\n    return I(0)\n");
    /* signals to the judge (its parent) */
    expect_zero(pool, &it, "SIGKILL to the judge",
        WRONG_SQ "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n");
    expect_zero(pool, &it, "SIGSTOP to every process",
        WRONG_SQ "import os, signal\nfor p in os.listdir('/proc'):\n"
        "    if p.isdigit() and int(p) != os.getpid():\n"
        "        try: os.kill(int(p), signal.SIGSTOP)\n"
        "        except OSError: pass\n");
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

#define HE_PROMPT "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n"
#define HE_JSON "{\"language\": \"python\", \"tests\": {\"form\": \"humaneval\", \"entry_point\": \"add\"," \
    "\"test\": \"def check(candidate):\\n    assert candidate(1, 2) == 3\\n    assert candidate(-1, 1) == 0\\n\"}," \
    "\"scoring\": {\"timeout_s\": 5}}"

Test(code_forgery, python_humaneval, .timeout = 120)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(HE_JSON, HE_PROMPT);
    expect_pass(pool, &it, "def add(a, b):\n    return a + b\n");
    /* (d) exit with success before the check runs */
    expect_zero(pool, &it, "os._exit(0)", "def add(a, b):\n    return a - b\nimport os\nos._exit(0)\n");
    /* a check of its own, and a patched AssertionError */
    expect_zero(pool, &it, "own check()",
        "def add(a, b):\n    return a - b\ndef check(candidate):\n    pass\n"
        "import builtins\nbuiltins.AssertionError = type('N', (Exception,), {})\n");
    /* the entry point returning an object equal to everything */
    expect_zero(pool, &it, "always-equal result",
        "class E:\n    def __eq__(self, o): return True\n    __hash__ = None\n"
        "def add(a, b):\n    return E()\n");
    /* a result that raises inside the harness's comparison */
    expect_zero(pool, &it, "exception from __eq__",
        "class E:\n    def __eq__(self, o): raise SystemExit(0)\n"
        "def add(a, b):\n    return E()\n");
    /* kill the judge when called */
    expect_zero(pool, &it, "kills its parent when called",
        "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n");
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

#define C_ASSERTS(lang) "{\"language\": \"" lang "\", \"tests\": {\"form\": \"asserts\", \"asserts\": [" \
    "\"assert(sq(2) == 4);\", \"sq(3) == 9\", \"sq(-4) == 16\", \"strcmp(name(), \\\"sq\\\") == 0\"]}}"

/* The wrong C answer every C attack carries. */
#define WRONG_C "#include <string.h>\nint sq(int x) { return x + 1; }\n" \
    "const char *name(void) { return \"no\"; }\n"

static void c_family(const char *lang)
{
    struct sandbox_pool *pool = tsb_pool(2);
    const struct sandbox_lang *l = sandbox_langs_find(sandbox_pool_langs(pool), lang);
    cr_assert_not_null(l);
    if (!l->available) {
        sandbox_pool_free(pool);
        cr_skip_test("%s is not installed on this machine", lang);
    }
    char *json = xasprintf(C_ASSERTS("%s"), lang);
    struct score_item it = item_from_json(json, NULL);
    expect_pass(pool, &it, "#include <string.h>\nint sq(int x) { return x * x; }\n"
                           "const char *name(void) { return \"sq\"; }\n");
    /* (c) a macro over the generated main's exit */
    expect_zero(pool, &it, "#define _exit", "#define _exit(x) _exit(0)\n" WRONG_C);
    expect_zero(pool, &it, "#define exit/abort/assert",
        "#define exit(x) exit(0)\n#define abort() exit(0)\n#define assert(x) ((void)0)\n" WRONG_C);
    /* macros and functions over the names the asserts use */
    expect_zero(pool, &it, "#define strcmp",
        "#include <string.h>\n#define strcmp(a, b) 0\nint sq(int x) { return x + 1; }\n"
        "const char *name(void) { return \"no\"; }\n");
    /* exiting with success from inside the function under test */
    expect_zero(pool, &it, "_exit(0) in the function",
        "#include <unistd.h>\n#include <string.h>\nint sq(int x) { _exit(0); }\n"
        "const char *name(void) { _exit(0); }\n");
    /* printing the old markers and fake value lines, on stdout and on fd 3 */
    expect_zero(pool, &it, "fake verdict and value lines",
        "#include <stdio.h>\n#include <unistd.h>\n#include <string.h>\n"
        "__attribute__((constructor)) static void forge(void) {\n"
        "    for (int i = 0; i < 4; i++) { printf(\"PASS %d\\n\", i); dprintf(3, \"PASS %d\\nX %d exit 0\\n\", i, i); }\n"
        "    fflush(stdout); _exit(0); }\n" WRONG_C);
    /* a constructor that ends every assert's child early */
    expect_zero(pool, &it, "atexit in every child",
        "#include <stdlib.h>\n#include <unistd.h>\n"
        "static void bye(void) { _exit(0); }\n"
        "__attribute__((constructor)) static void reg(void) { atexit(bye); }\n" WRONG_C);
    cJSON_Delete(it.data);
    free(json);
    sandbox_pool_free(pool);
}

Test(code_forgery, c_asserts, .timeout = 180)
{
    c_family("c");
}

Test(code_forgery, cpp_asserts, .timeout = 240)
{
    c_family("cpp");
}
