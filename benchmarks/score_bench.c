/* score_bench.c - scoring throughput on one core: 1,000,000 SQuAD F1 pairs
 * and 100,000 IFEval responses (strict and loose, as the scorer always
 * computes both). Inputs are generated here (deterministic), sized like
 * real short answers and like IFEval responses (a few hundred words).
 * Targets (issue 6): >= 1,000,000 F1 pairs/s, >= 50,000 IFEval/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "score/f1.h"
#include "score/score.h"
#include "util/mem.h"
#include "bench_stub.h"

/* Throughput is computed from this thread's CPU time: "on one core" even
 * when the machine is shared; wall time is printed alongside. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double wall_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const words[] = {
    "the", "Denver", "Broncos", "a", "Super", "Bowl", "in", "1978", "Santa", "Clara,", "California",
    "an", "answer", "of", "Levi's", "Stadium", "Paris", "\xC3\x89" "cole", "(France)", "Gold", "coin",
    "10,000", "people", "yes", "no", "its", "river", "Rhine.", "Norman", "conquest", "\"quoted\"",
};
#define NW (sizeof words / sizeof words[0])

static char *phrase(unsigned min_w, unsigned max_w)
{
    struct buf b = {0};
    unsigned n = min_w + rnd(max_w - min_w + 1);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ' ');
        buf_puts(&b, words[rnd(NW)]);
    }
    return buf_detach(&b);
}

static void bench_f1(void)
{
    enum { POOL = 512, PAIRS = 1000000 };
    char *pred[POOL], *gold[POOL];
    for (int i = 0; i < POOL; i++) {
        pred[i] = phrase(1, 12);     /* model answers: 1-12 words */
        gold[i] = phrase(1, 5);      /* SQuAD gold spans: 1-5 words */
    }
    struct f1_scores s;
    double sum = 0;
    score_f1_pair(pred[0], gold[0], F1_SQUAD, &s);   /* warm-up: tables, scratch */
    double t0 = cpu_s(), w0 = wall_s();
    for (int i = 0; i < PAIRS; i++) {
        score_f1_pair(pred[i % POOL], gold[(i * 7) % POOL], F1_SQUAD, &s);
        sum += s.f1;
    }
    double dt = cpu_s() - t0, dw = wall_s() - w0;
    printf("f1: %d pairs in %.3f s CPU (%.3f s wall) = %.0f pairs/s per core (mean F1 %.4f; "
           "target >= 1000000)\n", PAIRS, dt, dw, PAIRS / dt, sum / PAIRS);
    for (int i = 0; i < POOL; i++) {
        free(pred[i]);
        free(gold[i]);
    }
}

/* An IFEval-like response: paragraphs of sentences, sometimes bullets,
 * highlights, a title, a postscript; 150-400 words. */
static char *response(void)
{
    struct buf b = {0};
    if (rnd(4) == 0)
        buf_puts(&b, "<<A Title For This>>\n\n");
    unsigned paras = 2 + rnd(4);
    for (unsigned p = 0; p < paras; p++) {
        unsigned sents = 2 + rnd(5);
        for (unsigned s = 0; s < sents; s++) {
            char *ph = phrase(6, 16);
            ph[0] = (char)(ph[0] >= 'a' && ph[0] <= 'z' ? ph[0] - 32 : ph[0]);
            buf_printf(&b, "%s%s%s ", rnd(6) == 0 ? "*" : "", ph, rnd(3) == 0 ? "!" : ".");
            free(ph);
        }
        buf_puts(&b, "\n\n");
        if (rnd(3) == 0)
            for (unsigned k = 0, n = 2 + rnd(4); k < n; k++) {
                char *ph = phrase(3, 8);
                buf_printf(&b, "* %s\n", ph);
                free(ph);
            }
        if (rnd(5) == 0)
            buf_puts(&b, "***\n");
    }
    if (rnd(3) == 0)
        buf_puts(&b, "P.S. Any other questions?\n");
    return buf_detach(&b);
}

static const char *const check_kinds[] = {
    "{\"type\": \"punctuation:no_comma\"}",
    "{\"type\": \"length_constraints:number_words\", \"num_words\": 200, \"relation\": \"at least\"}",
    "{\"type\": \"length_constraints:number_sentences\", \"num_sentences\": 10, \"relation\": \"less than\"}",
    "{\"type\": \"detectable_format:number_highlighted_sections\", \"num_highlights\": 2}",
    "{\"type\": \"detectable_format:number_bullet_lists\", \"num_bullets\": 3}",
    "{\"type\": \"detectable_format:title\"}",
    "{\"type\": \"detectable_content:postscript\", \"postscript_marker\": \"P.S.\"}",
    "{\"type\": \"keywords:existence\", \"keywords\": [\"river\", \"gold\"]}",
    "{\"type\": \"keywords:forbidden_words\", \"forbidden_words\": [\"stadium\", \"coin\"]}",
    "{\"type\": \"keywords:frequency\", \"keyword\": \"the\", \"frequency\": 3, \"relation\": \"at least\"}",
    "{\"type\": \"keywords:letter_frequency\", \"letter\": \"z\", \"let_frequency\": 2, \"let_relation\": \"less than\"}",
    "{\"type\": \"change_case:english_lowercase\"}",
    "{\"type\": \"change_case:capital_word_frequency\", \"capital_frequency\": 3, \"capital_relation\": \"less than\"}",
    "{\"type\": \"startend:end_checker\", \"end_phrase\": \"Any other questions?\"}",
    "{\"type\": \"startend:quotation\"}",
    "{\"type\": \"length_constraints:number_paragraphs\", \"num_paragraphs\": 3}",
    "{\"type\": \"length_constraints:nth_paragraph_first_word\", \"num_paragraphs\": 4, \"nth_paragraph\": 2, \"first_word\": \"the\"}",
    "{\"type\": \"detectable_content:number_placeholders\", \"num_placeholders\": 1}",
    "{\"type\": \"detectable_format:json_format\"}",
    "{\"type\": \"combination:two_responses\"}",
    "{\"type\": \"language:response_language\", \"language\": \"en\"}",
    "{\"type\": \"detectable_format:multiple_sections\", \"section_spliter\": \"Section\", \"num_sections\": 2}",
};
#define NK (sizeof check_kinds / sizeof check_kinds[0])

static void bench_ifeval(void)
{
    enum { POOL = 256, N = 100000 };
    struct score_item items[POOL];
    char *resp[POOL];
    size_t bytes = 0, checks = 0;
    for (int i = 0; i < POOL; i++) {
        struct buf d = {0};
        buf_puts(&d, "{\"checks\": [");
        unsigned k = 1 + rnd(3);             /* IFEval: 1.5 instructions per prompt on average */
        for (unsigned j = 0; j < k; j++)
            buf_printf(&d, "%s%s", j ? ", " : "", check_kinds[rnd(NK)]);
        buf_puts(&d, "]}");
        memset(&items[i], 0, sizeof items[i]);
        items[i].id = "bench";
        items[i].scorer = "ifeval";
        items[i].data = cJSON_Parse(d.data);
        buf_free(&d);
        resp[i] = response();
        bytes += strlen(resp[i]);
        checks += k;
    }
    struct bai_error err = {0};
    size_t passed = 0;
    double t0 = cpu_s(), w0 = wall_s();
    for (int i = 0; i < N; i++) {
        struct score_input in = {0};
        in.item = &items[i % POOL];
        in.output = resp[i % POOL];
        struct score_result r;
        if (score_sample(&in, NULL, &r, &err) < 0) {
            fprintf(stderr, "score_bench: %s\n", err.msg);
            exit(1);
        }
        passed += r.passed == 1;
        score_result_free(&r);
    }
    double dt = cpu_s() - t0, dw = wall_s() - w0;
    printf("ifeval: %d responses (mean %zu bytes, %.2f checks each) in %.3f s CPU (%.3f s wall) = "
           "%.0f responses/s per core (strict pass %.1f%%; target >= 50000)\n", N, bytes / POOL,
           (double)checks / POOL, dt, dw, N / dt, 100.0 * (double)passed / N);
    for (int i = 0; i < POOL; i++) {
        cJSON_Delete(items[i].data);
        free(resp[i]);
    }
}

int main(void)
{
    print_machine();
    bench_f1();
    bench_ifeval();
    return 0;
}
