/* degenerate.c - the verdict on one output (see degenerate.h): a repeated
 * tail (a loop) or too few distinct words for its length. */
#include "run/degenerate.h"

#include <string.h>

/* The last half of the text is one pattern of up to 64 bytes repeated at
 * least four times (allowing a partial copy at the end). */
static int repetition_loop(const char *s, size_t len)
{
    size_t tail = len / 2;
    const char *t = s + len - tail;
    for (size_t period = 1; period <= 64 && period * 4 <= tail; period++) {
        size_t i = period;
        while (i < tail && t[i] == t[i - period])
            i++;
        if (i == tail)
            return 1;
    }
    return 0;
}

/* Fewer than 15% distinct words among at least 24 words. Words are
 * compared by their first 16 bytes in a small open-addressing table. */
static int low_diversity(const char *s)
{
    enum { SLOTS = 512, KEY = 16 };
    char keys[SLOTS][KEY];
    unsigned char used[SLOTS];
    memset(used, 0, sizeof used);
    size_t words = 0, distinct = 0;
    const char *p = s;
    while (*p && words < 4096) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
            p++;
        char key[KEY] = {0};
        size_t n = (size_t)(p - start) < KEY ? (size_t)(p - start) : KEY;
        memcpy(key, start, n);
        unsigned h = 2166136261u;
        for (size_t i = 0; i < KEY; i++)
            h = (h ^ (unsigned char)key[i]) * 16777619u;
        words++;
        for (unsigned probe = 0; probe < SLOTS; probe++) {
            unsigned slot = (h + probe) % SLOTS;
            if (!used[slot]) {
                used[slot] = 1;
                memcpy(keys[slot], key, KEY);
                distinct++;
                break;
            }
            if (!memcmp(keys[slot], key, KEY))
                break;
        }
    }
    return words >= 24 && distinct * 100 < words * 15;
}

const char *degenerate_reason(const char *text)
{
    if (!text)
        return NULL;
    size_t len = strlen(text);
    if (len < 32)
        return NULL;
    if (repetition_loop(text, len))
        return "repetition loop";
    if (low_diversity(text))
        return "low diversity";
    return NULL;
}
