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

static const char *const lat_metric[REPORT_LAT_N] = { "ttft", "e2e" };
static const int lat_pct[REPORT_LAT_NP] = { 50, 90, 95, 99 };

/* max_<ttft|e2e>_p<50|90|95|99>_ms -> its slot (TTFT p50 is max_ttft_ms). */
static double *latency_slot(struct report_role *r, const char *key)
{
    for (int m = 0; m < REPORT_LAT_N; m++)
        for (int p = 0; p < REPORT_LAT_NP; p++) {
            char name[32];
            snprintf(name, sizeof name, "max_%s_p%d_ms", lat_metric[m], lat_pct[p]);
            if (!strcmp(key, name))
                return m == REPORT_LAT_TTFT && p == REPORT_LAT_P50 ? &r->max_ttft_ms : &r->max_latency_ms[m][p];
        }
    return NULL;
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
                    : !strcmp(key, "max_size_gb") ? &r->max_size_gb
                    : !strcmp(key, "np_p95_limit") ? &r->np_p95_limit
                    : latency_slot(r, key);
        if (!dst)
            return fail_at(c, k, "role %s: unknown constraint '%s' (min_score, min_tps, max_ttft_ms, max_size_gb, "
                           "max_ttft_p50_ms .. max_e2e_p99_ms (p50, p90, p95, p99), np_p95_limit)",
                           r->name, key ? key : "?");
        if (number(c, v, key, dst) != 0)
            return -1;
        if (dst == &r->min_score_pct && *dst > 100)
            return fail_at(c, v, "role %s: min_score is a percentage (0..100), got %s", r->name, scalar(v));
        if (dst == &r->np_p95_limit && *dst < 1)
            return fail_at(c, v, "role %s: np_p95_limit is a multiple of np=1's p95 latency (>= 1), got %s",
                           r->name, scalar(v));
        if (dst != &r->min_score_pct && dst != &r->min_tps && dst != &r->np_p95_limit && *dst <= 0)
            return fail_at(c, v, "role %s: %s must be above 0", r->name, key);
    }
    return 0;
}

/* budget: {memory_gb: 45, gpu_gb: 12} (of a role or a pool, named by who) */
static int parse_budget(struct rctx *c, const char *who, struct report_budget *b, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, "%s: budget: expected a mapping such as {memory_gb: 45, gpu_gb: 12}%s", who, NULL);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *key = scalar(k);
        double *dst = !key ? NULL : !strcmp(key, "memory_gb") ? &b->memory_gb : !strcmp(key, "gpu_gb") ? &b->gpu_gb : NULL;
        if (!dst)
            return fail_at(c, k, "%s: budget: unknown key '%s' (memory_gb, gpu_gb)", who, key ? key : "?");
        if (number(c, v, key, dst) != 0)
            return -1;
        if (*dst <= 0)
            return fail_at(c, v, "%s: budget: %s must be above 0", who, key);
    }
    if (!(b->memory_gb > 0) && !(b->gpu_gb > 0))
        return fail_at(c, n, "%s: budget: give memory_gb or gpu_gb%s", who, NULL);
    return 0;
}

/* tiers: {1: 100, 2: 75}: tier -> minimum percent */
static int parse_tiers(struct rctx *c, struct report_role *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, "role %s: tiers: expected a mapping of tier: minimum percent, such as {1: 100, 2: 75}%s",
                       r->name, NULL);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *key = scalar(k);
        char *end = NULL;
        long tier = key ? strtol(key, &end, 10) : 0;
        if (key && (key[0] == 'T' || key[0] == 't'))
            tier = strtol(key + 1, &end, 10);
        if (!key || !end || *end || tier < 1 || tier > 99)
            return fail_at(c, k, "role %s: tiers: expected a tier number 1..99 (or T1..), got '%s'", r->name,
                           key ? key : "?");
        double pct;
        if (number(c, v, "tier minimum", &pct) != 0)
            return -1;
        if (pct > 100)
            return fail_at(c, v, "role %s: tiers: a minimum is a percentage (0..100), got %s", r->name, scalar(v));
        for (size_t i = 0; i < r->n_tiers; i++)
            if (r->tiers[i].tier == (int)tier)
                return fail_at(c, k, "role %s: tiers: tier %s given twice", r->name, key);
        r->tiers = xrealloc(r->tiers, (r->n_tiers + 1) * sizeof *r->tiers);
        size_t at = r->n_tiers++;
        while (at > 0 && r->tiers[at - 1].tier > (int)tier) {
            r->tiers[at] = r->tiers[at - 1];
            at--;
        }
        r->tiers[at] = (struct report_tier_rule){ .tier = (int)tier, .min_pct = pct };
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
        } else if (!strcmp(key, "budget")) {
            char who[300];
            snprintf(who, sizeof who, "role %s", r->name);
            if (parse_budget(c, who, &r->budget, v) != 0)
                return -1;
        } else if (!strcmp(key, "tiers")) {
            if (parse_tiers(c, r, v) != 0)
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
            return fail_at(c, k, "role %s: unknown field '%s' (description, suites, constraints, budget, tiers, "
                           "prefer)", r->name, key);
    }
    if (!have_suites)
        return fail_at(c, n, "role %s: suites is required%s", r->name, NULL);
    return 0;
}

/* pools: {hot: {description: .., roles: [a, b], budget: {memory_gb: 45}}} */
static int parse_pools(struct rctx *c, struct report_roles *out, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, "pools: expected a mapping of pool names%s%s", NULL, NULL);
    size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    out->pools = xcalloc(np ? np : 1, sizeof *out->pools);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        if (!scalar(k))
            return fail_at(c, k, "pools: expected pool names%s%s", NULL, NULL);
        for (size_t i = 0; i < out->n_pools; i++)
            if (!strcmp(out->pools[i].name, scalar(k)))
                return fail_at(c, k, "pool %s defined twice%s", scalar(k), NULL);
        struct report_pool *p = &out->pools[out->n_pools++];
        p->name = xstrdup(scalar(k));
        char who[300];
        snprintf(who, sizeof who, "pool %s", p->name);
        if (v->type != YAML_MAPPING_NODE)
            return fail_at(c, v, "pool %s: expected a mapping with roles and budget%s", p->name, NULL);
        int have_budget = 0;
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
            yaml_node_t *qk = yaml_document_get_node(c->doc, q->key);
            yaml_node_t *qv = yaml_document_get_node(c->doc, q->value);
            const char *key = scalar(qk);
            if (key && !strcmp(key, "description") && scalar(qv)) {
                free(p->description);
                p->description = xstrdup(scalar(qv));
            } else if (key && !strcmp(key, "budget")) {
                if (parse_budget(c, who, &p->budget, qv) != 0)
                    return -1;
                have_budget = 1;
            } else if (key && !strcmp(key, "roles")) {
                if (qv->type != YAML_SEQUENCE_NODE)
                    return fail_at(c, qv, "pool %s: roles: expected a list of role names%s", p->name, NULL);
                for (yaml_node_item_t *it = qv->data.sequence.items.start; it < qv->data.sequence.items.top; it++) {
                    yaml_node_t *rn = yaml_document_get_node(c->doc, *it);
                    const char *name = scalar(rn);
                    int known = 0;
                    for (size_t i = 0; name && i < out->n; i++)
                        known |= !strcmp(out->v[i].name, name);
                    if (!known)
                        return fail_at(c, rn, "pool %s: no role '%s' in roles", p->name, name ? name : "?");
                    for (size_t i = 0; i < p->n_roles; i++)
                        if (!strcmp(p->roles[i], name))
                            return fail_at(c, rn, "pool %s: role %s listed twice", p->name, name);
                    p->roles = xrealloc(p->roles, (p->n_roles + 1) * sizeof *p->roles);
                    p->roles[p->n_roles++] = xstrdup(name);
                }
            } else
                return fail_at(c, qk, "pool %s: unknown field '%s' (description, roles, budget)", p->name,
                               key ? key : "?");
        }
        if (!p->n_roles)
            return fail_at(c, v, "pool %s: roles is required%s", p->name, NULL);
        if (!have_budget)
            return fail_at(c, v, "pool %s: budget is required%s", p->name, NULL);
    }
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
    yaml_node_t *roles = NULL, *pools = NULL;
    if (root && root->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
            const char *key = scalar(yaml_document_get_node(&doc, pr->key));
            if (key && !strcmp(key, "roles"))
                roles = yaml_document_get_node(&doc, pr->value);
            else if (key && !strcmp(key, "pools"))
                pools = yaml_document_get_node(&doc, pr->value);
            else {
                fail_at(&c, yaml_document_get_node(&doc, pr->key), "unknown top-level key '%s' (expected roles, "
                        "pools)%s", key ? key : "?", NULL);
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
    if (pools && parse_pools(&c, out, pools) != 0)
        goto out;
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
        free(r->tiers);
    }
    free(roles->v);
    for (size_t i = 0; i < roles->n_pools; i++) {
        struct report_pool *p = &roles->pools[i];
        free(p->name);
        free(p->description);
        for (size_t j = 0; j < p->n_roles; j++)
            free(p->roles[j]);
        free(p->roles);
    }
    free(roles->pools);
    roles->pools = NULL;
    roles->n_pools = 0;
    roles->v = NULL;
    roles->n = 0;
}
