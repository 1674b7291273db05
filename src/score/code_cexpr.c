/* code_cexpr.c - C/C++ asserts judged by benchai, not by the program.
 *
 * An assert such as `strcmp(rev("abc"), "cba") == 0` is parsed here. The
 * parts benchai cannot evaluate itself - calls of the program's functions,
 * its variables, dereferences, member access - become "leaves": the program
 * is compiled with a generated main that evaluates only the leaves, one
 * assert per forked child, and writes their values on fd 3. Everything else
 * (literals, the expected values, operators, the standard functions listed
 * below) is evaluated here on those values. The expected values therefore
 * never enter the program, and nothing it prints or returns is a verdict.
 */
#include "score/code_cexpr.h"
#include "util/mem.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- tokens ------------------------------------------------------------- */

enum tok { T_END, T_NUM, T_CHAR, T_STR, T_ID, T_PUNCT };

struct token {
    enum tok kind;
    const char *p;             /* into the assert's text */
    size_t n;
};

static const char *const puncts[] = {   /* longest first */
    "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::",
    "(", ")", "[", "]", "{", "}", ".", ",", "?", ":", ";", "+", "-", "*", "/", "%", "<",
    ">", "!", "~", "&", "|", "^", "=", NULL,
};

/* Splits s into tokens; -1 on a character C has no token for. */
static int tokenize(const char *s, struct token **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (const char *p = s; *p;) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        struct token t = { T_PUNCT, p, 0 };
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *q = p;
            for (;;) {
                while (isalnum((unsigned char)*q) || *q == '_')
                    q++;
                if (q[0] == ':' && q[1] == ':' && (isalpha((unsigned char)q[2]) || q[2] == '_'))
                    q += 2;                     /* std::abs is one name */
                else
                    break;
            }
            t.kind = T_ID;
            t.n = (size_t)(q - p);
        } else if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
            const char *q = p;
            while (isalnum((unsigned char)*q) || *q == '.' || *q == '\'' ||
                   ((*q == '+' || *q == '-') && (q[-1] == 'e' || q[-1] == 'E' || q[-1] == 'p' ||
                                                 q[-1] == 'P') && !(p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && (q[-1] == 'e' || q[-1] == 'E'))))
                q++;
            t.kind = T_NUM;
            t.n = (size_t)(q - p);
        } else if (*p == '"' || *p == '\'') {
            char quote = *p;
            const char *q = p + 1;
            while (*q && *q != quote)
                q += (*q == '\\' && q[1]) ? 2 : 1;
            if (!*q)
                return -1;
            t.kind = quote == '"' ? T_STR : T_CHAR;
            t.n = (size_t)(q + 1 - p);
        } else {
            for (size_t i = 0; puncts[i]; i++)
                if (!strncmp(p, puncts[i], strlen(puncts[i]))) {
                    t.n = strlen(puncts[i]);
                    break;
                }
            if (!t.n)
                return -1;
        }
        XGROW(*out, *n + 1, cap);
        (*out)[(*n)++] = t;
        p += t.n;
    }
    XGROW(*out, *n + 1, cap);
    (*out)[*n] = (struct token){ T_END, s + strlen(s), 0 };
    return 0;
}

/* ---- what benchai evaluates itself --------------------------------------- */

static const char *const known_consts[] = {
    "true", "false", "NULL", "nullptr", "EOF", "INT_MAX", "INT_MIN", "UINT_MAX", "LONG_MAX",
    "LONG_MIN", "ULONG_MAX", "LLONG_MAX", "LLONG_MIN", "ULLONG_MAX", "SIZE_MAX", "CHAR_BIT",
    "SCHAR_MAX", "SCHAR_MIN", "UCHAR_MAX", "SHRT_MAX", "SHRT_MIN", "USHRT_MAX", "INT32_MAX",
    "INT32_MIN", "UINT32_MAX", "INT64_MAX", "INT64_MIN", "UINT64_MAX", "DBL_EPSILON",
    "FLT_EPSILON", "DBL_MAX", "DBL_MIN", "FLT_MAX", "FLT_MIN", "M_PI", "M_E", "INFINITY", "NAN",
    NULL,
};

static const char *const known_funcs[] = {
    "strcmp", "strncmp", "strcasecmp", "strlen", "abs", "labs", "llabs", "fabs", "fabsf",
    "fabsl", "fmin", "fmax", "sqrt", "pow", "floor", "ceil", "round", "trunc", "isnan", "isinf",
    "isfinite", "toupper", "tolower", "isdigit", "isalpha", "isalnum", "isspace", "isupper",
    "islower", NULL,
};

static const char *const type_words[] = {
    "int", "long", "short", "char", "signed", "unsigned", "float", "double", "_Bool", "bool",
    "size_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
    "uint64_t", "const", "volatile", "void", "struct", "union", "enum", "ptrdiff_t", "intptr_t",
    "uintptr_t", "ssize_t", NULL,
};

static const char *strip_std(const char *name, size_t *n)
{
    if (*n > 5 && !strncmp(name, "std::", 5)) {
        *n -= 5;
        return name + 5;
    }
    return name;
}

static int in_list(const char *const *list, const char *name, size_t n)
{
    name = strip_std(name, &n);
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && !strncmp(list[i], name, n))
            return 1;
    return 0;
}

/* ---- the tree ------------------------------------------------------------- */

enum node_kind { N_INT, N_FLT, N_STR, N_CONST, N_LEAF, N_CALL, N_UNARY, N_BINARY, N_COND,
                 N_CAST };

enum vtype { V_I32, V_U32, V_I64, V_U64, V_DBL, V_STR, V_PTR, V_NONE };

struct node {
    enum node_kind kind;
    char op[4];                /* N_UNARY, N_BINARY */
    struct node *a, *b, *c;    /* operands; N_CALL: args in args */
    struct node **args;
    size_t n_args;
    char *name;                /* N_CONST, N_CALL */
    enum vtype cast;           /* N_CAST */
    int leaf;                  /* N_LEAF: its index within the assert */
    char *text;                /* N_LEAF: the source; N_STR: the bytes */
    size_t text_len;
    long long ival;            /* N_INT */
    enum vtype itype;
    double fval;               /* N_FLT */
};

struct cassert {
    char *src;
    struct node *root;
    char **leaves;             /* source of each leaf, in evaluation order */
    size_t n_leaves;
};

struct code_casserts {
    struct cassert *v;
    size_t n;
    int cpp;
};

struct parser {
    struct token *t;
    size_t i;
    const char *src;
    struct cassert *ca;
    const char *error;
};

static struct node *new_node(enum node_kind k)
{
    struct node *n = xcalloc(1, sizeof *n);
    n->kind = k;
    return n;
}

static void node_free(struct node *n)
{
    if (!n)
        return;
    node_free(n->a);
    node_free(n->b);
    node_free(n->c);
    for (size_t i = 0; i < n->n_args; i++)
        node_free(n->args[i]);
    free(n->args);
    free(n->name);
    free(n->text);
    free(n);
}

static int is_p(const struct token *t, const char *s)
{
    return t->kind == T_PUNCT && t->n == strlen(s) && !strncmp(t->p, s, t->n);
}

static const struct token *cur(struct parser *p) { return &p->t[p->i]; }

/* Skips a balanced ( [ { group starting at the current token. */
static int skip_group(struct parser *p)
{
    int depth = 0;
    do {
        const struct token *t = cur(p);
        if (t->kind == T_END)
            return -1;
        if (is_p(t, "(") || is_p(t, "[") || is_p(t, "{"))
            depth++;
        else if (is_p(t, ")") || is_p(t, "]") || is_p(t, "}"))
            depth--;
        p->i++;
    } while (depth > 0);
    return 0;
}

/* Turns the tokens [from, p->i) into a leaf of the current assert. */
static struct node *make_leaf(struct parser *p, size_t from, struct node *absorbed)
{
    node_free(absorbed);
    const char *start = p->t[from].p;
    const char *end = p->t[p->i - 1].p + p->t[p->i - 1].n;
    struct node *n = new_node(N_LEAF);
    n->text = xstrndup(start, (size_t)(end - start));
    n->leaf = (int)p->ca->n_leaves;
    p->ca->leaves = xrealloc(p->ca->leaves, (p->ca->n_leaves + 1) * sizeof *p->ca->leaves);
    p->ca->leaves[p->ca->n_leaves++] = xstrdup(n->text);
    return n;
}

/* Postfix operators after a primary: applied to anything but a program
 * leaf chain they make the whole expression a leaf. */
static int is_postfix(const struct token *t)
{
    return is_p(t, "(") || is_p(t, "[") || is_p(t, ".") || is_p(t, "->") || is_p(t, "++") ||
           is_p(t, "--");
}

static int skip_postfix_chain(struct parser *p)
{
    while (is_postfix(cur(p))) {
        if (is_p(cur(p), "(") || is_p(cur(p), "[")) {
            if (skip_group(p) != 0)
                return -1;
        } else if (is_p(cur(p), ".") || is_p(cur(p), "->")) {
            p->i++;
            if (cur(p)->kind != T_ID)
                return -1;
            p->i++;
        } else {
            p->i++;
        }
    }
    return 0;
}

static struct node *parse_expr(struct parser *p);
static struct node *parse_assign(struct parser *p);
static struct node *parse_unary(struct parser *p);

static int decode_escape(const char **s)
{
    const char *q = *s;
    int c = *q++;
    if (c != '\\') {
        *s = q;
        return (unsigned char)c;
    }
    c = *q++;
    int v;
    switch (c) {
    case 'n': v = '\n'; break;
    case 't': v = '\t'; break;
    case 'r': v = '\r'; break;
    case 'a': v = '\a'; break;
    case 'b': v = '\b'; break;
    case 'f': v = '\f'; break;
    case 'v': v = '\v'; break;
    case 'x': v = (int)strtol(q, (char **)&q, 16); break;
    default:
        if (c >= '0' && c <= '7') {
            v = c - '0';
            for (int k = 0; k < 2 && *q >= '0' && *q <= '7'; k++)
                v = v * 8 + (*q++ - '0');
        } else {
            v = c;
        }
    }
    *s = q;
    return v & 0xff;
}

static struct node *parse_number(struct parser *p, const struct token *t)
{
    char buf[128];
    size_t k = 0;
    for (size_t i = 0; i < t->n && k < sizeof buf - 1; i++)
        if (t->p[i] != '\'')
            buf[k++] = t->p[i];
    buf[k] = 0;
    int hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
    int is_float = hex ? strpbrk(buf, ".pP") != NULL : strpbrk(buf, ".eE") != NULL;
    if (is_float) {
        struct node *n = new_node(N_FLT);
        char *end;
        n->fval = strtod(buf, &end);
        return n;
    }
    char *end;
    unsigned long long v = strtoull(buf, &end, 0);
    int u = 0, l = 0;
    for (; *end; end++) {
        if (*end == 'u' || *end == 'U') u = 1;
        else if (*end == 'l' || *end == 'L') l++;
        else { p->error = "bad number"; return NULL; }
    }
    struct node *n = new_node(N_INT);
    int octhex = buf[0] == '0' && buf[1];
    if (!l && !u && v <= INT_MAX) n->itype = V_I32;
    else if (!l && (u || octhex) && v <= UINT_MAX) n->itype = V_U32;
    else if (!u && v <= LLONG_MAX) n->itype = V_I64;
    else n->itype = V_U64;
    n->ival = (long long)v;
    return n;
}

/* `( type )` at the current token: the cast's type, V_NONE when it is
 * not an arithmetic type benchai knows, -1 when it is no cast at all. */
static int parse_cast_type(struct parser *p, enum vtype *type)
{
    size_t i = p->i + 1;
    if (p->t[i].kind != T_ID || !in_list(type_words, p->t[i].p, p->t[i].n))
        return -1;
    int is_unsigned = 0, longs = 0, flt = 0, other = 0, ptr = 0, bools = 0;
    for (; p->t[i].kind == T_ID || is_p(&p->t[i], "*"); i++) {
        const struct token *t = &p->t[i];
        if (is_p(t, "*")) { ptr = 1; continue; }
        if (!in_list(type_words, t->p, t->n)) { other = 1; continue; }
#define W(s) (t->n == strlen(s) && !strncmp(t->p, s, t->n))
        if (W("unsigned") || W("size_t") || W("uint32_t") || W("uint64_t") || W("uint8_t") ||
            W("uint16_t") || W("uintptr_t")) is_unsigned = 1;
        if (W("long") || W("int64_t") || W("uint64_t") || W("size_t") || W("ptrdiff_t") ||
            W("intptr_t") || W("uintptr_t") || W("ssize_t")) longs++;
        if (W("float") || W("double")) flt = 1;
        if (W("_Bool") || W("bool")) bools = 1;
        if (W("void") || W("struct") || W("union") || W("enum")) other = 1;
#undef W
    }
    if (!is_p(&p->t[i], ")"))
        return -1;
    p->i = i + 1;
    if (ptr || other)
        *type = V_NONE;
    else if (flt)
        *type = V_DBL;
    else if (bools)
        *type = V_I32;                  /* converted to 0/1 below */
    else if (longs)
        *type = is_unsigned ? V_U64 : V_I64;
    else
        *type = is_unsigned ? V_U32 : V_I32;
    return bools ? 2 : 0;
}

static struct node *parse_primary(struct parser *p)
{
    const struct token *t = cur(p);
    size_t from = p->i;
    struct node *n = NULL;
    if (t->kind == T_NUM) {
        p->i++;
        n = parse_number(p, t);
    } else if (t->kind == T_CHAR) {
        p->i++;
        const char *s = t->p + 1;
        n = new_node(N_INT);
        n->itype = V_I32;
        n->ival = (signed char)decode_escape(&s);
    } else if (t->kind == T_STR) {
        struct buf b = {0};
        while (cur(p)->kind == T_STR) {
            const struct token *s = cur(p);
            for (const char *q = s->p + 1; q < s->p + s->n - 1;)
                buf_putc(&b, (char)decode_escape(&q));
            p->i++;
        }
        n = new_node(N_STR);
        n->text_len = b.len;
        n->text = buf_detach(&b);
        if (!n->text)
            n->text = xcalloc(1, 1);
    } else if (t->kind == T_ID) {
        p->i++;
        if (in_list(known_funcs, t->p, t->n) && is_p(cur(p), "(")) {
            n = new_node(N_CALL);
            size_t nn = t->n;
            const char *name = strip_std(t->p, &nn);
            n->name = xstrndup(name, nn);
            p->i++;
            while (!is_p(cur(p), ")")) {
                struct node *arg = parse_assign(p);
                if (!arg) { node_free(n); return NULL; }
                n->args = xrealloc(n->args, (n->n_args + 1) * sizeof *n->args);
                n->args[n->n_args++] = arg;
                if (is_p(cur(p), ","))
                    p->i++;
                else if (!is_p(cur(p), ")")) { p->error = "expected , or )"; node_free(n); return NULL; }
            }
            p->i++;
        } else if (in_list(known_consts, t->p, t->n)) {
            size_t nn = t->n;
            const char *name = strip_std(t->p, &nn);
            n = new_node(N_CONST);
            n->name = xstrndup(name, nn);
        } else {
            /* a name of the program (or of a header benchai does not
             * know): the whole postfix chain is a leaf */
            if (skip_postfix_chain(p) != 0) { p->error = "unbalanced brackets"; return NULL; }
            return make_leaf(p, from, NULL);
        }
    } else if (is_p(t, "(")) {
        p->i++;
        n = parse_expr(p);
        if (!n)
            return NULL;
        if (!is_p(cur(p), ")")) { p->error = "expected )"; node_free(n); return NULL; }
        p->i++;
    } else {
        p->error = "unexpected token";
        return NULL;
    }
    if (n && is_postfix(cur(p))) {
        if (skip_postfix_chain(p) != 0) { p->error = "unbalanced brackets"; node_free(n); return NULL; }
        return make_leaf(p, from, n);
    }
    return n;
}

static struct node *parse_unary(struct parser *p)
{
    const struct token *t = cur(p);
    size_t from = p->i;
    if (is_p(t, "!") || is_p(t, "-") || is_p(t, "+") || is_p(t, "~")) {
        p->i++;
        struct node *a = parse_unary(p);
        if (!a)
            return NULL;
        struct node *n = new_node(N_UNARY);
        memcpy(n->op, t->p, 1);
        n->a = a;
        return n;
    }
    if (is_p(t, "*") || is_p(t, "&") || is_p(t, "++") || is_p(t, "--") ||
        (t->kind == T_ID && t->n == 6 && !strncmp(t->p, "sizeof", 6))) {
        p->i++;
        struct node *a = parse_unary(p);       /* only for its extent */
        if (!a)
            return NULL;
        return make_leaf(p, from, a);
    }
    if (is_p(t, "(")) {
        enum vtype type;
        size_t save = p->i;
        int c = parse_cast_type(p, &type);
        if (c >= 0) {
            struct node *a = parse_unary(p);
            if (!a)
                return NULL;
            if (type == V_NONE)
                return make_leaf(p, from, a);
            struct node *n = new_node(N_CAST);
            n->cast = type;
            n->a = a;
            if (c == 2)
                memcpy(n->op, "b", 1);         /* (bool) */
            return n;
        }
        p->i = save;
    }
    return parse_primary(p);
}

static const char *const levels[][6] = {
    { "||" }, { "&&" }, { "|" }, { "^" }, { "&" }, { "==", "!=" }, { "<", "<=", ">", ">=" },
    { "<<", ">>" }, { "+", "-" }, { "*", "/", "%" },
};
#define N_LEVELS (sizeof levels / sizeof levels[0])

static struct node *parse_binary(struct parser *p, size_t level)
{
    if (level == N_LEVELS)
        return parse_unary(p);
    struct node *a = parse_binary(p, level + 1);
    while (a) {
        const char *op = NULL;
        for (size_t k = 0; k < 6 && levels[level][k]; k++)
            if (is_p(cur(p), levels[level][k]))
                op = levels[level][k];
        if (!op)
            break;
        p->i++;
        struct node *b = parse_binary(p, level + 1);
        if (!b) {
            node_free(a);
            return NULL;
        }
        struct node *n = new_node(N_BINARY);
        snprintf(n->op, sizeof n->op, "%s", op);
        n->a = a;
        n->b = b;
        a = n;
    }
    return a;
}

static struct node *parse_assign(struct parser *p)
{
    struct node *c = parse_binary(p, 0);
    if (c && is_p(cur(p), "?")) {
        p->i++;
        struct node *a = parse_expr(p);
        if (!a || !is_p(cur(p), ":")) {
            node_free(c);
            node_free(a);
            p->error = "expected : of ?:";
            return NULL;
        }
        p->i++;
        struct node *b = parse_assign(p);
        if (!b) {
            node_free(c);
            node_free(a);
            return NULL;
        }
        struct node *n = new_node(N_COND);
        n->a = c;
        n->b = a;
        n->c = b;
        return n;
    }
    if (c && cur(p)->kind == T_PUNCT && cur(p)->p[cur(p)->n - 1] == '=' &&
        !is_p(cur(p), "==") && !is_p(cur(p), "!=") && !is_p(cur(p), "<=") && !is_p(cur(p), ">=")) {
        p->error = "an assert must not assign";
        node_free(c);
        return NULL;
    }
    return c;
}

static struct node *parse_expr(struct parser *p)
{
    struct node *a = parse_assign(p);
    while (a && is_p(cur(p), ",")) {
        p->i++;
        struct node *b = parse_assign(p);
        if (!b) {
            node_free(a);
            return NULL;
        }
        struct node *n = new_node(N_BINARY);
        memcpy(n->op, ",", 1);
        n->a = a;
        n->b = b;
        a = n;
    }
    return a;
}

/* "assert(x == 1);" -> "x == 1"; other text unchanged. */
static char *unwrap_assert(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ';'))
        n--;
    if (!strncmp(s, "assert", 6)) {
        const char *q = s + 6;
        while (isspace((unsigned char)*q))
            q++;
        if (*q == '(' && n > 0 && s[n - 1] == ')')
            return xstrndup(q + 1, (size_t)(s + n - 1 - (q + 1)));
    }
    return xstrndup(s, n);
}

struct code_casserts *code_casserts_parse(const char *const *asserts, size_t n, int cpp,
                                          struct bai_error *err)
{
    struct code_casserts *ca = xcalloc(1, sizeof *ca);
    ca->cpp = cpp;
    ca->v = xcalloc(n ? n : 1, sizeof *ca->v);
    ca->n = n;
    for (size_t i = 0; i < n; i++) {
        struct cassert *a = &ca->v[i];
        a->src = unwrap_assert(asserts[i]);
        struct token *toks = NULL;
        size_t nt = 0;
        struct parser p = { .src = a->src, .ca = a };
        if (tokenize(a->src, &toks, &nt) == 0) {
            p.t = toks;
            a->root = parse_expr(&p);
            if (a->root && cur(&p)->kind != T_END) {
                p.error = "text after the expression";
                node_free(a->root);
                a->root = NULL;
            }
        } else {
            p.error = "a character C has no token for";
        }
        free(toks);
        if (!a->root) {
            bai_error_set(err, BAI_EXIT_USAGE, "assert %zu (%s): %s", i, a->src,
                          p.error ? p.error : "cannot parse");
            code_casserts_free(ca);
            return NULL;
        }
    }
    return ca;
}

void code_casserts_free(struct code_casserts *ca)
{
    if (!ca)
        return;
    for (size_t i = 0; i < ca->n; i++) {
        free(ca->v[i].src);
        node_free(ca->v[i].root);
        for (size_t j = 0; j < ca->v[i].n_leaves; j++)
            free(ca->v[i].leaves[j]);
        free(ca->v[i].leaves);
    }
    free(ca->v);
    free(ca);
}

/* ---- the program's side ---------------------------------------------------- */

/* Appends tmpl with every '@' replaced by tag (the per-sample suffix that
 * keeps the driver's names apart from the program's). */
static void put_tagged(struct buf *b, const char *tmpl, const char *tag)
{
    for (const char *s = tmpl; *s; s++) {
        if (*s == '@')
            buf_puts(b, tag);
        else
            buf_putc(b, *s);
    }
}

static const char driver_common[] =
    "\n\n/* benchai: evaluates the leaves of each assert; their values go out on fd 3 */\n"
    "#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
    "static int bai_case_@, bai_leaf_@;\n"
    "static void bai_put_@(const char *s, size_t n) {\n"
    "    while (n) { ssize_t w = write(3, s, n); if (w <= 0) return; s += w; n -= (size_t)w; } }\n"
    "static void bai_hdr_@(char *b, size_t cap) { snprintf(b, cap, \"V %d %d \", bai_case_@, bai_leaf_@); }\n"
    "static void bai_hex_@(const char *p, size_t n) {\n"
    "    static const char hx[] = \"0123456789abcdef\";\n"
    "    for (size_t i = 0; i < n; i++) { unsigned char c = (unsigned char)p[i];\n"
    "        char h[2] = { hx[c >> 4], hx[c & 15] }; bai_put_@(h, 2); }\n"
    "    bai_put_@(\"\\n\", 1); }\n"
    "static void bai_emit_@_i(long long v) { char b[96]; bai_hdr_@(b, 64);\n"
    "    snprintf(b + strlen(b), 32, \"i %lld\\n\", v); bai_put_@(b, strlen(b)); }\n"
    "static void bai_emit_@_u(unsigned long long v) { char b[96]; bai_hdr_@(b, 64);\n"
    "    snprintf(b + strlen(b), 32, \"u %llu\\n\", v); bai_put_@(b, strlen(b)); }\n"
    "static void bai_emit_@_d(long double v) { char b[128]; bai_hdr_@(b, 64);\n"
    "    snprintf(b + strlen(b), 64, \"d %a\\n\", (double)v); bai_put_@(b, strlen(b)); }\n"
    "static void bai_emit_@_p(const void *v) { char b[96]; bai_hdr_@(b, 64);\n"
    "    snprintf(b + strlen(b), 32, \"p %d\\n\", v != 0); bai_put_@(b, strlen(b)); }\n"
    "static void bai_emit_@_s(const char *v) { if (!v) { bai_emit_@_p(v); return; }\n"
    "    char b[96]; bai_hdr_@(b, 64); bai_put_@(b, strlen(b)); bai_put_@(\"s \", 2);\n"
    "    bai_hex_@(v, strlen(v)); }\n";

static const char driver_c[] =
    "#define BAI_EMIT_@(x) _Generic((x), \\\n"
    "    _Bool: bai_emit_@_i, char: bai_emit_@_i, signed char: bai_emit_@_i, short: bai_emit_@_i, \\\n"
    "    int: bai_emit_@_i, long: bai_emit_@_i, long long: bai_emit_@_i, \\\n"
    "    unsigned char: bai_emit_@_u, unsigned short: bai_emit_@_u, unsigned: bai_emit_@_u, \\\n"
    "    unsigned long: bai_emit_@_u, unsigned long long: bai_emit_@_u, \\\n"
    "    float: bai_emit_@_d, double: bai_emit_@_d, long double: bai_emit_@_d, \\\n"
    "    char *: bai_emit_@_s, const char *: bai_emit_@_s, default: bai_emit_@_p)(x)\n";

static const char driver_cpp[] =
    "#include <string>\n"
    "static void bai_emit_@(bool v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(char v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(signed char v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(short v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(int v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(long v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(long long v) { bai_emit_@_i(v); }\n"
    "static void bai_emit_@(unsigned char v) { bai_emit_@_u(v); }\n"
    "static void bai_emit_@(unsigned short v) { bai_emit_@_u(v); }\n"
    "static void bai_emit_@(unsigned v) { bai_emit_@_u(v); }\n"
    "static void bai_emit_@(unsigned long v) { bai_emit_@_u(v); }\n"
    "static void bai_emit_@(unsigned long long v) { bai_emit_@_u(v); }\n"
    "static void bai_emit_@(float v) { bai_emit_@_d(v); }\n"
    "static void bai_emit_@(double v) { bai_emit_@_d(v); }\n"
    "static void bai_emit_@(long double v) { bai_emit_@_d(v); }\n"
    "static void bai_emit_@(const char *v) { bai_emit_@_s(v); }\n"
    "static void bai_emit_@(const std::string &v) { char b[96]; bai_hdr_@(b, 64);\n"
    "    bai_put_@(b, strlen(b)); bai_put_@(\"S \", 2); bai_hex_@(v.data(), v.size()); }\n"
    "template <class T> static void bai_emit_@(T *v) { bai_emit_@_p((const void *)v); }\n"
    "#define BAI_EMIT_@(x) bai_emit_@(x)\n";

static const char driver_main[] =
    "int main(void)\n{\n"
    "    for (int i = 0; i < bai_n_@; i++) {\n"
    "        fflush(stdout);\n"
    "        pid_t p = fork();\n"
    "        if (p == 0) { bai_case_@ = i; bai_run_@(i); fflush(stdout); _exit(0); }\n"
    "        int st = 0;\n"
    "        char b[64];\n"
    "        if (p < 0 || waitpid(p, &st, 0) < 0) snprintf(b, sizeof b, \"X %d fork\\n\", i);\n"
    "        else if (WIFSIGNALED(st)) snprintf(b, sizeof b, \"X %d signal %d\\n\", i, WTERMSIG(st));\n"
    "        else snprintf(b, sizeof b, \"X %d exit %d\\n\", i, WEXITSTATUS(st));\n"
    "        bai_put_@(b, strlen(b));\n"
    "    }\n    return 0;\n}\n";

char *code_casserts_driver(const struct code_casserts *ca, const char *tag)
{
    struct buf b = {0};
    put_tagged(&b, driver_common, tag);
    put_tagged(&b, ca->cpp ? driver_cpp : driver_c, tag);
    put_tagged(&b, "static void bai_run_@(int i) {\n    switch (i) {\n", tag);
    for (size_t i = 0; i < ca->n; i++) {
        buf_printf(&b, "    case %zu:\n", i);
        for (size_t j = 0; j < ca->v[i].n_leaves; j++) {
            buf_printf(&b, "        bai_leaf_%s = %zu; BAI_EMIT_%s((", tag, j, tag);
            buf_puts(&b, ca->v[i].leaves[j]);
            buf_puts(&b, "));\n");
        }
        buf_puts(&b, "        break;\n");
    }
    buf_printf(&b, "    }\n}\nstatic const int bai_n_%s = %zu;\n", tag, ca->n);
    put_tagged(&b, driver_main, tag);
    return buf_detach(&b);
}

/* ---- benchai's side ---------------------------------------------------------- */

struct value {
    enum vtype t;
    long long i;               /* V_I32 .. V_U64 (unsigned kept in the bits) */
    double d;
    char *s;                   /* V_STR (owned) */
    size_t len;
    int std_string;            /* C++ std::string: == compares contents */
    int nonnull;               /* V_PTR, V_STR */
};

struct evalctx {
    const struct code_casserts *ca;
    size_t idx;
    const char *report;
    const char *error;         /* static text */
    char errbuf[160];
};

static void value_free(struct value *v)
{
    free(v->s);
    v->s = NULL;
}

static int is_int(enum vtype t) { return t <= V_U64; }

/* Wraps a value into its type's width. */
static void norm(struct value *v)
{
    if (v->t == V_I32) v->i = (int32_t)v->i;
    else if (v->t == V_U32) v->i = (long long)(uint32_t)v->i;
}

static double as_double(const struct value *v)
{
    if (v->t == V_DBL) return v->d;
    if (v->t == V_U64) return (double)(unsigned long long)v->i;
    return (double)v->i;
}

/* C's usual arithmetic conversions between two integer types. */
static enum vtype common(enum vtype a, enum vtype b)
{
    int ra = a >= V_I64, rb = b >= V_I64;
    if (ra != rb) {
        enum vtype wide = ra ? a : b;
        return wide;                      /* a 64-bit type holds every 32-bit one */
    }
    return (a == V_U32 || a == V_U64 || b == V_U32 || b == V_U64) ? (ra ? V_U64 : V_U32)
                                                                    : (ra ? V_I64 : V_I32);
}

static int truthy(const struct value *v)
{
    if (v->t == V_DBL) return v->d != 0;
    if (v->t == V_STR || v->t == V_PTR) return v->nonnull;
    return v->i != 0;
}

static int leaf_value(struct evalctx *e, int leaf, struct value *out)
{
    char head[64];
    int hl = snprintf(head, sizeof head, "V %zu %d ", e->idx, leaf);
    for (const char *s = e->report; s && *s;) {
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        if (len > (size_t)hl && !strncmp(s, head, (size_t)hl)) {
            const char *p = s + hl;
            char type = *p;
            p += 2;
            memset(out, 0, sizeof *out);
            if (type == 'i') { out->t = V_I64; out->i = strtoll(p, NULL, 10); }
            else if (type == 'u') { out->t = V_U64; out->i = (long long)strtoull(p, NULL, 10); }
            else if (type == 'd') { out->t = V_DBL; out->d = strtod(p, NULL); }
            else if (type == 'p') { out->t = V_PTR; out->nonnull = *p == '1'; }
            else if (type == 's' || type == 'S') {
                out->t = V_STR;
                out->std_string = type == 'S';
                out->nonnull = 1;
                const char *q = p;
                size_t n = (size_t)(s + len - q) / 2;
                out->s = xmalloc(n + 1);
                for (size_t k = 0; k < n; k++) {
                    char hx[3] = { q[2 * k], q[2 * k + 1], 0 };
                    out->s[k] = (char)strtoul(hx, NULL, 16);
                }
                out->s[n] = 0;
                out->len = n;
            } else {
                break;
            }
            return 0;
        }
        s = eol ? eol + 1 : s + len;
    }
    /* no value: find out why (the child's end) */
    snprintf(head, sizeof head, "X %zu ", e->idx);
    const char *x = e->report ? strstr(e->report, head) : NULL;
    if (x && (x == e->report || x[-1] == '\n')) {
        const char *eol = strchr(x, '\n');
        int n = (int)(eol ? eol - x : (long)strlen(x));
        snprintf(e->errbuf, sizeof e->errbuf, "%.*s", n - (int)strlen(head), x + strlen(head));
        if (!strncmp(e->errbuf, "exit 0", 6))
            snprintf(e->errbuf, sizeof e->errbuf, "the program ended before computing `%s`",
                     e->ca->v[e->idx].leaves[leaf]);
    } else {
        snprintf(e->errbuf, sizeof e->errbuf, "the program gave no value for `%s`",
                 e->ca->v[e->idx].leaves[leaf]);
    }
    e->error = e->errbuf;
    return -1;
}

static int eval(struct evalctx *e, const struct node *n, struct value *out);

static int eval_call(struct evalctx *e, const struct node *n, struct value *out)
{
    struct value a[3] = {{0}};
    size_t na = n->n_args < 3 ? n->n_args : 3;
    for (size_t i = 0; i < na; i++)
        if (eval(e, n->args[i], &a[i]) != 0) {
            for (size_t k = 0; k < i; k++) value_free(&a[k]);
            return -1;
        }
    memset(out, 0, sizeof *out);
    const char *f = n->name;
    int rc = 0;
#define ARGS(k) if (n->n_args != (k)) { e->error = "wrong number of arguments"; rc = -1; goto done; }
#define STRARG(k) if (a[k].t != V_STR) { e->error = "a string function got no string"; rc = -1; goto done; }
    if (!strcmp(f, "strcmp") || !strcmp(f, "strcasecmp") || !strcmp(f, "strncmp")) {
        if (!strcmp(f, "strncmp")) { ARGS(3) } else { ARGS(2) }
        STRARG(0) STRARG(1)
        int c = !strcmp(f, "strcmp") ? strcmp(a[0].s, a[1].s)
              : !strcmp(f, "strcasecmp") ? strcasecmp(a[0].s, a[1].s)
              : strncmp(a[0].s, a[1].s, (size_t)as_double(&a[2]));
        out->t = V_I32;
        out->i = c < 0 ? -1 : c > 0;
    } else if (!strcmp(f, "strlen")) {
        ARGS(1) STRARG(0)
        out->t = V_U64;
        out->i = (long long)strlen(a[0].s);
    } else if (!strcmp(f, "abs") || !strcmp(f, "labs") || !strcmp(f, "llabs")) {
        ARGS(1)
        if (a[0].t == V_DBL) { *out = a[0]; out->d = fabs(out->d); }
        else { *out = a[0]; if (out->t != V_U32 && out->t != V_U64 && out->i < 0) out->i = -out->i; norm(out); }
    } else if (!strcmp(f, "isnan") || !strcmp(f, "isinf") || !strcmp(f, "isfinite")) {
        ARGS(1)
        double x = as_double(&a[0]);
        out->t = V_I32;
        out->i = !strcmp(f, "isnan") ? isnan(x) != 0 : !strcmp(f, "isinf") ? isinf(x) != 0 : isfinite(x) != 0;
    } else if (!strcmp(f, "toupper") || !strcmp(f, "tolower") || !strncmp(f, "is", 2)) {
        ARGS(1)
        int c = (int)a[0].i;
        out->t = V_I32;
        if (!strcmp(f, "toupper")) out->i = toupper(c);
        else if (!strcmp(f, "tolower")) out->i = tolower(c);
        else if (!strcmp(f, "isdigit")) out->i = isdigit(c) != 0;
        else if (!strcmp(f, "isalpha")) out->i = isalpha(c) != 0;
        else if (!strcmp(f, "isalnum")) out->i = isalnum(c) != 0;
        else if (!strcmp(f, "isspace")) out->i = isspace(c) != 0;
        else if (!strcmp(f, "isupper")) out->i = isupper(c) != 0;
        else out->i = islower(c) != 0;
    } else {
        int two = !strcmp(f, "fmin") || !strcmp(f, "fmax") || !strcmp(f, "pow");
        ARGS(two ? 2 : 1)
        double x = as_double(&a[0]), y = two ? as_double(&a[1]) : 0;
        out->t = V_DBL;
        out->d = !strcmp(f, "fmin") ? fmin(x, y) : !strcmp(f, "fmax") ? fmax(x, y)
               : !strcmp(f, "pow") ? pow(x, y) : !strcmp(f, "sqrt") ? sqrt(x)
               : !strcmp(f, "floor") ? floor(x) : !strcmp(f, "ceil") ? ceil(x)
               : !strcmp(f, "round") ? round(x) : !strcmp(f, "trunc") ? trunc(x) : fabs(x);
    }
#undef ARGS
#undef STRARG
done:
    for (size_t i = 0; i < na; i++)
        value_free(&a[i]);
    return rc;
}

static int eval_const(struct evalctx *e, const char *name, struct value *out)
{
    memset(out, 0, sizeof *out);
    static const struct { const char *name; enum vtype t; long long i; double d; } c[] = {
        { "true", V_I32, 1, 0 }, { "false", V_I32, 0, 0 }, { "NULL", V_PTR, 0, 0 },
        { "nullptr", V_PTR, 0, 0 }, { "EOF", V_I32, -1, 0 },
        { "INT_MAX", V_I32, INT_MAX, 0 }, { "INT_MIN", V_I32, INT_MIN, 0 },
        { "UINT_MAX", V_U32, UINT_MAX, 0 }, { "LONG_MAX", V_I64, LONG_MAX, 0 },
        { "LONG_MIN", V_I64, LONG_MIN, 0 }, { "ULONG_MAX", V_U64, -1, 0 },
        { "LLONG_MAX", V_I64, LLONG_MAX, 0 }, { "LLONG_MIN", V_I64, LLONG_MIN, 0 },
        { "ULLONG_MAX", V_U64, -1, 0 }, { "SIZE_MAX", V_U64, -1, 0 }, { "CHAR_BIT", V_I32, 8, 0 },
        { "SCHAR_MAX", V_I32, 127, 0 }, { "SCHAR_MIN", V_I32, -128, 0 },
        { "UCHAR_MAX", V_I32, 255, 0 }, { "SHRT_MAX", V_I32, 32767, 0 },
        { "SHRT_MIN", V_I32, -32768, 0 }, { "USHRT_MAX", V_I32, 65535, 0 },
        { "INT32_MAX", V_I32, INT32_MAX, 0 }, { "INT32_MIN", V_I32, INT32_MIN, 0 },
        { "UINT32_MAX", V_U32, UINT32_MAX, 0 }, { "INT64_MAX", V_I64, INT64_MAX, 0 },
        { "INT64_MIN", V_I64, INT64_MIN, 0 }, { "UINT64_MAX", V_U64, -1, 0 },
        { "DBL_EPSILON", V_DBL, 0, 2.220446049250313e-16 },
        { "FLT_EPSILON", V_DBL, 0, 1.1920928955078125e-07 },
        { "DBL_MAX", V_DBL, 0, 1.7976931348623157e308 }, { "DBL_MIN", V_DBL, 0, 2.2250738585072014e-308 },
        { "FLT_MAX", V_DBL, 0, 3.4028234663852886e38 }, { "FLT_MIN", V_DBL, 0, 1.1754943508222875e-38 },
        { "M_PI", V_DBL, 0, 3.14159265358979323846 }, { "M_E", V_DBL, 0, 2.7182818284590452354 },
        { "INFINITY", V_DBL, 0, INFINITY }, { "NAN", V_DBL, 0, NAN },
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
        if (!strcmp(c[k].name, name)) {
            out->t = c[k].t;
            out->i = c[k].i;
            out->d = c[k].d;
            norm(out);
            return 0;
        }
    e->error = "unknown constant";
    return -1;
}

static int eval_binary(struct evalctx *e, const struct node *n, struct value *out)
{
    const char *op = n->op;
    struct value a = {0}, b = {0};
    if (eval(e, n->a, &a) != 0)
        return -1;
    if (!strcmp(op, "&&") || !strcmp(op, "||")) {          /* short-circuit */
        int ta = truthy(&a);
        value_free(&a);
        memset(out, 0, sizeof *out);
        out->t = V_I32;
        if ((op[0] == '&' && !ta) || (op[0] == '|' && ta)) {
            out->i = ta;
            return 0;
        }
        if (eval(e, n->b, &b) != 0)
            return -1;
        out->i = truthy(&b);
        value_free(&b);
        return 0;
    }
    if (eval(e, n->b, &b) != 0) {
        value_free(&a);
        return -1;
    }
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!strcmp(op, ",")) {
        *out = b;
        b.s = NULL;
        goto done;
    }
    int cmp = !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "<") || !strcmp(op, "<=") ||
              !strcmp(op, ">") || !strcmp(op, ">=");
    if (a.t == V_STR || b.t == V_STR || a.t == V_PTR || b.t == V_PTR) {
        int eq;
        if (a.t == V_STR && b.t == V_STR && (a.std_string || b.std_string))
            eq = a.len == b.len && !memcmp(a.s, b.s, a.len);
        else if ((a.t == V_STR || a.t == V_PTR) && (b.t == V_STR || b.t == V_PTR) &&
                 (!a.nonnull || !b.nonnull))
            eq = a.nonnull == b.nonnull;                   /* against NULL */
        else if ((a.t == V_PTR || a.t == V_STR) && is_int(b.t) && b.i == 0)
            eq = !a.nonnull;
        else if ((b.t == V_PTR || b.t == V_STR) && is_int(a.t) && a.i == 0)
            eq = !b.nonnull;
        else {
            e->error = "strings are compared with strcmp (C) or as std::string (C++)";
            rc = -1;
            goto done;
        }
        if (strcmp(op, "==") && strcmp(op, "!=")) {
            e->error = "only == and != apply to strings and pointers";
            rc = -1;
            goto done;
        }
        out->t = V_I32;
        out->i = op[0] == '=' ? eq : !eq;
        goto done;
    }
    if (a.t == V_DBL || b.t == V_DBL) {
        double x = as_double(&a), y = as_double(&b);
        if (cmp) {
            out->t = V_I32;
            out->i = !strcmp(op, "==") ? x == y : !strcmp(op, "!=") ? x != y : !strcmp(op, "<") ? x < y
                   : !strcmp(op, "<=") ? x <= y : !strcmp(op, ">") ? x > y : x >= y;
        } else if (strchr("+-*/", op[0]) && !op[1]) {
            out->t = V_DBL;
            out->d = op[0] == '+' ? x + y : op[0] == '-' ? x - y : op[0] == '*' ? x * y : x / y;
        } else {
            e->error = "integer operator on a floating point value";
            rc = -1;
        }
        goto done;
    }
    enum vtype t = (!strcmp(op, "<<") || !strcmp(op, ">>")) ? (a.t == V_I32 || a.t == V_U32 ? a.t : a.t)
                                                              : common(a.t, b.t);
    int uns = t == V_U32 || t == V_U64;
    unsigned long long ux = (unsigned long long)a.i, uy = (unsigned long long)b.i;
    long long x = a.i, y = b.i;
    if (t == V_U32) { ux &= 0xffffffffu; uy &= 0xffffffffu; }
    if (cmp) {
        out->t = V_I32;
        if (uns)
            out->i = !strcmp(op, "==") ? ux == uy : !strcmp(op, "!=") ? ux != uy : !strcmp(op, "<") ? ux < uy
                   : !strcmp(op, "<=") ? ux <= uy : !strcmp(op, ">") ? ux > uy : ux >= uy;
        else
            out->i = !strcmp(op, "==") ? x == y : !strcmp(op, "!=") ? x != y : !strcmp(op, "<") ? x < y
                   : !strcmp(op, "<=") ? x <= y : !strcmp(op, ">") ? x > y : x >= y;
        goto done;
    }
    out->t = t;
    if ((op[0] == '/' || op[0] == '%') && (uns ? uy == 0 : y == 0)) {
        e->error = "division by zero";
        rc = -1;
        goto done;
    }
    switch (op[0]) {
    case '+': out->i = (long long)(ux + uy); break;
    case '-': out->i = (long long)(ux - uy); break;
    case '*': out->i = (long long)(ux * uy); break;
    case '/': out->i = uns ? (long long)(ux / uy) : (x == LLONG_MIN && y == -1 ? x : x / y); break;
    case '%': out->i = uns ? (long long)(ux % uy) : (y == -1 ? 0 : x % y); break;
    case '&': out->i = (long long)(ux & uy); break;
    case '|': out->i = (long long)(ux | uy); break;
    case '^': out->i = (long long)(ux ^ uy); break;
    case '<': out->i = (long long)(ux << (uy & 63)); break;
    case '>': out->i = uns ? (long long)(ux >> (uy & 63)) : x >> (uy & 63); break;
    default: e->error = "operator"; rc = -1;
    }
    norm(out);
done:
    value_free(&a);
    value_free(&b);
    return rc;
}

static int eval(struct evalctx *e, const struct node *n, struct value *out)
{
    memset(out, 0, sizeof *out);
    switch (n->kind) {
    case N_INT: out->t = n->itype; out->i = n->ival; norm(out); return 0;
    case N_FLT: out->t = V_DBL; out->d = n->fval; return 0;
    case N_STR:
        out->t = V_STR;
        out->s = xstrndup(n->text, n->text_len);
        out->len = n->text_len;
        out->nonnull = 1;
        return 0;
    case N_CONST: return eval_const(e, n->name, out);
    case N_LEAF: return leaf_value(e, n->leaf, out);
    case N_CALL: return eval_call(e, n, out);
    case N_BINARY: return eval_binary(e, n, out);
    case N_COND: {
        struct value c;
        if (eval(e, n->a, &c) != 0)
            return -1;
        int t = truthy(&c);
        value_free(&c);
        return eval(e, t ? n->b : n->c, out);
    }
    case N_CAST: {
        struct value a;
        if (eval(e, n->a, &a) != 0)
            return -1;
        if (a.t == V_STR || a.t == V_PTR) {
            value_free(&a);
            e->error = "cast of a pointer";
            return -1;
        }
        if (n->op[0] == 'b') {
            out->t = V_I32;
            out->i = truthy(&a);
        } else if (n->cast == V_DBL) {
            out->t = V_DBL;
            out->d = as_double(&a);
        } else {
            out->t = n->cast;
            out->i = a.t == V_DBL ? (long long)a.d : a.i;
            norm(out);
        }
        return 0;
    }
    case N_UNARY: {
        struct value a;
        if (eval(e, n->a, &a) != 0)
            return -1;
        if (n->op[0] == '!') {
            out->t = V_I32;
            out->i = !truthy(&a);
            value_free(&a);
            return 0;
        }
        if (a.t == V_STR || a.t == V_PTR) {
            value_free(&a);
            e->error = "arithmetic on a pointer";
            return -1;
        }
        *out = a;
        if (out->t == V_I32 && (n->op[0] == '-' || n->op[0] == '~' || n->op[0] == '+'))
            out->t = V_I32;                 /* int promotion keeps int */
        if (n->op[0] == '-') {
            if (out->t == V_DBL) out->d = -out->d;
            else out->i = (long long)(0ULL - (unsigned long long)out->i);
        } else if (n->op[0] == '~') {
            if (out->t == V_DBL) { e->error = "~ on a floating point value"; return -1; }
            out->i = ~out->i;
        }
        norm(out);
        return 0;
    }
    }
    e->error = "cannot evaluate";
    return -1;
}

static void value_show(const struct value *v, struct buf *b)
{
    switch (v->t) {
    case V_DBL: buf_printf(b, "%.17g", v->d); break;
    case V_U32: case V_U64: buf_printf(b, "%llu", (unsigned long long)v->i); break;
    case V_STR: buf_printf(b, "\"%s\"", v->s); break;
    case V_PTR: buf_puts(b, v->nonnull ? "(non-null pointer)" : "NULL"); break;
    default: buf_printf(b, "%lld", v->i);
    }
}

int code_casserts_judge(const struct code_casserts *ca, size_t i, const char *report,
                        char **expected, char **actual, char **error)
{
    *expected = *actual = *error = NULL;
    struct evalctx e = { .ca = ca, .idx = i, .report = report };
    const struct node *root = ca->v[i].root;
    struct value v;
    if (eval(&e, root, &v) != 0) {
        *error = xstrdup(e.error ? e.error : "cannot evaluate");
        return 0;
    }
    int pass = truthy(&v);
    value_free(&v);
    /* for a failed `a == b`: both sides, as the Python form shows them */
    if (!pass && root->kind == N_BINARY && !strcmp(root->op, "==")) {
        struct value a, b;
        struct evalctx e2 = e;
        if (eval(&e2, root->a, &a) == 0) {
            if (eval(&e2, root->b, &b) == 0) {
                struct buf x = {0}, y = {0};
                value_show(&b, &x);
                value_show(&a, &y);
                *expected = buf_detach(&x);
                *actual = buf_detach(&y);
                value_free(&b);
            }
            value_free(&a);
        }
    }
    if (!pass && !*error)
        *error = xstrdup("assertion false");
    return pass;
}

size_t code_casserts_count(const struct code_casserts *ca)
{
    return ca ? ca->n : 0;
}

const char *code_casserts_source(const struct code_casserts *ca, size_t i)
{
    return ca->v[i].src;
}
