/* test_suite.c - suite loading, validation, hashing, shuffling, source:
 * and the long-context generator, on fixtures in tests/data/suite/.
 * Expected lines and columns are read off the fixture files (grep -n). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/judge.h"
#include "suite/internal.h"
#include "suite/suite.h"
#include "util/fs.h"
#include "util/sha256.h"

#define D "tests/data/suite/"

static struct suite *load_ok(const char *path)
{
    struct bai_error err = {0};
    struct suite *s = suite_load(path, NULL, &err);
    cr_assert_not_null(s, "%s should load: %s", path, err.msg);
    return s;
}

static const char *data_str(const struct suite_item *it, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it->data, key));
}

/* 1 when some diagnostic is at line:col and contains text. */
static int has_diag(const struct suite_diags *d, int line, int col, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].line == line && (col == 0 || d->v[i].column == col) &&
            strstr(d->v[i].message, text))
            return 1;
    return 0;
}

static void dump(const struct suite_diags *d)
{
    char *t = suite_diags_format(d);
    cr_log_info("%s", t);
    free(t);
}

Test(suite, valid_suite_resolves_settings)
{
    struct suite *s = load_ok(D "valid.yaml");
    cr_assert_str_eq(s->name, "valid");
    cr_assert_eq(s->version, 2);
    cr_assert_str_eq(s->kind, "quality");
    cr_assert_eq(s->n_items, 9);
    const struct suite_item *add = suite_find_item(s, "add");
    cr_assert_not_null(add);
    /* answer: 4 (plain) is kept as the text written */
    cr_assert_str_eq(data_str(add, "answer"), "4");
    cr_assert_str_eq(add->scorer, "exact");
    cr_assert_str_eq(add->system, "You are terse.");
    cr_assert_eq(add->max_tokens, 128);
    cr_assert_eq(add->tier, 1);
    cr_assert_eq(add->n_stop, 1);
    cr_assert_str_eq(add->stop[0], "\n\n");
    cr_assert_eq(add->chat, 1);
    cr_assert_eq(add->reps, 1);
    cr_assert_eq(add->line, 13);
    /* scoring: defaults.scoring merged with the item's */
    const struct suite_item *cap = suite_find_item(s, "capital");
    cJSON *sc = cJSON_GetObjectItemCaseSensitive(cap->data, "scoring");
    cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(sc, "normalize")));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sc, "contains")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cap->data, "answers")), 2);
    /* prompt is not data; item overrides win */
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(cap->data, "prompt"));
    cr_assert_eq(suite_find_item(s, "code1")->max_tokens, 512);
    const struct suite_item *essay = suite_find_item(s, "essay");
    cr_assert_null(essay->prompt);
    cr_assert_eq(essay->n_messages, 2);
    cr_assert_str_eq(essay->messages[1].role, "user");
    cr_assert_str_eq(essay->messages[1].content, "Explain tides.");
    cr_assert_null(suite_find_item(s, "nope"));
    cr_assert_eq(strlen(s->hash), 64);
    char *tiers = suite_tiers_summary(s), *scorers = suite_scorers_summary(s);
    cr_assert_str_eq(tiers, "1,2,3");
    cr_assert_str_eq(scorers, "exact, choice, ifeval, code, judge, tool_call, needle, f1");
    free(tiers);
    free(scorers);
    suite_free(s);
}

/* What a scorer sees of an item: its question is the prompt, else the last
 * user message (a judge quotes it, a HumanEval program continues it). */
Test(suite, scorers_see_the_question_of_prompt_and_message_items)
{
    const char *y = "suite: q\nversion: 1\nitems:\n"
                    "  - {id: p, scorer: judge, prompt: Why?, reference: R}\n"
                    "  - id: m\n    scorer: judge\n    reference: R\n    messages:\n"
                    "      - {role: system, content: Be kind.}\n"
                    "      - {role: user, content: First question}\n"
                    "      - {role: assistant, content: An answer}\n"
                    "      - {role: user, content: Second question}\n";
    struct bai_error err = {0};
    struct suite *s = suite_load_text("q.yaml", y, strlen(y), NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    struct score_item p = suite_item_for_score(suite_find_item(s, "p"));
    cr_assert_str_eq(p.id, "p");
    cr_assert_str_eq(p.scorer, "judge");
    cr_assert_str_eq(p.prompt, "Why?");
    cr_assert_eq(p.data, suite_find_item(s, "p")->data);
    struct score_item m = suite_item_for_score(suite_find_item(s, "m"));
    cr_assert_str_eq(m.prompt, "Second question");
    struct buf judge = {0};
    score_judge_prompt(&m, "It is so.", &judge);
    cr_assert(strstr(judge.data, "[Question]\nSecond question\n"), "%s", judge.data);
    buf_free(&judge);
    suite_free(s);
}

Test(suite, hash_ignores_formatting_key_order_comments)
{
    struct suite *a = load_ok(D "valid.yaml");
    struct suite *b = load_ok(D "reformatted/valid.yaml");
    cr_assert_str_eq(a->hash, b->hash);
    suite_free(a);
    suite_free(b);
}

static struct suite *load_edited(const char *path, const char *from, const char *to)
{
    char *text = fs_read_file(path, NULL, NULL);
    cr_assert_not_null(text);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "'%s' not in %s", from, path);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    struct bai_error err = {0};
    struct suite *s = suite_load_text(path, out, n, NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    free(text);
    free(out);
    return s;
}

Test(suite, hash_changes_with_content)
{
    struct suite *a = load_ok(D "valid.yaml");
    struct suite *b = load_edited(D "valid.yaml", "answer: 4", "answer: 5");
    struct suite *c = load_edited(D "valid.yaml", "version: 2", "version: 3");
    struct suite *d = load_edited(D "valid.yaml", "max_tokens: 128", "max_tokens: 129");
    struct suite *e = load_edited(D "valid.yaml", "description: every scorer once",
                                  "description: something else");
    cr_assert_str_neq(a->hash, b->hash);
    cr_assert_str_neq(a->hash, c->hash);
    cr_assert_str_neq(a->hash, d->hash);
    cr_assert_str_eq(a->hash, e->hash, "the description is not content");
    suite_free(a);
    suite_free(b);
    suite_free(c);
    suite_free(d);
    suite_free(e);
}

/* The documented canonical text, written out by hand for a one-item suite
 * (keys sorted, no spaces, cJSON number printing: 0 and 256). */
Test(suite, hash_matches_documented_canonical_json)
{
    const char *yaml = "suite: tiny\nversion: 1\nitems:\n  - id: a\n    prompt: Hi\n"
                       "    scorer: exact\n    answer: x\n";
    const char *canon =
        "{\"items\":[{\"data\":{\"answer\":\"x\",\"scoring\":{}},\"id\":\"a\",\"max_tokens\":512,"
        "\"mode\":\"chat\",\"prompt\":\"Hi\",\"reps\":1,\"scorer\":\"exact\",\"stop\":[],"
        "\"system\":null,\"temperature\":0,\"tier\":0}],\"kind\":\"quality\",\"name\":\"tiny\","
        "\"speed\":null,\"version\":1}";
    char want[65];
    sha256_hex(canon, strlen(canon), want);
    struct bai_error err = {0};
    struct suite *s = suite_load_text("tiny.yaml", yaml, strlen(yaml), NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_str_eq(s->hash, want);
    suite_free(s);
}

Test(suite, broken_yaml_names_line)
{
    struct suite_diags d = {0};
    struct bai_error err = {0};
    struct suite *s = suite_load_diags(D "broken.yaml", NULL, &d, &err);
    cr_assert_null(s);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert_eq(d.n, 1);
    cr_assert(strstr(d.v[0].message, "YAML syntax error"), "%s", d.v[0].message);
    /* the unterminated quote opens on line 5 and libyaml fails by line 6 */
    cr_assert(d.v[0].line >= 5 && d.v[0].line <= 7, "line %d", d.v[0].line);
    cr_assert(strstr(err.msg, D "broken.yaml:"), "%s", err.msg);
    suite_diags_free(&d);
}

Test(suite, all_errors_at_once)
{
    struct suite_diags d = {0};
    struct bai_error err = {0};
    struct suite *s = suite_load_diags(D "errors.yaml", NULL, &d, &err);
    cr_assert_null(s);
    dump(&d);
    /* positions from `grep -n` of errors.yaml, columns counted by hand */
    cr_assert(has_diag(&d, 3, 1, "unknown key 'descripton' (did you mean 'description'?)"));
    cr_assert(has_diag(&d, 6, 15, "'max_tokens' must be an integer, got a string"));
    cr_assert(has_diag(&d, 9, 5, "unknown key 'promt' in an item (did you mean 'prompt'?)"));
    cr_assert(has_diag(&d, 8, 5, "item 'one': item has no 'prompt'"));
    cr_assert(has_diag(&d, 11, 9, "duplicate item id 'one' (first used at line 8)"));
    cr_assert(has_diag(&d, 15, 13, "item 'empty': 'prompt' is empty"));
    cr_assert(has_diag(&d, 21, 14, "'correct' is E but there are only 3 choices (A-C)"));
    cr_assert(has_diag(&d, 23, 11, "'tier' must be an integer from 1 to 99, got 100"));
    cr_assert(has_diag(&d, 27, 13, "unknown scorer 'exatc' (did you mean 'exact'? known: exact,"));
    cr_assert(has_diag(&d, 30, 5, "item 'no_answer': scorer 'exact' needs 'answer' or 'answers'"));
    cr_assert(has_diag(&d, 33, 13, "'prompt' must be a string, got a list"));
    cr_assert(has_diag(&d, 35, 18, "'temperature' must be a number, got a string"));
    cr_assert(strstr(err.msg, D "errors.yaml:3:1: unknown key 'descripton'"), "%s", err.msg);
    cr_assert_eq(d.n, 12, "one diagnostic per problem, no more");
    for (size_t i = 1; i < d.n; i++)
        cr_assert(d.v[i - 1].line <= d.v[i].line, "sorted by position");
    suite_diags_free(&d);
}

Test(suite, non_utf8_file)
{
    struct bai_error err = {0};
    cr_assert_null(suite_load(D "latin.yaml", NULL, &err));
    /* line 5 is `    prompt: "caf\xe9"`: the byte is character 17 */
    cr_assert(strstr(err.msg, "latin.yaml:5:17: not valid UTF-8 (byte 0xE9)"), "%s", err.msg);
}

Test(suite, missing_file)
{
    struct bai_error err = {0};
    cr_assert_null(suite_load(D "does_not_exist.yaml", NULL, &err));
    cr_assert(strstr(err.msg, "does_not_exist.yaml"), "%s", err.msg);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
}

Test(suite, name_must_match_file)
{
    const char *y = "suite: other\nversion: 1\nitems: [{id: a, prompt: p, scorer: exact, answer: x}]\n";
    struct bai_error err = {0};
    cr_assert_null(suite_load_text("dir/mine.yaml", y, strlen(y), NULL, NULL, &err));
    cr_assert(strstr(err.msg, "dir/mine.yaml:1:8: suite name 'other' must equal the file name "
                     "'mine'"), "%s", err.msg);
}

Test(suite, edit_distance_and_suggestions)
{
    /* by hand: kitten -> sitting = 3, promt -> prompt = 1, exatc -> exact = 1
     * (one transposition) */
    cr_assert_eq(suite_edit_distance("exatc", "exact"), 1);
    cr_assert_eq(suite_edit_distance("kitten", "sitting"), 3);
    cr_assert_eq(suite_edit_distance("promt", "prompt"), 1);
    cr_assert_eq(suite_edit_distance("", "abc"), 3);
    static const char *const names[] = { "prompt", "answers", "choices", NULL };
    cr_assert_str_eq(suite_suggest("answrs", names), "answers");
    cr_assert_null(suite_suggest("zebra", names));
}

/* Reference output of splitmix64 seeded with 0 (Vigna's splitmix64.c,
 * first three values). */
Test(suite, splitmix64_reference_values)
{
    uint64_t st = 0;
    cr_assert_eq(suite_splitmix64(&st), 0xE220A8397B1DCDAFULL);
    cr_assert_eq(suite_splitmix64(&st), 0x6E789E6AA1B965F4ULL);
    cr_assert_eq(suite_splitmix64(&st), 0x06C45D188009454FULL);
}

static char *choice_suite(unsigned seed)
{
    char *y = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&y, &n);
    fprintf(f, "suite: shuf\nversion: 1\ndefaults: {scorer: choice, shuffle_choices: true, "
               "seed: %u}\nitems:\n", seed);
    for (int i = 0; i < 12; i++)
        fprintf(f, "  - {id: q%d, prompt: Pick., choices: [w%d, x%d, y%d, z%d], correct: B}\n", i,
                i, i, i, i);
    fclose(f);
    return y;
}

Test(suite, shuffle_is_deterministic_and_remaps_correct)
{
    char *y = choice_suite(42);
    struct bai_error err = {0};
    struct suite *a = suite_load_text("shuf.yaml", y, strlen(y), NULL, NULL, &err);
    cr_assert_not_null(a, "%s", err.msg);
    struct suite *b = suite_load_text("shuf.yaml", y, strlen(y), NULL, NULL, &err);
    cr_assert_eq(a->shuffle_seed, 42);
    cr_assert_str_eq(a->hash, b->hash);
    int moved = 0;
    for (size_t i = 0; i < a->n_items; i++) {
        const struct suite_item *it = &a->items[i];
        cJSON *order = cJSON_GetObjectItemCaseSensitive(it->data, "choice_order");
        cJSON *choices = cJSON_GetObjectItemCaseSensitive(it->data, "choices");
        cr_assert_eq(cJSON_GetArraySize(order), 4);
        int seen[4] = {0};
        for (int k = 0; k < 4; k++) {
            int o = cJSON_GetArrayItem(order, k)->valueint;
            cr_assert(o >= 0 && o < 4 && !seen[o]);
            seen[o] = 1;
            /* choices[k] is original choice order[k]: w, x, y, z */
            char want[32];
            snprintf(want, sizeof want, "%c%zu", "wxyz"[o], i);
            cr_assert_str_eq(cJSON_GetArrayItem(choices, k)->valuestring, want);
            moved += o != k;
        }
        /* the correct answer (originally B = x) moved with its text */
        const char *c = data_str(it, "correct");
        char want[32];
        snprintf(want, sizeof want, "x%zu", i);
        cr_assert_str_eq(cJSON_GetArrayItem(choices, c[0] - 'A')->valuestring, want);
        char *oa = cJSON_PrintUnformatted(order);
        char *ob = cJSON_PrintUnformatted(
            cJSON_GetObjectItemCaseSensitive(b->items[i].data, "choice_order"));
        cr_assert_str_eq(oa, ob);
        free(oa);
        free(ob);
    }
    cr_assert(moved > 0, "12 items x 4 choices never moved");
    char *y2 = choice_suite(43);
    struct suite *c = suite_load_text("shuf.yaml", y2, strlen(y2), NULL, NULL, &err);
    cr_assert_str_neq(a->hash, c->hash, "another seed, another order");
    suite_free(a);
    suite_free(b);
    suite_free(c);
    free(y);
    free(y2);
}

Test(suite, source_jsonl_with_map)
{
    struct suite *s = load_ok(D "source_jsonl.yaml");
    cr_assert_eq(s->n_items, 3);
    cr_assert_str_eq(s->items[0].id, "q1");
    cr_assert_str_eq(s->items[0].prompt, "What is 3 * 3?");
    cr_assert_str_eq(data_str(&s->items[1], "answer"), "6", "a JSON number becomes its text");
    cr_assert_eq(s->items[2].line, 4, "q3 is on line 4 (line 3 is blank)");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(s->items[0].data, "unused"));
    suite_free(s);
}

Test(suite, source_csv_multiline_quoted)
{
    struct suite *s = load_ok(D "source_csv.yaml");
    cr_assert_eq(s->n_items, 2);
    cr_assert_str_eq(s->items[0].prompt, "Two\nlines, with comma");
    cr_assert_eq(s->items[0].tier, 2);
    cr_assert_str_eq(s->items[1].prompt, "He said \"hi\"");
    cr_assert_eq(s->items[1].tier, 3);
    cr_assert_eq(s->items[1].line, 4, "the first record spans lines 2-3");
    suite_free(s);
}

Test(suite, source_missing_field_names_data_line)
{
    struct suite_diags d = {0};
    struct bai_error err = {0};
    cr_assert_null(suite_load_diags(D "source_missing.yaml", NULL, &d, &err));
    dump(&d);
    cr_assert(has_diag(&d, 1, 1, "record 1 has no field 'answer' (mapped to 'answer')"));
    cr_assert(strstr(d.v[0].file, "source_data.jsonl"), "%s", d.v[0].file);
    cr_assert_eq(d.n, 3, "one problem per record, not a second 'needs answer'");
    suite_diags_free(&d);
}

static const char *NEEDLE = "The secret number of the harbour is 4817.";
static const char *QUESTION = "What is the secret number of the harbour?";

Test(suite, generator_grid_deterministic_and_placed)
{
    struct suite *a = load_ok(D "gen.yaml");
    struct suite *b = load_ok(D "gen.yaml");
    cr_assert_eq(a->n_items, 6);
    cr_assert_str_eq(a->hash, b->hash);
    for (size_t i = 0; i < a->n_items; i++) {
        const struct suite_item *it = &a->items[i];
        cr_assert_str_eq(it->prompt, b->items[i].prompt);
        cr_assert_str_eq(it->scorer, "needle");
        cr_assert_str_eq(data_str(it, "token_count_method"), "estimate_chars_div_4");
        double len = cJSON_GetObjectItemCaseSensitive(it->data, "length_tokens")->valuedouble;
        double depth = cJSON_GetObjectItemCaseSensitive(it->data, "depth_percent")->valuedouble;
        /* estimate = chars / 4: within the target and not far below it */
        size_t est = strlen(it->prompt) / 4;
        cr_assert(est <= len && est >= len * 0.85, "%zu est tokens for %g", est, len);
        const char *q = strstr(it->prompt, QUESTION);
        const char *nd = strstr(it->prompt, NEEDLE);
        cr_assert_not_null(q);
        cr_assert_not_null(nd);
        cr_assert(strstr(q, "Answer with the number only.") && q + strlen(q) ==
                  it->prompt + strlen(it->prompt), "question at the end");
        double rel = (double)(nd - it->prompt) / (double)(q - it->prompt);
        if (depth == 0)
            cr_assert_eq(nd, it->prompt, "depth 0: the needle opens the text");
        else if (depth == 100)
            cr_assert(q - (nd + strlen(NEEDLE)) <= 3, "depth 100: right before the question");
        else
            cr_assert(rel > 0.40 && rel <= 0.50 + 0.01, "depth 50 at %.3f", rel);
        /* inserted at a sentence boundary */
        if (nd > it->prompt)
            cr_assert(nd[-1] == ' ' || nd[-1] == '\n');
        if (nd > it->prompt + 1)
            cr_assert(strchr(".!?\n", nd[-2]), "needle after '%c'", nd[-2]);
        cJSON *ex = cJSON_GetObjectItemCaseSensitive(it->data, "expected");
        cr_assert_str_eq(cJSON_GetArrayItem(ex, 0)->valuestring, "4817");
    }
    cr_assert_str_eq(a->items[0].id, "lc_1024_d0");
    cr_assert_str_eq(a->items[5].id, "lc_2048_d100");
    suite_free(a);
    suite_free(b);
}

/* A stand-in tokenizer: one token per 3 bytes, so the generator has to
 * rescale its 4-chars-per-token first guess. */
static int count3(void *ctx, const char *text, struct bai_error *err)
{
    (*(int *)ctx)++;
    return (int)(strlen(text) / 3);
}

Test(suite, generator_uses_token_counter)
{
    int calls = 0;
    struct suite_load_options o = { .count_tokens = count3, .count_tokens_ctx = &calls };
    struct bai_error err = {0};
    struct suite *s = suite_load(D "gen.yaml", &o, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert(calls > 2);
    for (size_t i = 0; i < s->n_items; i++) {
        const struct suite_item *it = &s->items[i];
        double len = cJSON_GetObjectItemCaseSensitive(it->data, "length_tokens")->valuedouble;
        size_t toks = strlen(it->prompt) / 3;
        cr_assert_str_eq(data_str(it, "token_count_method"), "server_tokenize");
        cr_assert(toks <= len && toks >= len * 0.9, "%zu tokens for %g", toks, len);
    }
    suite_free(s);
}

Test(suite, speed_suite_without_items)
{
    const char *y = "suite: spd\nversion: 1\nkind: speed\nspeed: {pp: 256, tg: 64}\n";
    struct bai_error err = {0};
    struct suite *s = suite_load_text("spd.yaml", y, strlen(y), NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_str_eq(s->kind, "speed");
    cr_assert_eq(s->speed.pp, 256);
    cr_assert_eq(s->speed.tg, 64);
    cr_assert_eq(s->speed.ignore_eos, 1);
    cr_assert_eq(s->n_items, 0);
    suite_free(s);
}

Test(suite, odd_yaml_is_rejected_cleanly)
{
    /* found by fuzzing: a list as a mapping key, and a NUL byte */
    const char *y = "suite: odd\nversion: 1\ndefaults:\n  scoring: {[strip, x]}\nitems: []\n";
    struct bai_error err = {0};
    cr_assert_null(suite_load_text("odd.yaml", y, strlen(y), NULL, NULL, &err));
    cr_assert(strstr(err.msg, "odd.yaml:4:13: a mapping key must be a plain value, not a list"),
              "%s", err.msg);
    const char nul[] = "suite: odd\nversion: 1\0\n";
    cr_assert_null(suite_load_text("odd.yaml", nul, sizeof nul - 1, NULL, NULL, &err));
    cr_assert(strstr(err.msg, "odd.yaml:2:11: NUL byte"), "%s", err.msg);
}
