/* The Markdown side of the doc-examples test: which lines of a document are
 * commands, synopses or output, and what the doc-test markers say. */
#include <criterion/criterion.h>
#include "doc_examples.h"

#include <string.h>

static struct docex_doc parse_ok(const char *md)
{
    struct docex_doc d;
    char err[256] = "";
    cr_assert_eq(docex_parse(md, &d, err, sizeof err), 0, "parse failed: %s", err);
    return d;
}

static void parse_fails(const char *md, const char *want)
{
    struct docex_doc d;
    char err[256] = "";
    cr_assert_eq(docex_parse(md, &d, err, sizeof err), -1, "parsed: %s", md);
    cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
}

Test(doc_extract, shell_block_commands_with_lines_and_continuations)
{
    struct docex_doc d = parse_ok(
        "# Title\n"                                  /* 1 */
        "\n"                                         /* 2 */
        "```sh\n"                                    /* 3 */
        "# a comment\n"                              /* 4 */
        "./benchai run --suite smoke \\\n"           /* 5 */
        "    --model m.gguf\n"                       /* 6 */
        "make demo\n"                                /* 7 */
        "benchai runs        # what is stored\n"     /* 8 */
        "MODEL_DIR=~/m benchai run --plan p.yaml\n"  /* 9 */
        "benchaix --help\n"                          /* 10 */
        "```\n");
    cr_assert_eq(d.n_blocks, 1);
    const struct docex_block *b = &d.blocks[0];
    cr_assert_eq(b->line, 3);
    cr_assert_str_eq(b->lang, "sh");
    cr_assert_eq(b->n_cmds, 3);
    cr_assert_eq(b->cmds[0].line, 5);
    cr_assert_str_eq(b->cmds[0].text, "./benchai run --suite smoke --model m.gguf");
    cr_assert_eq(b->cmds[0].kind, DOCEX_RUN);
    cr_assert_eq(b->cmds[1].line, 8);
    cr_assert_str_eq(b->cmds[1].text, "benchai runs        # what is stored");
    cr_assert_eq(b->cmds[2].line, 9);
    cr_assert_str_eq(b->cmds[2].text, "MODEL_DIR=~/m benchai run --plan p.yaml");
    cr_assert_eq(b->n_exits, 1);
    cr_assert_eq(b->exits[0], 0);
    cr_assert_null(b->skip);
    docex_free(&d);
}

Test(doc_extract, prompts_make_the_other_lines_output)
{
    struct docex_doc d = parse_ok(
        "```console\n"
        "$ benchai show latest\n"
        "benchai run r1: done\n"
        "| config | suite |\n"
        "$ ls results\n"
        "benchai.db\n"
        "$ ./benchai table -o csv\n"
        "```\n");
    cr_assert_eq(d.n_blocks, 1);
    cr_assert_eq(d.blocks[0].n_cmds, 2);
    cr_assert_str_eq(d.blocks[0].cmds[0].text, "benchai show latest");
    cr_assert_eq(d.blocks[0].cmds[0].line, 2);
    cr_assert_str_eq(d.blocks[0].cmds[1].text, "./benchai table -o csv");
    cr_assert_eq(d.blocks[0].cmds[1].line, 7);
    docex_free(&d);
}

Test(doc_extract, other_languages_and_plain_prose_are_not_commands)
{
    struct docex_doc d = parse_ok(
        "benchai run --suite x is prose here\n"
        "```yaml\n"
        "script:\n"
        "  - benchai run --plan ci.yaml\n"
        "```\n"
        "~~~c\n"
        "benchai run\n"
        "~~~\n"
        "````md\n"
        "```sh\n"
        "benchai inside a longer fence\n"
        "```\n"
        "````\n");
    cr_assert_eq(d.n_blocks, 0);
    docex_free(&d);
}

Test(doc_extract, synopses_are_told_from_commands)
{
    cr_assert(docex_is_synopsis("benchai table [--runs R,...] [-o md|csv|json]"));
    cr_assert(docex_is_synopsis("benchai store check|path|vacuum|new-id"));
    cr_assert(docex_is_synopsis("benchai merge A.db B.db ... -o C.db"));
    cr_assert_not(docex_is_synopsis("benchai runs | head -3"));
    cr_assert_not(docex_is_synopsis("benchai run --sweep 'flags=--mlock|--no-mmap' --suite speed"));
    cr_assert_not(docex_is_synopsis("benchai run --note \"a [first] try...\""));
    cr_assert_not(docex_is_synopsis("benchai runs   # lists [every] run"));
    cr_assert_not(docex_is_synopsis("benchai gate --baseline tag:prod --candidate latest || echo failed"));
}

Test(doc_extract, synopsis_lines_continue_without_backslash)
{
    struct docex_doc d = parse_ok(
        "```\n"
        "benchai compare RUN_A RUN_B [--config A[:B]] [--flipped]\n"
        "                [-o md|json|csv] [--store PATH]\n"
        "benchai runs\n"
        "```\n"
        "\n"
        "Text.\n"
        "\n"
        "    benchai pareto [--suite S | --suites a,b]\n"
        "                   [--x gen_tps|ttft_p95] [--plot FILE.svg]\n"
        "\n"
        "    benchai store check|path|vacuum|new-id\n"
        "\n"
        "    pct = sum of scores / n\n");
    cr_assert_eq(d.n_blocks, 2);
    const struct docex_block *f = &d.blocks[0];
    cr_assert_eq(f->n_cmds, 2);
    cr_assert_eq(f->cmds[0].kind, DOCEX_SYNOPSIS);
    cr_assert_str_eq(f->cmds[0].text,
                     "benchai compare RUN_A RUN_B [--config A[:B]] [--flipped] [-o md|json|csv] [--store PATH]");
    cr_assert_eq(f->cmds[1].kind, DOCEX_RUN, "a plain command in a fenced block runs");
    const struct docex_block *ind = &d.blocks[1];
    cr_assert_not(ind->fenced);
    cr_assert_eq(ind->line, 9);
    cr_assert_eq(ind->n_cmds, 2);
    cr_assert_str_eq(ind->cmds[0].text,
                     "benchai pareto [--suite S | --suites a,b] [--x gen_tps|ttft_p95] [--plot FILE.svg]");
    cr_assert_eq(ind->cmds[1].kind, DOCEX_SYNOPSIS, "indented blocks are synopses only");
    docex_free(&d);
}

Test(doc_extract, markers_bind_to_the_next_fenced_block)
{
    struct docex_doc d = parse_ok(
        "<!-- doc-test: skip: needs a 7B model's quality -->\n"
        "```sh\n"
        "benchai run --suite thinking --model big.gguf\n"
        "```\n"
        "<!-- doc-test: file: ci-plan.yaml -->\n"
        "\n"
        "```yaml\n"
        "plan: ci\n"
        "suites: [suites/v1/smoke.yaml]\n"
        "```\n"
        "<!-- doc-test: exit: 0, 1 -->\n"
        "```sh\n"
        "benchai gate --baseline tag:a --candidate tag:b\n"
        "```\n"
        "```sh\n"
        "benchai runs\n"
        "```\n");
    cr_assert_eq(d.n_blocks, 4);
    cr_assert_str_eq(d.blocks[0].skip, "needs a 7B model's quality");
    cr_assert_eq(d.blocks[0].n_cmds, 1);
    cr_assert_str_eq(d.blocks[1].file, "ci-plan.yaml");
    cr_assert_str_eq(d.blocks[1].body, "plan: ci\nsuites: [suites/v1/smoke.yaml]\n");
    cr_assert_eq(d.blocks[1].n_cmds, 0);
    cr_assert_eq(d.blocks[2].n_exits, 2);
    cr_assert_eq(d.blocks[2].exits[0], 0);
    cr_assert_eq(d.blocks[2].exits[1], 1);
    cr_assert_null(d.blocks[3].skip, "a marker applies to one block only");
    cr_assert_eq(d.blocks[3].n_exits, 1);
    cr_assert_eq(d.blocks[3].exits[0], 0);
    docex_free(&d);
}

Test(doc_extract, bad_markers_and_fences_are_errors)
{
    parse_fails("<!-- doc-test: skp: typo -->\n```sh\nbenchai runs\n```\n", "unknown doc-test marker 'skp: typo'");
    parse_fails("<!-- doc-test: skip: x -->\nSome prose.\n```sh\nbenchai runs\n```\n", "line 1: a doc-test marker");
    parse_fails("text\n<!-- doc-test: exit: 1 -->\n", "line 2: a doc-test marker");
    parse_fails("<!-- doc-test: exit: one -->\n```\nbenchai runs\n```\n", "exit: wants codes");
    parse_fails("<!-- doc-test: skip: -->\n```\nbenchai runs\n```\n", "unknown doc-test marker");
    parse_fails("<!-- doc-test: skip: x\n```\nbenchai runs\n```\n", "one line ending in -->");
    parse_fails("para\n\n```sh\nbenchai runs\n", "line 3: the code block is not closed");
}

Test(doc_extract, flags_and_command_name_of_a_synopsis)
{
    const char *s = "benchai [-q | -v] gate --baseline RUN [--max-drop 2.0] [-o md|json] "
                    "[--config=A[:B]] [--suite S]... [--max-drop 3]";
    size_t n = 0, before = 0;
    char **f = docex_flags(s, &n, &before);
    cr_assert_eq(n, 7);
    cr_assert_eq(before, 2);
    const char *want[] = { "-q", "-v", "--baseline", "--max-drop", "-o", "--config", "--suite" };
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(f[i], want[i]);
    docex_strv_free(f, n);

    char *c = docex_command_name(s);
    cr_assert_str_eq(c, "gate");
    free(c);
    c = docex_command_name("MODEL_DIR=/m ./benchai -q run --suite x");
    cr_assert_str_eq(c, "run");
    free(c);
    c = docex_command_name("benchai --help");
    cr_assert_null(c);

    f = docex_flags("benchai suites validate FILE...   every problem; exit 2 if any # -x", &n, &before);
    cr_assert_eq(n, 0, "words of a description are not flags, a comment is not read");
    docex_strv_free(f, n);
}
