/* strlist.c - string lists from flags (see strlist.h). */
#include "util/strlist.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void strlist_push(char ***v, size_t *n, size_t *cap, const char *s)
{
    XGROW(*v, *n + 1, *cap);
    (*v)[(*n)++] = xstrdup(s);
}

void strlist_add_csv(char ***v, size_t *n, size_t *cap, const char *s)
{
    while (s && *s) {
        size_t len = strcspn(s, ",");
        const char *part = s;
        s += len;
        if (*s == ',')
            s++;
        while (len && *part == ' ') {
            part++;
            len--;
        }
        while (len && part[len - 1] == ' ')
            len--;
        if (!len)
            continue;
        XGROW(*v, *n + 1, *cap);
        (*v)[(*n)++] = xstrndup(part, len);
    }
}

void strlist_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
