/* import_fields.c - what every importer reads of a record: a field as
 * text (numbers printed), a field that must be there, an id made safe and
 * a trimmed copy (declared in import.h). Kept apart from import.c, whose
 * format table calls the importers, so the importers depend on these
 * helpers without depending back on the table. */
#include "suite/import.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *suite_import_str(struct suite_import_job *job, size_t i, const char *field,
                             char tmp[64])
{
    const cJSON *row = cJSON_GetArrayItem(job->rec->rows, (int)i);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, field);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d)
            snprintf(tmp, 64, "%lld", (long long)d);
        else
            snprintf(tmp, 64, "%.17g", d);
        return tmp;
    }
    return NULL;
}

const char *suite_import_need(struct suite_import_job *job, size_t i, const char *field,
                              char tmp[64], struct bai_error *err)
{
    const char *s = suite_import_str(job, i, field, tmp);
    int empty = 1;
    for (const char *p = s; p && *p && empty; p++)
        empty = isspace((unsigned char)*p) != 0;
    if (!s || empty) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:1: record %zu: %s '%s'", job->path,
                      job->rec->lines[i], i + 1, s ? "empty field" : "missing field", field);
        return NULL;
    }
    return s;
}

char *suite_import_id(const char *s)
{
    char *id = xstrdup(s);
    for (char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.:/-", *p))
            *p = '_';
    return id;
}

char *suite_import_trim(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}
