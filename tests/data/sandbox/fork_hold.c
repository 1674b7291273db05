/* Takes every process it may have and keeps them, asleep: a fork bomb
 * that costs no CPU, so what it does to its neighbours is the process
 * count alone. */
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    prctl(PR_SET_NAME, argc > 1 ? argv[1] : "bai_hold", 0, 0, 0);
    while (fork() >= 0)
        ;
    for (;;)
        pause();
}
