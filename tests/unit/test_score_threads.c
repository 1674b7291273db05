/* Scorers that keep per-thread scratch free it when the thread ends:
 * benchai run scores on a consumer thread per batch. Under make asan the
 * test asks LeakSanitizer after the threads are gone (a report at exit
 * would not fail a Criterion test); the plain build checks the scores. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "test_score_helpers.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/* A strict failure with '*' and several lines: every loose variant is built. */
static void *score_on_thread(void *out)
{
    struct ts_case *c = ts_run("ifeval", "{\"checks\": [{\"type\": \"change_case:english_lowercase\"}]}",
                               "First line\n*Some* text IN CAPS\nlast line");
    *(int *)out = c->rc == 0 && c->res.status == SCORE_SCORED && c->res.passed == 0;
    ts_free(c);
    return NULL;
}

Test(score_threads, ifeval_scratch_ends_with_its_thread)
{
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        int ok = 0;
        cr_assert_eq(pthread_create(&t, NULL, score_on_thread, &ok), 0);
        cr_assert_eq(pthread_join(t, NULL), 0);
        cr_assert(ok, "round %d: the ifeval score on a thread is wrong", i);
    }
#if defined(__SANITIZE_ADDRESS__)
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
                 "a scorer left its per-thread scratch behind (LeakSanitizer's report is above)");
#endif
}
