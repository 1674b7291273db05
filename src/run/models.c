/* models.c - --model / --draft NAME through the model registry, the same
 * way in every kind of run (run/models.h). */
#include "run/models.h"
#include "run/defaults.h"
#include "plan/plan.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

char *run_models_file(const char *models_file, char **looked)
{
    if (looked)
        *looked = NULL;
    if (models_file)
        return xstrdup(models_file);
    return defaults_data_file("models.yaml", NULL, looked);
}

static int pathlike(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".gguf")) || fs_exists(s);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

int run_model_resolve(const char *arg, const char *models_file, struct run_model *out,
                      struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    if (pathlike(arg) || !strncmp(arg, "http://", 7) || !strncmp(arg, "https://", 8)) {
        out->path = xstrdup(arg);
        return 0;
    }
    char *looked = NULL;
    char *file = run_models_file(models_file, &looked);
    if (!file) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "model '%s' is not a file, and there is no model registry to look the name up "
                      "in (looked in %s); give a GGUF path, --models-file FILE, or models_file: in "
                      "the config file (docs/config.md)", arg, looked ? looked : "?");
        free(looked);
        return -1;
    }
    struct plan_registry reg = { 0 };
    if (plan_registry_load(&reg, file, err) != 0) {   /* the message names the file */
        plan_registry_free(&reg);
        free(file);
        return -1;
    }
    const struct plan_model *m = plan_registry_find(&reg, arg);
    if (!m) {
        struct buf names = { 0 };
        for (size_t i = 0; i < reg.n_models; i++)
            buf_printf(&names, "%s%s", i ? ", " : "", reg.models[i]->name);
        bai_error_set(err, BAI_EXIT_USAGE,
                      "model '%s' is not a file and not in the model registry %s (it has: %s); give "
                      "a GGUF path, or another registry with --models-file FILE", arg, file,
                      names.len ? names.data : "no models");
        buf_free(&names);
        plan_registry_free(&reg);
        free(file);
        return -1;
    }
    out->name = xstrdup(m->name);
    out->path = dup_or_null(m->path);
    out->url = dup_or_null(m->url);
    out->mmproj = dup_or_null(m->mmproj);
    out->registry = file;
    plan_registry_free(&reg);
    return 0;
}

void run_model_free(struct run_model *m)
{
    free(m->name);
    free(m->path);
    free(m->url);
    free(m->mmproj);
    free(m->registry);
    memset(m, 0, sizeof *m);
}
