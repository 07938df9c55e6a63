/* exec-floor.c - what starting a hook costs on this machine, without spoolgate
 *
 * Runs /bin/true N times in two ways and prints microseconds per run:
 *   vfork      vfork + execve + waitpid, as spoolgate starts a hook now
 *   fork+vfork a fork of the caller (which then starts the hook as above and
 *              waits), as spoolgate did with a guardian process per hook
 * The caller first touches a 3 MB heap, about spoolgate's resident size, so
 * that the fork has the page tables of a process of that size to copy.
 *
 *   cc -O2 -o exec-floor exec-floor.c && ./exec-floor 1000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void run_true(void) {
    char *argv[] = {"/bin/true", NULL};
    pid_t p = vfork();
    if (p == 0) {
        execve(argv[0], argv, environ);
        _exit(127);
    }
    int st;
    if (p > 0) waitpid(p, &st, 0);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    if (n < 1 || n > 100000) n = 1000;
    size_t heap = 3u << 20;
    char *ballast = malloc(heap);
    if (!ballast) return 1;
    memset(ballast, 1, heap);
    for (int guardian = 0; guardian < 2; ++guardian) {
        double t0 = now_us();
        for (int i = 0; i < n; ++i) {
            if (!guardian) {
                run_true();
                continue;
            }
            pid_t g = fork();
            if (g == 0) {
                run_true();
                _exit(0);
            }
            int st;
            if (g > 0) waitpid(g, &st, 0);
        }
        printf("%s %.1f\n", guardian ? "fork+vfork" : "vfork", (now_us() - t0) / n);
    }
    return ballast[heap - 1] == 1 ? 0 : 1;
}
