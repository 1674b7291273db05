/* The escaping rules of what leaves benchai (issue 22, items 12-14): the
 * terminal (util/escape.h), shell command lines, CSV, Markdown, XML/SVG
 * and HTML (report/format.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "util/escape.h"
#include "util/mem.h"

static char *term(const char *s, size_t n, enum esc_mode m)
{
    struct buf b = {0};
    esc_term_append(&b, s, n, m);
    return buf_detach(&b);
}

Test(escape, terminal_text_shows_every_control_and_keeps_text)
{
    const char *in = "a\x1b[2Jb\x1b]0;title\x07 c\r\nd\te\x7f";
    char *t = term(in, strlen(in), ESC_TEXT);
    cr_assert_str_eq(t, "a\\x1b[2Jb\\x1b]0;title\\x07 c\\x0d\nd\te\\x7f");
    free(t);
    /* C1 CSI (U+009B), a bidi override, an invalid byte; é and 世 stay */
    in = "\xc2\x9b" "31m \xe2\x80\xae rev \xff caf\xc3\xa9 \xe4\xb8\x96";
    t = term(in, strlen(in), ESC_TEXT);
    cr_assert_str_eq(t, "\\u009b31m \\u202e rev \\xff caf\xc3\xa9 \xe4\xb8\x96");
    free(t);
    t = term("line1\nline2\t", 12, ESC_LINE);
    cr_assert_str_eq(t, "line1\\nline2\\t");
    free(t);
}

Test(escape, json_mode_keeps_json_valid)
{
    const char *in = "{\"a\":\"x\xc2\x9by\xff\"}";
    char *t = term(in, strlen(in), ESC_JSON);
    cr_assert_str_eq(t, "{\"a\":\"x\\u009by\xef\xbf\xbd\"}");
    free(t);
}

Test(escape, shell_quoting_makes_one_literal_word)
{
    struct buf b = {0};
    esc_shell_quote(&b, "--model=/m/a.gguf");
    buf_putc(&b, ' ');
    esc_shell_quote(&b, "$(rm -rf ~)");
    buf_putc(&b, ' ');
    esc_shell_quote(&b, "it's `x`");
    buf_putc(&b, ' ');
    esc_shell_quote(&b, "");
    cr_assert_str_eq(b.data, "--model=/m/a.gguf '$(rm -rf ~)' 'it'\\''s `x`' ''");
    buf_free(&b);
}

static char *csv(const char *s)
{
    struct buf b = {0};
    report_csv_field(&b, s);
    return buf_detach(&b);
}

Test(escape, csv_cells_that_a_spreadsheet_would_run_become_text)
{
    static const struct { const char *in, *out; } cases[] = {
        { "=1+2", "'=1+2" },
        { "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
        { "+cmd", "'+cmd" }, { "-cmd|' /c calc'!A0", "'-cmd|' /c calc'!A0" },
        { "@SUM(A1)", "'@SUM(A1)" }, { "\tx", "'\tx" }, { "\rx", "'\\x0dx" },
        { "-3.5", "-3.5" }, { "+2", "+2" }, { "1e-3", "1e-3" }, { "-", "'-" },
        { "plain, text", "\"plain, text\"" }, { "a=b", "a=b" }, { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = csv(cases[i].in);
        cr_assert_str_eq(got, cases[i].out, "csv(%s)", cases[i].in);
        free(got);
    }
    report_csv_set_raw(1);
    char *got = csv("=1+2");
    cr_assert_str_eq(got, "=1+2", "--csv-raw");
    free(got);
    report_csv_set_raw(0);
}

Test(escape, csv_tables_keep_numbers_and_guard_text)
{
    static const char *const cols[] = { "config", "delta" };
    struct report_table t;
    report_table_init(&t, 2, cols);
    size_t r = report_table_add_row(&t);
    report_table_set(&t, r, 0, "=1+2");
    report_table_set_num(&t, r, 1, -3.5, "%.1f");
    struct buf b = {0};
    report_table_csv(&t, &b);
    cr_assert_str_eq(b.data, "config,delta\n'=1+2,-3.5\n");
    buf_free(&b);
    report_table_free(&t);
}

Test(escape, markdown_cells_hold_no_html_links_or_cell_breaks)
{
    struct buf b = {0};
    report_md_escape(&b, "<script>alert(1)</script> <img src=x onerror=y> a < b && c a|b ![i](http://t/p) "
                         "&amp; <!-- x --> \x1b[2J\nnext", 0);
    cr_assert_str_eq(b.data, "&lt;script>alert(1)&lt;/script> &lt;img src=x onerror=y> a < b && c a\\|b "
                             "!\\[i](http://t/p) &amp;amp; &lt;!-- x --> \\x1b\\[2J next");
    buf_free(&b);
    report_md_escape(&b, "a\nb", 1);
    cr_assert_str_eq(b.data, "a<br>b");
    buf_free(&b);
}

Test(escape, xml_text_is_well_formed_for_any_name)
{
    struct buf b = {0};
    report_xml_escape(&b, "a&b<c>\"d'\x01\x1b\xff\xef\xbf\xbe ok \xc3\xa9");
    cr_assert_str_eq(b.data, "a&amp;b&lt;c&gt;&quot;d&apos;\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ok \xc3\xa9");
    buf_free(&b);
}

Test(escape, html_text_has_no_raw_controls)
{
    struct buf b = {0};
    report_html_escape(&b, "<b>\x1b[2J</b>");
    cr_assert_str_eq(b.data, "&lt;b&gt;\\x1b[2J&lt;/b&gt;");
    buf_free(&b);
}
