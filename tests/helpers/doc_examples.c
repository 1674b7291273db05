#include "doc_examples.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string helpers ------------------------------------------- */

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int is_blank(const char *s)
{
    return *skip_blanks(s) == '\0';
}

static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void strv_push(char ***v, size_t *n, char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

void docex_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The text lines of the document, without their newlines. */
static char **split_lines(const char *text, size_t *n)
{
    char **v = NULL;
    *n = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *l = xstrndup(p, len);
        rtrim(l);
        strv_push(&v, n, l);
        p += len + (e ? 1 : 0);
    }
    return v;
}

/* ---- what a line is ------------------------------------------------- */

/* A fence: up to three spaces, then ``` or ~~~ (three or more). */
static int fence_len(const char *l, char *ch)
{
    const char *p = l;
    for (int i = 0; i < 3 && *p == ' '; i++)
        p++;
    if (*p != '`' && *p != '~')
        return 0;
    int n = 0;
    while (p[n] == *p)
        n++;
    if (n < 3)
        return 0;
    *ch = *p;
    return (int)(p - l) + n;
}

/* Where a benchai command starts on a line of a shell block, or NULL: the
 * first word, after VAR=value assignments, is benchai or ./benchai. In a
 * block with prompts only "$ " lines count (the rest is output). Other
 * commands (cp, make) are the reader's to run, not the test's. */
static const char *command_start(const char *l, int prompts)
{
    const char *p = skip_blanks(l);
    if (prompts) {
        if (p[0] != '$' || p[1] != ' ')
            return NULL;
        p = skip_blanks(p + 2);
    }
    const char *w = p;
    for (;;) {
        const char *q = w;
        if (!(isupper((unsigned char)*q) || *q == '_'))
            break;
        while (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_')
            q++;
        if (*q != '=')
            break;
        while (*q && *q != ' ' && *q != '\t')
            q++;
        w = skip_blanks(q);
    }
    if (!strncmp(w, "./", 2))
        w += 2;
    if (strncmp(w, "benchai", 7) || (w[7] != ' ' && w[7] != '\0'))
        return NULL;
    return p;
}

static int is_shell_lang(const char *lang)
{
    static const char *const shells[] = { "", "sh", "bash", "shell", "console", "zsh", NULL };
    for (size_t i = 0; shells[i]; i++)
        if (!strcmp(lang, shells[i]))
            return 1;
    return 0;
}

int docex_is_synopsis(const char *cmd)
{
    char quote = 0;
    for (const char *p = cmd; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            continue;
        }
        if (*p == '#' && (p == cmd || p[-1] == ' '))
            return 0;   /* a trailing comment may say anything */
        if (*p == '[' || !strncmp(p, "...", 3))
            return 1;
        if (*p == '|' && p > cmd && p[-1] != ' ' && p[1] && p[1] != ' ' && p[1] != '|' && p[-1] != '|')
            return 1;
    }
    return 0;
}

/* ---- markers -------------------------------------------------------- */

struct markers {
    int line;                 /* of the first pending marker, 0 when none */
    char *skip, *file;
    int exits[DOCEX_MAX_EXITS];
    size_t n_exits;
};

static void markers_clear(struct markers *m)
{
    free(m->skip);
    free(m->file);
    memset(m, 0, sizeof *m);
}

/* "<!-- doc-test: WHAT -->": returns 1 and fills m, 0 when the line is not
 * a marker, -1 on a malformed one. */
static int parse_marker(const char *l, int lineno, struct markers *m, char *err, size_t errlen)
{
    const char *p = skip_blanks(l);
    if (strncmp(p, "<!--", 4))
        return 0;
    p = skip_blanks(p + 4);
    if (strncmp(p, "doc-test:", 9))
        return 0;
    p = skip_blanks(p + 9);
    const char *end = strstr(p, "-->");
    if (!end || !is_blank(end + 3)) {
        set_err(err, errlen, "line %d: a doc-test marker is one line ending in -->", lineno);
        return -1;
    }
    char *what = xstrndup(p, (size_t)(end - p));
    rtrim(what);
    int rc = 1;
    if (!strncmp(what, "skip:", 5) && !is_blank(what + 5)) {
        free(m->skip);
        m->skip = xstrdup(skip_blanks(what + 5));
    } else if (!strncmp(what, "file:", 5) && !is_blank(what + 5)) {
        free(m->file);
        m->file = xstrdup(skip_blanks(what + 5));
    } else if (!strncmp(what, "exit:", 5)) {
        m->n_exits = 0;
        char *q = what + 5;
        for (;;) {
            char *e;
            long v = strtol(q, &e, 10);
            if (e == q || v < 0 || v > 255 || m->n_exits == DOCEX_MAX_EXITS) {
                set_err(err, errlen, "line %d: doc-test exit: wants codes such as 1 or 0,1", lineno);
                rc = -1;
                break;
            }
            m->exits[m->n_exits++] = (int)v;
            q = (char *)skip_blanks(e);
            if (*q == '\0')
                break;
            if (*q != ',') {
                set_err(err, errlen, "line %d: doc-test exit: wants codes such as 1 or 0,1", lineno);
                rc = -1;
                break;
            }
            q++;
        }
    } else {
        set_err(err, errlen, "line %d: unknown doc-test marker '%s' (skip: REASON, exit: N[,N], file: NAME)",
                lineno, what);
        rc = -1;
    }
    free(what);
    if (rc == 1 && !m->line)
        m->line = lineno;
    return rc;
}

/* ---- blocks --------------------------------------------------------- */

static void cmd_push(struct docex_block *b, int line, char *text)
{
    b->cmds = xrealloc(b->cmds, (b->n_cmds + 1) * sizeof *b->cmds);
    b->cmds[b->n_cmds++] = (struct docex_cmd){ .line = line, .kind = DOCEX_RUN, .text = text };
}

static void block_finish_cmds(struct docex_block *b)
{
    for (size_t i = 0; i < b->n_cmds; i++)
        if (!b->fenced || docex_is_synopsis(b->cmds[i].text))
            b->cmds[i].kind = DOCEX_SYNOPSIS;
}

/* The commands of a shell block's lines [from, to). A line ending in `\`
 * continues; an indented line of options ([... or -...) after a synopsis
 * line continues the synopsis. */
static void extract_commands(struct docex_block *b, char **lines, size_t from, size_t to)
{
    int prompts = 0;
    for (size_t i = from; i < to; i++)
        if (!strncmp(skip_blanks(lines[i]), "$ ", 2))
            prompts = 1;
    for (size_t i = from; i < to; i++) {
        const char *s = command_start(lines[i], prompts);
        if (!s)
            continue;
        size_t first = i;
        char *text = xstrdup(s);
        for (;;) {
            size_t n = strlen(text);
            if (n && text[n - 1] == '\\' && i + 1 < to) {
                text[n - 1] = '\0';
                rtrim(text);
                char *more = xasprintf("%s %s", text, skip_blanks(lines[++i]));
                free(text);
                text = more;
                continue;
            }
            const char *next = i + 1 < to ? lines[i + 1] : "";
            if ((next[0] == ' ' || next[0] == '\t') && strchr("[-", *skip_blanks(next)) &&
                *skip_blanks(next) && docex_is_synopsis(text)) {
                char *more = xasprintf("%s %s", text, skip_blanks(lines[++i]));
                free(text);
                text = more;
                continue;
            }
            break;
        }
        cmd_push(b, (int)first + 1, text);
    }
}

static char *join_lines(char **lines, size_t from, size_t to)
{
    size_t len = 1;
    for (size_t i = from; i < to; i++)
        len += strlen(lines[i]) + 1;
    char *s = xmalloc(len), *p = s;
    for (size_t i = from; i < to; i++) {
        size_t n = strlen(lines[i]);
        memcpy(p, lines[i], n);
        p[n] = '\n';
        p += n + 1;
    }
    *p = '\0';
    return s;
}

static void doc_push(struct docex_doc *doc, struct docex_block *b)
{
    doc->blocks = xrealloc(doc->blocks, (doc->n_blocks + 1) * sizeof *doc->blocks);
    doc->blocks[doc->n_blocks++] = *b;
}

static void block_free(struct docex_block *b)
{
    free(b->lang);
    free(b->skip);
    free(b->file);
    free(b->body);
    for (size_t i = 0; i < b->n_cmds; i++)
        free(b->cmds[i].text);
    free(b->cmds);
}

int docex_parse(const char *text, struct docex_doc *doc, char *err, size_t errlen)
{
    memset(doc, 0, sizeof *doc);
    size_t n = 0;
    char **lines = split_lines(text, &n);
    struct markers m = { 0 };
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char fch = 0;
        int flen = fence_len(lines[i], &fch);
        if (flen) {
            struct docex_block b = { .line = (int)i + 1, .fenced = 1 };
            const char *info = skip_blanks(lines[i] + flen);
            size_t wl = strcspn(info, " \t{");
            b.lang = xstrndup(info, wl);
            size_t j = i + 1;
            for (; j < n; j++) {
                char c2 = 0;
                int l2 = fence_len(lines[j], &c2);
                if (l2 >= flen && c2 == fch && is_blank(lines[j] + l2))
                    break;
            }
            if (j == n) {
                set_err(err, errlen, "line %zu: the code block is not closed", i + 1);
                free(b.lang);
                rc = -1;
                break;
            }
            if (m.file)
                b.body = join_lines(lines, i + 1, j);
            else if (is_shell_lang(b.lang))
                extract_commands(&b, lines, i + 1, j);
            block_finish_cmds(&b);
            b.skip = m.skip;
            b.file = m.file;
            memcpy(b.exits, m.exits, sizeof b.exits);
            b.n_exits = m.n_exits;
            m.skip = m.file = NULL;
            if (b.n_exits == 0)
                b.n_exits = 1;   /* exits[0] is 0 */
            if (b.n_cmds || b.skip || b.file || m.line)
                doc_push(doc, &b);
            else
                block_free(&b);
            markers_clear(&m);
            i = j;
            continue;
        }
        int mk = parse_marker(lines[i], (int)i + 1, &m, err, errlen);
        if (mk < 0) {
            rc = -1;
            break;
        }
        if (mk > 0 || is_blank(lines[i]))
            continue;
        if (m.line) {
            set_err(err, errlen, "line %d: a doc-test marker must come right before a fenced code block",
                    m.line);
            rc = -1;
            break;
        }
        /* An indented block (after a blank line): its benchai lines are synopses. */
        if (!strncmp(lines[i], "    ", 4) && i > 0 && is_blank(lines[i - 1])) {
            size_t j = i;
            while (j < n && (!strncmp(lines[j], "    ", 4) || is_blank(lines[j])))
                j++;
            struct docex_block b = { .line = (int)i + 1, .lang = xstrdup(""), .n_exits = 1 };
            extract_commands(&b, lines, i, j);
            block_finish_cmds(&b);
            if (b.n_cmds)
                doc_push(doc, &b);
            else
                block_free(&b);
            i = j - 1;
        }
    }
    if (rc == 0 && m.line) {
        set_err(err, errlen, "line %d: a doc-test marker must come right before a fenced code block", m.line);
        rc = -1;
    }
    markers_clear(&m);
    docex_strv_free(lines, n);
    if (rc < 0)
        docex_free(doc);
    return rc;
}

void docex_free(struct docex_doc *doc)
{
    for (size_t i = 0; i < doc->n_blocks; i++)
        block_free(&doc->blocks[i]);
    free(doc->blocks);
    memset(doc, 0, sizeof *doc);
}

/* ---- synopsis words ------------------------------------------------- */

/* Whitespace-separated words of a command, quotes kept as written. */
static char **words(const char *cmd, size_t *n)
{
    char **v = NULL;
    *n = 0;
    const char *p = skip_blanks(cmd);
    while (*p) {
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        strv_push(&v, n, xstrndup(s, (size_t)(p - s)));
        p = skip_blanks(p);
    }
    return v;
}

/* The index of the word after "benchai"/"./benchai", or n. */
static size_t after_benchai(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w[i], "benchai") || !strcmp(w[i], "./benchai"))
            return i + 1;
    return n;
}

/* "[--flag=X]..," -> "--flag"; NULL when the word is not a flag. */
static char *clean_flag(const char *w)
{
    while (*w == '[' || *w == '(' || *w == '|')
        w++;
    if (w[0] != '-' || !(isalpha((unsigned char)w[1]) || (w[1] == '-' && isalpha((unsigned char)w[2]))))
        return NULL;
    size_t len = 1;
    while (w[len] == '-' || isalnum((unsigned char)w[len]))
        len++;
    const char *rest = w + len;
    if (*rest && !strchr("=]),.|", *rest))
        return NULL;
    return xstrndup(w, len);
}

char *docex_command_name(const char *cmd)
{
    size_t n = 0;
    char **w = words(cmd, &n);
    char *name = NULL;
    for (size_t i = after_benchai(w, n); i < n && !name; i++) {
        const char *s = w[i];
        while (*s == '[')
            s++;
        if (*s == '-' || *s == '|' || *s == '\0')
            continue;
        size_t len = strspn(s, "abcdefghijklmnopqrstuvwxyz-_");
        if (len && (s[len] == '\0' || s[len] == ']'))
            name = xstrndup(s, len);
        break;
    }
    docex_strv_free(w, n);
    return name;
}

char **docex_flags(const char *cmd, size_t *n, size_t *before_cmd)
{
    size_t nw = 0;
    char **w = words(cmd, &nw);
    char **flags = NULL;
    *n = 0;
    size_t before = 0;
    int seen_cmd = 0;
    for (size_t i = after_benchai(w, nw); i < nw; i++) {
        if (w[i][0] == '#')
            break;
        char *f = clean_flag(w[i]);
        if (!f) {
            const char *s = w[i];
            while (*s == '[')
                s++;
            if (*s && *s != '|' && *s != '-')
                seen_cmd = 1;
            continue;
        }
        int dup = 0;
        for (size_t k = 0; k < *n; k++)
            dup |= !strcmp(flags[k], f);
        if (dup) {
            free(f);
            continue;
        }
        if (!seen_cmd)
            before++;
        strv_push(&flags, n, f);
    }
    docex_strv_free(w, nw);
    if (before_cmd)
        *before_cmd = before;
    return flags;
}
