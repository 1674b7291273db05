/* suggest.c - edit distance and the closest name, for "did you mean". */
#include "util/suggest.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

size_t suggest_edit_distance(const char *a, const char *b)
{
    /* three rows: the one before the previous is needed for transpositions */
    size_t la = strlen(a), lb = strlen(b);
    size_t *prev2 = xcalloc(lb + 1, sizeof *prev2);
    size_t *prev = xmalloc((lb + 1) * sizeof *prev);
    size_t *cur = xmalloc((lb + 1) * sizeof *cur);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[lb];
    free(prev2);
    free(prev);
    free(cur);
    return d;
}

const char *suggest_closest(const char *word, const char *const *names)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; names[i]; i++) {
        size_t d = suggest_edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    size_t len = strlen(word), limit = len / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    return best && best_d <= limit ? best : NULL;
}
