/* bench/startup-client.c -- how long a per-connection SMTP program takes from
 * exec to its greeting, as spawn(8) would start it: the connection (here one
 * end of a socketpair) on stdin and stdout, stderr to /dev/null, a small
 * environment, an unprivileged user.
 *
 *   startup-client RUNS USER PROGRAM [ARG...]
 *   startup-client RUNS --connect PORT
 *
 * For each run: fork; the child switches to USER and execs PROGRAM; the
 * parent reads up to the end of the first reply line, sends QUIT, reads to
 * the end of the stream and reaps the child. One line per run on stdout:
 *
 *   greeting_us=G exit_us=E cpu_us=C status=S reply=CODE
 *
 * G: from just before fork to the greeting's line end; E: to the child's
 * exit; C: the child's user + system CPU time (wait4); CODE: the first three
 * characters of the greeting. With --connect, the program is already
 * listening on 127.0.0.1:PORT (a spawn(8) service, say): each run connects
 * there instead of forking, G and E count from just before connect(2), and
 * C and S are 0. Built by bench/startup.sh with cc -O2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s RUNS USER PROGRAM [ARG...]\n", argv[0]);
        return 64;
    }
    int runs = atoi(argv[1]);
    int port = strcmp(argv[2], "--connect") == 0 ? atoi(argv[3]) : 0;
    struct passwd *pw = port ? NULL : getpwnam(argv[2]);
    if (!port && !pw) {
        fprintf(stderr, "startup-client: no user %s\n", argv[2]);
        return 67;
    }
    char *env[] = { "LANG=C", "MAIL_CONFIG=/etc/postfix", NULL };
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    for (int r = 0; r < runs; r++) {
        int sv[2];
        long long t0;
        pid_t pid = 0;
        if (port) {
            struct sockaddr_in sa;
            memset(&sa, 0, sizeof sa);
            sa.sin_family = AF_INET;
            sa.sin_port = htons((unsigned short)port);
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            int one = 1;
            setsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            t0 = now_us();
            if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&sa, sizeof sa) != 0) {
                perror("connect");
                return 69;
            }
            goto talk;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            perror("socketpair");
            return 71;
        }
        t0 = now_us();
        pid = fork();
        if (pid < 0) {
            perror("fork");
            return 71;
        }
        if (pid == 0) {
            if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0 || dup2(devnull, 2) < 0)
                _exit(71);
            if (getuid() == 0 && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0
                                  || setuid(pw->pw_uid) != 0))
                _exit(71);
            execve(argv[3], argv + 3, env);
            _exit(127);
        }
        close(sv[1]);
    talk:;
        char buf[4096];
        size_t have = 0;
        long long t1 = -1;
        /* the greeting: up to the first LF (a multi-line 220- greeting
         * would count its first line only; spoolgate sends one line) */
        while (t1 < 0 && have < sizeof buf) {
            ssize_t n = read(sv[0], buf + have, sizeof buf - have);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            if (memchr(buf + have, '\n', (size_t)n))
                t1 = now_us();
            have += (size_t)n;
        }
        char code[4] = "---";
        if (have >= 3)
            memcpy(code, buf, 3);
        static const char quit[] = "QUIT\r\n";
        if (write(sv[0], quit, sizeof quit - 1) < 0) {
            /* the program is gone already: its exit status says why */
        }
        for (;;) {
            ssize_t n = read(sv[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
        }
        int st = 0;
        struct rusage ru;
        memset(&ru, 0, sizeof ru);
        while (pid > 0 && wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
            ;
        long long t2 = now_us();
        close(sv[0]);
        long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000
                        + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
        printf("greeting_us=%lld exit_us=%lld cpu_us=%lld status=%d reply=%s\n",
               t1 < 0 ? -1 : t1 - t0, t2 - t0, cpu,
               WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), code);
    }
    return 0;
}
