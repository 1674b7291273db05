/* hostile_bench.c - what hostile input costs benchai (issue 22, items 7-10):
 *   - streamed tool-call pieces: the reader's time per piece as the number
 *     of pieces doubles (linear accumulation: flat; before, each piece
 *     re-copied the whole string, so the time per piece doubled too);
 *   - an endless stream: bytes and CPU until the answer cap cuts it;
 *   - YAML: a suite nested 80,000 levels deep and a 10x10 alias bomb,
 *     refused (the time to say so).
 * CPU seconds (getrusage), so a loaded machine does not inflate them.
 *
 *   build/bench/hostile_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/gen.h"
#include "backend/openai_proto.h"
#include "suite/suite.h"
#include "bench_stub.h"

static double cpu(void)
{
    return rusage_s(RUSAGE_SELF);
}

/* Feeds n tool-call argument pieces of 16 bytes; returns CPU seconds. */
static double tool_pieces(size_t n, size_t *arg_len)
{
    const char *ev = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
                     "\"function\":{\"arguments\":\"0123456789abcdef\"}}]}}]}\n\n";
    size_t len = strlen(ev);
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    openai_reader_set_max_answer(&rd, (size_t)1 << 30);
    double t0 = cpu();
    for (size_t i = 0; i < n; i++)
        openai_reader_data(&rd, ev, len, (int64_t)i + 1);
    const char *end = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
    openai_reader_data(&rd, end, strlen(end), (int64_t)n + 1);
    openai_reader_finish(&rd, 0, 200, "", (int64_t)n + 2);
    double t = cpu() - t0;
    *arg_len = r.tool_calls_json ? strlen(r.tool_calls_json) : 0;
    openai_reader_free(&rd);
    gen_response_free(&r);
    return t;
}

static void endless(void)
{
    const char *ev = "data: {\"choices\":[{\"delta\":{\"content\":\"the the the the \"}}]}\n\n";
    size_t len = strlen(ev), fed = 0;
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    double t0 = cpu();
    while (openai_reader_data(&rd, ev, len, 1) == 0)
        fed += len;
    openai_reader_finish(&rd, 23, 200, "", 2);
    printf("endless stream, default cap %zu MiB: cut after %.1f MiB on the wire, %.2f s CPU, "
           "kept %.1f MiB of answer\n", GEN_MAX_ANSWER_BYTES_DEFAULT >> 20, (double)fed / (1 << 20),
           cpu() - t0, r.content ? (double)strlen(r.content) / (1 << 20) : 0.0);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

static void yaml_case(const char *what, const char *text)
{
    struct bai_error err = {0};
    double t0 = cpu();
    struct suite *s = suite_load_text("bench.yaml", text, strlen(text), NULL, NULL, &err);
    double t = cpu() - t0;
    const char *nl = strchr(err.msg, '\n');
    printf("%s: %s in %.4f s CPU (%.*s)\n", what, s ? "LOADED" : "refused", t,
           (int)(nl ? (size_t)(nl - err.msg) : strlen(err.msg)), err.msg);
    suite_free(s);
}

int main(void)
{
    print_machine();
    printf("\ntool-call pieces (16 bytes each) through the streaming reader:\n");
    printf("%10s %12s %14s\n", "pieces", "CPU s", "ns per piece");
    for (size_t n = 25000; n <= 400000; n *= 2) {
        size_t arg_len = 0;
        double t = tool_pieces(n, &arg_len);
        printf("%10zu %12.3f %14.0f\n", n, t, t * 1e9 / (double)n);
    }
    printf("\n");
    endless();

    struct buf deep = {0};
    buf_puts(&deep, "suite: bench\nversion: 1\nitems:\n  - {id: a, prompt: x, answer: y, scorer: exact, meta: ");
    for (int i = 0; i < 80000; i++)
        buf_putc(&deep, '[');
    for (int i = 0; i < 80000; i++)
        buf_putc(&deep, ']');
    buf_puts(&deep, "}\n");
    yaml_case("suite nested 80,000 levels", deep.data);
    buf_free(&deep);
    struct buf bomb = {0};
    buf_puts(&bomb, "suite: bench\nversion: 1\nanchors:\n  - &l0 [a, a, a, a, a, a, a, a, a, a]\n");
    for (int i = 1; i < 10; i++) {
        buf_printf(&bomb, "  - &l%d [", i);
        for (int k = 0; k < 10; k++)
            buf_printf(&bomb, "%s*l%d", k ? ", " : "", i - 1);
        buf_puts(&bomb, "]\n");
    }
    buf_puts(&bomb, "items:\n  - {id: a, prompt: x, answer: y, scorer: exact, meta: *l9}\n");
    yaml_case("suite with a 10x10 alias bomb", bomb.data);
    buf_free(&bomb);
    return 0;
}
