/* bench/peakrss.c - the peak RSS of one command (amavis.sh).
 *
 *   peakrss COMMAND [ARG...]
 *
 * Forks, runs COMMAND (stdin inherited, stdout and stderr /dev/null),
 * waits for it and prints "KB STATUS": its peak resident set size from wait4(2)'s
 * ru_maxrss and its exit status (128 + N for signal N). Built statically,
 * so that what the child had before its exec (this small program's memory)
 * does not hide the command's own peak, as a fork of a Python or shell
 * process would.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rusage ru;
    int status = 0;
    pid_t pid;

    if (argc < 2)
        return 64;
    pid = fork();
    if (pid < 0)
        return 71;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0)
        return 71;
    printf("%ld %d\n", ru.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
