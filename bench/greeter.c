/* bench/greeter.c -- the floor for bench/startup.sh: the least a
 * per-connection filter must do before it greets, in plain C (libc only).
 *
 *   greeter                 greet at once ("220 greeter ESMTP")
 *   greeter ADDR PORT       first connect to the next hop, read its greeting,
 *                           send EHLO and read its reply, as spoolgate does
 *
 * Then read commands until QUIT (221) or end of input, and exit 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* read one SMTP reply (all its lines) from fd; 0 on success */
static int reply(int fd)
{
    char buf[4096];
    size_t have = 0, line = 0; /* line: where the current line starts */
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - have);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        for (size_t i = line; i < have; i++) {
            if (buf[i] != '\n')
                continue;
            if (i - line >= 4 && buf[line + 3] == ' ')
                return 0; /* "250 ...": the last line of the reply */
            line = i + 1;
        }
        if (have == sizeof buf) { /* a long reply: keep only the current line */
            memmove(buf, buf + line, have - line);
            have -= line;
            line = 0;
            if (have == sizeof buf)
                return -1;
        }
    }
}

int main(int argc, char **argv)
{
    int hop = -1;
    if (argc == 3) {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((unsigned short)atoi(argv[2]));
        if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
            return 64;
        hop = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(hop, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (hop < 0 || connect(hop, (struct sockaddr *)&sa, sizeof sa) != 0 || reply(hop) != 0)
            return 75;
        static const char ehlo[] = "EHLO greeter\r\n";
        if (write(hop, ehlo, sizeof ehlo - 1) < 0 || reply(hop) != 0)
            return 75;
    }
    static const char hello[] = "220 greeter ESMTP\r\n";
    if (write(1, hello, sizeof hello - 1) < 0)
        return 75;
    char line[2048];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(0, line + have, sizeof line - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        if (have >= 4 && strncasecmp(line, "QUIT", 4) == 0) {
            static const char bye[] = "221 2.0.0 Bye\r\n";
            if (write(1, bye, sizeof bye - 1) < 0)
                return 75;
            break;
        }
        if (memchr(line, '\n', have))
            have = 0;
    }
    if (hop >= 0) {
        static const char quit[] = "QUIT\r\n";
        if (write(hop, quit, sizeof quit - 1) >= 0)
            reply(hop);
    }
    return 0;
}
