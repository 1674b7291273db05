/* rescore.c - see rescore.h. The run's samples are read per stored suite
 * (so a run that met two versions of a suite is checked against each),
 * their items are looked up in the suite file as it is now, and each
 * sample is scored and written with its own short transaction batch: a
 * killed rescore keeps what it finished. */
#include "run/rescore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/figures.h"
#include "run/defaults.h"
#include "score/judge.h"
#include "score/score.h"
#include "suite/suite.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

/* A suite row of the store that the run used, with the file it is
 * rescored against. */
struct stored_suite {
    int64_t id;
    char *name;
    int version;
    char sha256[65];
    struct suite *file;          /* borrowed from struct loaded */
};

struct loaded {
    char *arg;                   /* as given, or the stored name */
    char *path;
    struct suite *suite;
};

/* The candidate peer answers of one suite version (store_suite_peer_answers). */
struct peers {
    char *suite_name;
    int version;
    struct store_peer_ref *v;
    size_t n;
};

struct ctx {
    const struct rescore_options *o;
    struct store *st;
    char run_id[STORE_RUN_ID_MAX];
    struct stored_suite *ss;
    size_t n_ss;
    struct loaded *ld;
    size_t n_ld, cap_ld;
    struct peers peers;          /* cache for the suite being rescored */
    char *judge_key;             /* the judge's stored name (score_judge_key), or NULL */
    int64_t batch_start_ns;
    int batch_n, in_tx;
};

/* ---- suites: the run's stored ones and the files they come from ------- */

static int read_stored_suites(struct ctx *c, struct bai_error *err)
{
    struct store_suite_ref *refs;
    size_t n;
    if (store_run_sample_suites(c->st, c->run_id, &refs, &n, err) != 0)
        return -1;
    c->ss = xcalloc(n ? n : 1, sizeof *c->ss);
    c->n_ss = n;
    for (size_t i = 0; i < n; i++) {
        struct stored_suite *s = &c->ss[i];
        s->id = refs[i].id;
        s->name = refs[i].name;          /* taken over */
        refs[i].name = NULL;
        s->version = refs[i].version;
        memcpy(s->sha256, refs[i].sha256, sizeof s->sha256);
    }
    store_suite_refs_free(refs, n);
    return 0;
}

static struct loaded *load_suite(struct ctx *c, const char *arg, struct bai_error *err)
{
    for (size_t i = 0; i < c->n_ld; i++)
        if (!strcmp(c->ld[i].arg, arg))
            return &c->ld[i];
    char *path = defaults_suite_path(arg);
    struct bai_error serr = {0};
    struct suite_load_options lo = { .allow_outside_source = c->o->allow_outside_source };
    struct suite *s = suite_load(path, &lo, &serr);
    if (!s) {
        if (!fs_exists(path)) {
            char *why = defaults_suite_missing(arg);
            bai_error_set(err, BAI_EXIT_USAGE, "%s; name its file with --suite PATH", why);
            free(why);
        } else
            bai_error_set(err, BAI_EXIT_USAGE, "%s", serr.msg);
        free(path);
        return NULL;
    }
    XGROW(c->ld, c->n_ld + 1, c->cap_ld);
    struct loaded *l = &c->ld[c->n_ld++];
    l->arg = xstrdup(arg);
    l->path = path;
    l->suite = s;
    return l;
}

/* Attaches a file to every stored suite that is to be rescored; the
 * others keep file NULL. Hash and version checks come after. */
static int attach_files(struct ctx *c, struct bai_error *err)
{
    const struct rescore_options *o = c->o;
    if (o->n_suites) {
        for (size_t i = 0; i < o->n_suites; i++) {
            struct loaded *l = load_suite(c, o->suites[i], err);
            if (!l)
                return -1;
            int found = 0;
            for (size_t k = 0; k < c->n_ss; k++)
                if (!strcmp(c->ss[k].name, l->suite->name)) {
                    c->ss[k].file = l->suite;
                    found = 1;
                }
            if (!found) {
                struct buf names = {0};
                for (size_t k = 0; k < c->n_ss; k++)
                    if (k == 0 || strcmp(c->ss[k].name, c->ss[k - 1].name))
                        buf_printf(&names, "%s%s", names.len ? ", " : "", c->ss[k].name);
                bai_error_set(err, BAI_EXIT_USAGE, "--suite %s: run %s has no samples of suite %s (it has: %s)",
                              o->suites[i], c->run_id, l->suite->name, names.len ? names.data : "none");
                buf_free(&names);
                return -1;
            }
        }
        return 0;
    }
    for (size_t k = 0; k < c->n_ss; k++) {
        struct loaded *l = load_suite(c, c->ss[k].name, err);
        if (!l)
            return -1;
        if (strcmp(l->suite->name, c->ss[k].name)) {
            bai_error_set(err, BAI_EXIT_USAGE, "suite %s: %s defines suite %s instead", c->ss[k].name, l->path,
                          l->suite->name);
            return -1;
        }
        c->ss[k].file = l->suite;
    }
    return 0;
}

static const char *path_of(struct ctx *c, const struct suite *s)
{
    for (size_t i = 0; i < c->n_ld; i++)
        if (c->ld[i].suite == s)
            return c->ld[i].path;
    return "?";
}

static int check_hashes(struct ctx *c, struct bai_error *err)
{
    struct buf msg = {0};
    for (size_t k = 0; k < c->n_ss; k++) {
        const struct stored_suite *s = &c->ss[k];
        if (!s->file)
            continue;
        int same_hash = !strcmp(s->file->hash, s->sha256), same_version = s->file->version == s->version;
        if (same_hash && same_version)
            continue;
        if (c->o->force) {
            log_warn("suite %s v%d: %s (v%d, sha256 %.12s) differs from what run %s used (sha256 %.12s);"
                     " rescoring with the file as it is now (--force)",
                     s->name, s->version, path_of(c, s->file), s->file->version, s->file->hash, c->run_id,
                     s->sha256);
            continue;
        }
        buf_printf(&msg, "%ssuite %s v%d: the file %s (v%d, sha256 %.12s) is not the one run %s used "
                         "(sha256 %.12s): its items, answers or scoring may have changed",
                   msg.len ? "\n" : "", s->name, s->version, path_of(c, s->file), s->file->version,
                   s->file->hash, c->run_id, s->sha256);
    }
    if (msg.len) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s\nrefusing to rescore; use --force to score against the file as it is now",
                      msg.data);
        buf_free(&msg);
        return -1;
    }
    return 0;
}

static const char *effective_scorer(const struct rescore_options *o, const struct suite_item *it)
{
    return o->scorer ? o->scorer : it->scorer;
}

/* The name the scores are stored under: a judge's key (its model and
 * prompt), so another judge's scores stay beside this one's. */
static const char *stored_name(const struct ctx *c, const char *scorer)
{
    return c->judge_key && !strcmp(scorer, "judge") ? c->judge_key : scorer;
}

/* A stored score's worth as every report counts it (report/figures.h):
 * 1 with *worth when the score counts. */
static int worth_of(const char *scorer, char status, double value, int passed, double *worth)
{
    enum report_outcome o = status == 's' ? REPORT_SCORED : status == 'u' ? REPORT_UNPARSED
                          : status == 'f' ? REPORT_ERROR : REPORT_SCORE_ERROR;
    int pass;
    return report_sample_worth(o, score_graded(scorer) == 1, value, passed, 0, worth, &pass);
}

/* ---- samples ------------------------------------------------------------- */

/* ---- peer answers ---------------------------------------------------------- */

static void peers_clear(struct peers *p)
{
    store_peer_refs_free(p->v, p->n);
    free(p->suite_name);
    memset(p, 0, sizeof *p);
}

/* The peer candidates of (name, version), loaded once per suite version. */
static int peers_load(struct ctx *c, const char *name, int version, struct bai_error *err)
{
    if (c->peers.suite_name && !strcmp(c->peers.suite_name, name) && c->peers.version == version)
        return 0;
    peers_clear(&c->peers);
    c->peers.suite_name = xstrdup(name);
    c->peers.version = version;
    return store_suite_peer_answers(c->st, name, version, &c->peers.v, &c->peers.n, err);
}

/* Up to o->peers answers to the item from other configs (of this run or
 * others): the lowest rep of each, oldest config first. Returns an array of strings (NULL
 * when none) and their sample ids in *ids. */
static cJSON *pick_peers(struct ctx *c, const struct store_answer *t, cJSON **ids, struct bai_error *err)
{
    const struct peers *P = &c->peers;
    size_t lo = 0, hi = P->n;
    while (lo < hi) {            /* first entry with item_id >= t->item_id (SQLite BINARY = strcmp) */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(P->v[mid].item_id, t->item_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    cJSON *arr = NULL;
    const struct store_peer_ref *last = NULL;
    for (size_t i = lo; i < P->n && !strcmp(P->v[i].item_id, t->item_id); i++) {
        const struct store_peer_ref *p = &P->v[i];
        if (cJSON_GetArraySize(arr) >= c->o->peers)
            break;
        if (p->config_id == t->config_id)
            continue;            /* the same model and settings: not a peer */
        if (last && last->config_id == p->config_id)
            continue;            /* one answer per config */
        last = p;
        char *output;
        int found = store_sample_output(c->st, p->id, &output, err);
        if (found < 0) {
            cJSON_Delete(arr);
            cJSON_Delete(*ids);
            *ids = NULL;
            return NULL;
        }
        if (found) {
            if (!arr) {
                arr = cJSON_CreateArray();
                *ids = cJSON_CreateArray();
            }
            cJSON_AddItemToArray(arr, cJSON_CreateString(output));
            cJSON_AddItemToArray(*ids, cJSON_CreateNumber((double)p->id));
            free(output);
        }
    }
    return arr;
}

/* ---- summary rows ------------------------------------------------------------ */

static struct rescore_row *row_for(struct rescore_result *res, const char *suite, const char *scorer)
{
    for (size_t i = 0; i < res->n_rows; i++)
        if (!strcmp(res->rows[i].suite, suite) && !strcmp(res->rows[i].scorer, scorer))
            return &res->rows[i];
    XGROW(res->rows, res->n_rows + 1, res->cap_rows);
    struct rescore_row *r = &res->rows[res->n_rows++];
    memset(r, 0, sizeof *r);
    r->suite = xstrdup(suite);
    r->scorer = xstrdup(scorer);
    return r;
}

/* ---- writing in small batches -------------------------------------------------- */

static int batch_flush(struct ctx *c, struct bai_error *err)
{
    if (!c->in_tx)
        return 0;
    c->in_tx = 0;
    c->batch_n = 0;
    return store_commit(c->st, err);
}

/* Commits every 64 scores or 2 s, whichever first: fast for cheap
 * scorers, and a killed judge rescore loses at most 2 s of work. */
static int batch_put(struct ctx *c, int64_t sample_id, const struct store_score *sc, struct bai_error *err)
{
    if (!c->in_tx) {
        if (store_begin(c->st, err) != 0)
            return -1;
        c->in_tx = 1;
        c->batch_start_ns = clock_mono_ns();
    }
    if (store_score_put(c->st, sample_id, sc, err) != 0)
        return -1;
    if (++c->batch_n >= 64 || clock_mono_ns() - c->batch_start_ns > 2000000000LL)
        return batch_flush(c, err);
    return 0;
}

/* Adds peer_sample_ids to the scorer's detail object. */
static char *detail_with_peers(const char *detail, cJSON *ids)
{
    cJSON *d = detail ? cJSON_Parse(detail) : NULL;
    if (!cJSON_IsObject(d)) {
        cJSON_Delete(d);
        d = cJSON_CreateObject();
    }
    cJSON_AddItemToObject(d, "peer_sample_ids", ids);
    char *s = cJSON_PrintUnformatted(d);
    char *out = xstrdup(s);
    cJSON_free(s);
    cJSON_Delete(d);
    return out;
}

/* Scores one sample and stores the result. Returns 0, or -1 when the
 * rescore must stop (store failure, judge unreachable). */
static int rescore_one(struct ctx *c, const struct stored_suite *ss, const struct suite_item *orig,
                       const struct store_answer *t, struct rescore_row *row, struct bai_error *err)
{
    const struct rescore_options *o = c->o;
    const char *scorer = effective_scorer(o, orig);
    struct score_item it = suite_item_for_score(orig);
    it.scorer = scorer;
    cJSON *data_copy = NULL, *peer_ids = NULL;
    if (!strcmp(scorer, "judge") && o->peers > 0) {
        if (peers_load(c, ss->name, ss->version, err) != 0)
            return -1;
        bai_error_clear(err);
        cJSON *peers = pick_peers(c, t, &peer_ids, err);
        if (err->exit_code)
            return -1;
        if (peers) {
            data_copy = orig->data ? cJSON_Duplicate(orig->data, 1) : cJSON_CreateObject();
            cJSON_DeleteItemFromObjectCaseSensitive(data_copy, "peer_answers");
            cJSON_AddItemToObject(data_copy, "peer_answers", peers);
            it.data = data_copy;
        }
    }
    cJSON *tool_calls = t->tool_calls_json ? cJSON_Parse(t->tool_calls_json) : NULL;
    struct score_input in = {
        .item = &it, .output = t->output ? t->output : "", .reasoning = t->reasoning, .tool_calls = tool_calls,
    };
    struct score_context sctx = { .judge = o->judge };
    struct score_result res;
    struct bai_error serr = {0};
    score_sample(&in, &sctx, &res, &serr);
    cJSON_Delete(tool_calls);
    cJSON_Delete(data_copy);

    int rc = 0;
    if (res.status == SCORE_ERROR && !strcmp(scorer, "judge") && serr.exit_code == BAI_EXIT_BACKEND) {
        /* Writing "error" over every remaining sample would only destroy
         * earlier scores: stop, keep what is stored. */
        bai_error_set(err, BAI_EXIT_BACKEND, "%s (stopped at sample %lld, item %s)", serr.msg,
                      (long long)t->id, t->item_id);
        rc = -1;
    } else {
        const char *name = stored_name(c, scorer);
        double before = 0, w;
        int before_passed = -1;
        char before_status = 0;
        int had = store_score_get(c->st, t->id, name, &before, &before_passed, &before_status, err);
        char *detail = peer_ids ? detail_with_peers(res.detail_json, peer_ids) : NULL;
        peer_ids = NULL;
        struct store_score sc = {
            .scorer = name, .value = res.value, .passed = res.passed, .status = score_status_name(res.status),
            .extracted = res.extracted, .detail_json = detail ? detail : res.detail_json,
        };
        if (had < 0 || batch_put(c, t->id, &sc, err) != 0 ||
            (strcmp(name, scorer) && store_score_drop_error(c->st, t->id, scorer, err) != 0)) {
            /* a judge's keyed score replaces the unkeyed "judge" error a run
             * without a judge stored, which never judged anything */
            rc = -1;
        } else {
            row->n++;
            if (had && worth_of(name, before_status, before, before_passed, &w)) {
                row->n_before++;
                row->sum_before += w;
            }
            char after_status = res.status == SCORE_SCORED ? 's' : res.status == SCORE_UNPARSED ? 'u' : 'e';
            if (worth_of(name, after_status, res.value, res.passed, &w)) {
                row->n_after++;
                row->sum_after += w;
            }
            row->unparsed += res.status == SCORE_UNPARSED;
            row->errors += res.status == SCORE_ERROR;
            if (!had || after_status != before_status || fabs(before - res.value) > 1e-12)
                row->changed++;
        }
        free(detail);
    }
    cJSON_Delete(peer_ids);
    score_result_free(&res);
    return rc;
}

/* Refuses judge items when no judge is configured (before any work). */
static int check_judge(struct ctx *c, struct bai_error *err)
{
    if (c->o->judge || c->o->dry_run)
        return 0;
    for (size_t k = 0; k < c->n_ss; k++) {
        const struct suite *s = c->ss[k].file;
        for (size_t i = 0; s && i < s->n_items; i++)
            if (effective_scorer(c->o, &s->items[i]) && !strcmp(effective_scorer(c->o, &s->items[i]), "judge")) {
                bai_error_set(err, BAI_EXIT_USAGE,
                              "suite %s is scored by a judge model (item %s): give --judge-url URL or --judge-gguf PATH",
                              s->name, s->items[i].id);
                return -1;
            }
    }
    return 0;
}

static int rescore_suite(struct ctx *c, const struct stored_suite *ss, struct rescore_result *res,
                         struct bai_error *err)
{
    struct store_answer *t;
    size_t n;
    if (store_run_answers(c->st, c->run_id, ss->id, &t, &n, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (c->o->stop && *c->o->stop) {
            bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted; the scores written so far are kept");
            rc = -1;
            break;
        }
        const struct suite_item *it = suite_find_item(ss->file, t[i].item_id);
        if (!it) {
            res->missing_items++;
            log_warn("suite %s: item %s (sample %lld) is not in %s any more; skipped", ss->name, t[i].item_id,
                     (long long)t[i].id, path_of(c, ss->file));
            continue;
        }
        const char *scorer = effective_scorer(c->o, it);
        if (!scorer || !strcmp(scorer, "none"))
            continue;            /* speed items: nothing to score */
        struct rescore_row *row = row_for(res, ss->name, stored_name(c, scorer));
        if (c->o->dry_run) {
            double before = 0, w;
            int before_passed = -1;
            char before_status = 0;
            int had = store_score_get(c->st, t[i].id, row->scorer, &before, &before_passed, &before_status, err);
            if (had < 0) {
                rc = -1;
                break;
            }
            row->n++;
            if (had && worth_of(row->scorer, before_status, before, before_passed, &w)) {
                row->n_before++;
                row->sum_before += w;
            }
            continue;
        }
        rc = rescore_one(c, ss, it, &t[i], row, err);
        if (rc == 0 && ++res->samples % 100 == 0)
            log_info("rescore: %zu samples scored", res->samples);
    }
    store_answers_free(t, n);
    return rc;
}

int rescore_run(const struct rescore_options *o, struct rescore_result *res, struct bai_error *err)
{
    memset(res, 0, sizeof *res);
    if (o->scorer && !score_find(o->scorer)) {
        bai_error_set(err, BAI_EXIT_USAGE, "--scorer: unknown scorer '%s' (known: %s)", o->scorer,
                      score_known_names());
        return -1;
    }
    struct ctx c = { .o = o, .judge_key = o->judge ? score_judge_key(o->judge->model, o->peers) : NULL };
    const char *path = o->store_path;
    c.st = o->dry_run ? store_open_readonly(path, err) : store_open(path, err);
    if (!c.st)
        return -1;
    int rc = -1;
    if (store_resolve_run(c.st, o->run, c.run_id, err) != 0)
        goto out;
    memcpy(res->run_id, c.run_id, sizeof res->run_id);
    if (read_stored_suites(&c, err) != 0 || attach_files(&c, err) != 0 || check_hashes(&c, err) != 0 ||
        check_judge(&c, err) != 0)
        goto out;
    rc = 0;
    for (size_t k = 0; k < c.n_ss && rc == 0; k++)
        if (c.ss[k].file)
            rc = rescore_suite(&c, &c.ss[k], res, err);
    struct bai_error ferr = {0};
    if (batch_flush(&c, &ferr) != 0 && rc == 0) {
        *err = ferr;
        rc = -1;
    }
out:
    if (c.in_tx)
        store_rollback(c.st);
    peers_clear(&c.peers);
    free(c.judge_key);
    for (size_t k = 0; k < c.n_ss; k++)
        free(c.ss[k].name);
    free(c.ss);
    for (size_t i = 0; i < c.n_ld; i++) {
        free(c.ld[i].arg);
        free(c.ld[i].path);
        suite_free(c.ld[i].suite);
    }
    free(c.ld);
    store_close(c.st);
    return rc;
}

void rescore_result_free(struct rescore_result *res)
{
    for (size_t i = 0; i < res->n_rows; i++) {
        free(res->rows[i].suite);
        free(res->rows[i].scorer);
    }
    free(res->rows);
    memset(res, 0, sizeof *res);
}

/* The mean worth in percent, one decimal, as every command prints a score. */
static void fmt_mean(char *out, size_t size, double sum, size_t n)
{
    report_fmt_pct(n ? 100.0 * sum / (double)n : NAN, out, size);
}

void rescore_result_print(const struct rescore_result *res, int dry_run, FILE *out)
{
    int w = 10;
    for (size_t i = 0; i < res->n_rows; i++)
        if ((int)strlen(res->rows[i].scorer) > w)
            w = (int)strlen(res->rows[i].scorer);
    fprintf(out, "%-24s %-*s %8s %8s %8s %8s %8s %8s\n", "suite", w, "scorer", dry_run ? "to score" : "rescored",
            "before", "after", "changed", "unparsed", "errors");
    for (size_t i = 0; i < res->n_rows; i++) {
        const struct rescore_row *r = &res->rows[i];
        char before[32], after[32];
        fmt_mean(before, sizeof before, r->sum_before, r->n_before);
        fmt_mean(after, sizeof after, r->sum_after, r->n_after);
        if (dry_run)
            fprintf(out, "%-24s %-*s %8zu %8s %8s %8s %8s %8s\n", r->suite, w, r->scorer, r->n, before, "-", "-",
                    "-", "-");
        else
            fprintf(out, "%-24s %-*s %8zu %8s %8s %8zu %8zu %8zu\n", r->suite, w, r->scorer, r->n, before, after,
                    r->changed, r->unparsed, r->errors);
    }
    if (!res->n_rows)
        fprintf(out, "(no samples to rescore)\n");
    else
        fprintf(out, "\nbefore, after: the score of the rescored samples under this scorer's stored name, 0-100 "
                     "(unparsed answers worth 0, scorer errors left out)\n");
}
