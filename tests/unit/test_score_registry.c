/* Tests of the scorer registry as other modules use it: the option tables
 * (one description per scorer) drive validation and --help; suite loading
 * asks the registry through score/registry.h. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "score/score.h"
#include "suite/suite.h"
#include "test_score_helpers.h"

/* Problems score_check finds for scorer on data_json, as one string. */
static int check(const char *scorer, const char *data_json, char *msg, size_t msz)
{
    cJSON *d = cJSON_Parse(data_json);
    cr_assert_not_null(d, "bad test JSON: %s", data_json);
    struct bai_error err = {0};
    int n = score_check(scorer, d, &err);
    snprintf(msg, msz, "%s", err.msg);
    cJSON_Delete(d);
    return n;
}

Test(score_registry, names_match_the_registry)
{
    const char *const *names = score_names();
    size_t n = 0;
    for (; names[n]; n++)
        cr_assert_not_null(score_find(names[n]), "%s", names[n]);
    cr_assert_eq(n, 8);
    cr_assert_str_eq(names[0], "exact");
    cr_assert_str_eq(score_known_names(), "exact, f1, choice, ifeval, needle, tool_call, judge, code");
}

/* Every option of every scorer's table appears in its help with its
 * values and default: the help is generated, not a second copy. */
Test(score_registry, help_lists_every_option_of_the_table)
{
    for (const char *const *n = score_names(); *n; n++) {
        const struct scorer *sc = score_find(*n);
        char *help = score_help(sc);
        char want[256];
        snprintf(want, sizeof want, "scorer %s: %s\n", sc->name, sc->summary);
        cr_assert(!strncmp(help, want, strlen(want)), "%s", help);
        for (const struct score_option *o = sc->options; o && o->name; o++) {
            snprintf(want, sizeof want, "\n  %s: ", o->name);
            const char *at = strstr(help, want);
            cr_assert_not_null(at, "%s: option %s missing from\n%s", sc->name, o->name, help);
            if (o->def) {
                snprintf(want, sizeof want, "(default %s)\n", o->def);
                const char *eol = strchr(at + 1, '\n');
                const char *d = strstr(at, want);
                cr_assert(d && d < eol + 1, "%s: default of %s not on its line", sc->name, o->name);
            }
        }
        for (const struct score_field *f = sc->fields; f && f->name; f++) {
            snprintf(want, sizeof want, "\n  %s\n", f->name);
            cr_assert_not_null(strstr(help, want), "%s: field %s missing", sc->name, f->name);
        }
        free(help);
    }
    const struct scorer *f1 = score_find("f1");
    char *help = score_help(f1);
    cr_assert_not_null(strstr(help, "  variant: squad|squad2|hotpot (default squad)\n"), "%s", help);
    free(help);
}

/* {scorer, item data, problems, the message (a prefix when it ends in '*')} */
static const char *const option_cases[][4] = {
    { "f1", "{\"answers\": [\"x\"], \"variant\": \"squad3\"}", "1",
      "f1: option 'variant' must be squad, squad2 or hotpot, not 'squad3'" },
    /* under scoring too; a number where a word is expected */
    { "needle", "{\"expected\": \"x\", \"scoring\": {\"mode\": 3}}", "1",
      "needle: option 'mode' must be exact, contains or f1, not 3" },
    { "exact", "{\"answer\": \"4\", \"scoring\": {\"normalize\": [\"strip\", \"upper\"]}}", "1",
      "exact: option 'normalize': unknown 'upper' (known: strip, lower, collapse_ws, strip_punct, "
      "strip_articles, number)" },
    { "f1", "{\"answer\": \"x\", \"threshold\": \"high\"}", "1",
      "f1: option 'threshold' must be a number, not 'high'" },
    { "f1", "{\"answer\": \"x\", \"threshold\": \"0.7\"}", "0", "" },
    { "ifeval", "{\"checks\": [{\"type\": \"lowercase\"}], \"loose\": \"yes\"}", "1",
      "ifeval: option 'loose' must be true or false, not 'yes'" },
    { "f1", "{\"answer\": \"x\", \"extract\": \"(open\"}", "1",
      "f1: option 'extract': bad pattern /(open/*" },
    { "code", "{\"language\": \"python\", \"tests\": {\"form\": \"stdio\", \"cases\": [{\"input\": \"\","
      " \"output\": \"1\"}]}, \"scoring\": {\"extract\": \"first\"}}", "1",
      "code: option 'extract' must be last, longest, code_tag or raw, not 'first'" },
    /* every problem is reported, one per line: the table's and the scorer's own */
    { "choice", "{\"choices\": [\"x\"], \"correct\": \"A\", \"mode\": \"guess\"}", "2",
      "choice: option 'mode' must be extract or logprob, not 'guess'\n"
      "choice: field 'choices' must list 2..26 choices" },
    { "bleu", "{}", "1", "unknown scorer 'bleu' (known: exact, f1*" },
};

Test(score_registry, option_table_checks)
{
    for (size_t i = 0; i < sizeof option_cases / sizeof option_cases[0]; i++) {
        const char *const *k = option_cases[i];
        char msg[2048];
        cr_assert_eq(check(k[0], k[1], msg, sizeof msg), atoi(k[2]), "%s: %s", k[1], msg);
        size_t wl = strlen(k[3]);
        if (wl && k[3][wl - 1] == '*')
            cr_assert(!strncmp(msg, k[3], wl - 1), "%s", msg);
        else
            cr_assert_str_eq(msg, k[3]);
    }
}

/* A bad option is an error when scoring too (rescore, direct callers). */
Test(score_registry, scoring_refuses_bad_options)
{
    struct ts_case *c = ts_run("tool_call", "{\"expected_call\": {\"name\": \"f\"}, \"match\": \"fuzzy\"}", "{}");
    cr_assert_eq(c->rc, -1);
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert_str_eq(c->err.msg, "tool_call: option 'match' must be exact or subset, not 'fuzzy'");
    ts_free(c);
}

/* suite/ asks the registry: the option table's problems appear at the item. */
Test(score_registry, suite_loading_uses_the_registry)
{
    const char *yaml = "suite: opts\nversion: 1\ndefaults:\n  scorer: f1\n  scoring: {variant: squad3}\n"
                       "items:\n  - id: a\n    prompt: Hi\n    answer: x\n";
    struct suite_diags d = {0};
    struct bai_error err = {0};
    struct suite *s = suite_load_text("opts.yaml", yaml, strlen(yaml), NULL, &d, &err);
    cr_assert_null(s);
    char *all = suite_diags_format(&d);
    cr_assert_not_null(strstr(all, "opts.yaml:7:5: item 'a': f1: option 'variant' must be squad, "
                                   "squad2 or hotpot, not 'squad3'"), "%s", all);
    free(all);
    suite_diags_free(&d);
}

/* An unanswerable SQuAD v2.0 item ('answers: []') loads under squad2 and
 * is refused, at the item, under the other variants. */
Test(score_registry, suite_f1_empty_answers)
{
    const char *ok = "suite: u\nversion: 1\ndefaults:\n  scorer: f1\n  scoring: {variant: squad2}\n"
                     "items:\n  - id: a\n    prompt: Hi\n    answers: []\n";
    struct bai_error err = {0};
    struct suite *s = suite_load_text("u.yaml", ok, strlen(ok), NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    suite_free(s);
    const char *bad = "suite: u\nversion: 1\ndefaults:\n  scorer: f1\n"
                      "items:\n  - id: a\n    prompt: Hi\n    answers: []\n";
    struct suite_diags d = {0};
    cr_assert_null(suite_load_text("u.yaml", bad, strlen(bad), NULL, &d, &err));
    char *all = suite_diags_format(&d);
    cr_assert_not_null(strstr(all, "u.yaml:6:5: item 'a': f1: 'answers' is empty; only variant "
                                   "squad2"), "%s", all);
    free(all);
    suite_diags_free(&d);
}

static const char *run_help(const char *scorer)
{
    char *argv[] = { "score", (char *)scorer, "--help", NULL };
    cr_assert_eq(cmd_score(scorer ? 3 : 2, scorer ? argv : (char *[]){ "score", "--help", NULL }), 0);
    return ts_redirected(stdout, cr_get_redirected_stdout());
}

Test(score_registry, cmd_prints_the_scorers_help, .init = cr_redirect_stdout)
{
    const char *out = run_help("choice");
    char *want = score_help(score_find("choice"));
    cr_assert_str_eq(out, want);
    free(want);
}

Test(score_registry, cmd_help_lists_scorers, .init = cr_redirect_stdout)
{
    const char *out = run_help(NULL);
    cr_assert_not_null(strstr(out, "usage: benchai score SCORER"), "%s", out);
    cr_assert_not_null(strstr(out, "\n  tool_call  tool call name and arguments"), "%s", out);
}
