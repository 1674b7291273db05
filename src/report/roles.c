/* roles.c - parse benchmarks/roles.yaml (libyaml document API). */
#include "report/roles.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/yaml_bounds.h"
#include "util/fs.h"
#include "util/mem.h"

struct rctx {
    yaml_document_t *doc;
    const char *path;
    struct bai_error *err;
};

static int fail_at(struct rctx *c, const yaml_node_t *n, const char *fmt, const char *a,
                   const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    bai_error_set(c->err, BAI_EXIT_USAGE, "%s:%zu:%zu: %s", c->path,
                  n ? n->start_mark.line + 1 : 0, n ? n->start_mark.column + 1 : 0, msg);
    return -1;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int number(struct rctx *c, const yaml_node_t *n, const char *field, double *out)
{
    const char *s = scalar(n);
    char *end = NULL;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end || errno || !isfinite(v) || v < 0)
        return fail_at(c, n, "%s: expected a non-negative number, got '%s'", field, s ? s : "(not a scalar)");
    *out = v;
    return 0;
}

static int add_suite(struct report_role *r, const char *name, double w)
{
    for (size_t i = 0; i < r->n_suites; i++)
        if (!strcmp(r->suites[i], name))
            return -1;
    r->suites = xrealloc(r->suites, (r->n_suites + 1) * sizeof *r->suites);
    r->weights = xrealloc(r->weights, (r->n_suites + 1) * sizeof *r->weights);
    r->suites[r->n_suites] = xstrdup(name);
    r->weights[r->n_suites++] = w;
    return 0;
}

/* suites: [a, b]  (weight 1 each)   or   suites: {a: 2, b: 1} */
static int parse_suites(struct rctx *c, struct report_role *r, yaml_node_t *n)
{
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            yaml_node_t *s = yaml_document_get_node(c->doc, *it);
            if (!scalar(s))
                return fail_at(c, s, "role %s: suites: expected suite names%s", r->name, NULL);
            if (add_suite(r, scalar(s), 1.0) != 0)
                return fail_at(c, s, "role %s: suite %s listed twice", r->name, scalar(s));
        }
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
            yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
            double w;
            if (!scalar(k))
                return fail_at(c, k, "role %s: suites: expected name: weight%s", r->name, NULL);
            if (number(c, v, "suite weight", &w) != 0)
                return -1;
            if (w <= 0)
                return fail_at(c, v, "role %s: suite %s: weight must be > 0", r->name, scalar(k));
            if (add_suite(r, scalar(k), w) != 0)
                return fail_at(c, k, "role %s: suite %s listed twice", r->name, scalar(k));
        }
    } else
        return fail_at(c, n, "role %s: suites: expected a list or a mapping of weights%s", r->name, NULL);
    if (!r->n_suites)
        return fail_at(c, n, "role %s: suites: empty%s", r->name, NULL);
    return 0;
}

static int parse_constraints(struct rctx *c, struct report_role *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, "role %s: constraints: expected a mapping%s", r->name, NULL);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *key = scalar(k);
        double *dst = !key ? NULL
                    : !strcmp(key, "min_score") ? &r->min_score_pct
                    : !strcmp(key, "min_tps") ? &r->min_tps
                    : !strcmp(key, "max_ttft_ms") ? &r->max_ttft_ms
                    : !strcmp(key, "max_size_gb") ? &r->max_size_gb : NULL;
        if (!dst)
            return fail_at(c, k, "role %s: unknown constraint '%s' (min_score, min_tps, max_ttft_ms, max_size_gb)",
                           r->name, key ? key : "?");
        if (number(c, v, key, dst) != 0)
            return -1;
        if (dst == &r->min_score_pct && *dst > 100)
            return fail_at(c, v, "role %s: min_score is a percentage (0..100), got %s", r->name, scalar(v));
    }
    return 0;
}

static int parse_role(struct rctx *c, struct report_role *r, yaml_node_t *n)
{
    r->min_score_pct = r->min_tps = r->max_ttft_ms = r->max_size_gb = NAN;
    r->prefer = REPORT_PREFER_QUALITY;
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, "role %s: expected a mapping%s", r->name, NULL);
    int have_suites = 0;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *key = scalar(k);
        if (!key)
            return fail_at(c, k, "role %s: expected field names%s", r->name, NULL);
        if (!strcmp(key, "description")) {
            if (!scalar(v))
                return fail_at(c, v, "role %s: description: expected text%s", r->name, NULL);
            free(r->description);
            r->description = xstrdup(scalar(v));
        } else if (!strcmp(key, "suites")) {
            if (parse_suites(c, r, v) != 0)
                return -1;
            have_suites = 1;
        } else if (!strcmp(key, "constraints")) {
            if (parse_constraints(c, r, v) != 0)
                return -1;
        } else if (!strcmp(key, "prefer")) {
            const char *s = scalar(v);
            if (s && !strcmp(s, "quality"))
                r->prefer = REPORT_PREFER_QUALITY;
            else if (s && !strcmp(s, "speed"))
                r->prefer = REPORT_PREFER_SPEED;
            else
                return fail_at(c, v, "role %s: prefer: expected quality or speed, got '%s'", r->name, s ? s : "?");
        } else
            return fail_at(c, k, "role %s: unknown field '%s' (description, suites, constraints, prefer)",
                           r->name, key);
    }
    if (!have_suites)
        return fail_at(c, n, "role %s: suites is required%s", r->name, NULL);
    return 0;
}

int report_roles_parse(const char *text, size_t len, const char *path, struct report_roles *out,
                       struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (yaml_bounds_check_text(path, text, len, err) != 0)
        return -1;
    if (!yaml_parser_initialize(&parser)) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "%s: cannot initialise the YAML parser", path);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
                      parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_parser_delete(&parser);
    struct rctx c = { &doc, path, err };
    int rc = -1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *roles = NULL;
    if (root && root->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
            const char *key = scalar(yaml_document_get_node(&doc, pr->key));
            if (key && !strcmp(key, "roles"))
                roles = yaml_document_get_node(&doc, pr->value);
            else {
                fail_at(&c, yaml_document_get_node(&doc, pr->key), "unknown top-level key '%s' (expected roles)%s",
                        key ? key : "?", NULL);
                goto out;
            }
        }
    if (!roles || roles->type != YAML_MAPPING_NODE || roles->data.mapping.pairs.start == roles->data.mapping.pairs.top) {
        fail_at(&c, roles ? roles : root, "expected 'roles:' with at least one role%s%s", NULL, NULL);
        goto out;
    }
    size_t n = (size_t)(roles->data.mapping.pairs.top - roles->data.mapping.pairs.start);
    out->v = xcalloc(n, sizeof *out->v);
    for (yaml_node_pair_t *pr = roles->data.mapping.pairs.start; pr < roles->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
        if (!scalar(k)) {
            fail_at(&c, k, "expected role names%s%s", NULL, NULL);
            goto out;
        }
        for (size_t i = 0; i < out->n; i++)
            if (!strcmp(out->v[i].name, scalar(k))) {
                fail_at(&c, k, "role %s defined twice%s", scalar(k), NULL);
                goto out;
            }
        struct report_role *r = &out->v[out->n++];
        r->name = xstrdup(scalar(k));
        if (parse_role(&c, r, yaml_document_get_node(&doc, pr->value)) != 0)
            goto out;
    }
    rc = 0;
out:
    yaml_document_delete(&doc);
    if (rc != 0)
        report_roles_free(out);
    return rc;
}

int report_roles_load(const char *path, struct report_roles *out, struct bai_error *err)
{
    size_t len = 0;
    char *text = fs_read_file(path, &len, err);
    if (!text) {
        err->exit_code = BAI_EXIT_USAGE;
        return -1;
    }
    int rc = report_roles_parse(text, len, path, out, err);
    free(text);
    return rc;
}

void report_roles_free(struct report_roles *roles)
{
    for (size_t i = 0; i < roles->n; i++) {
        struct report_role *r = &roles->v[i];
        free(r->name);
        free(r->description);
        for (size_t j = 0; j < r->n_suites; j++)
            free(r->suites[j]);
        free(r->suites);
        free(r->weights);
    }
    free(roles->v);
    roles->v = NULL;
    roles->n = 0;
}
