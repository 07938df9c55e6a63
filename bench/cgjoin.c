/* bench/cgjoin.c - join a cgroup, then become the program (amavis.sh).
 *
 *   cgjoin CGROUP-DIR PROGRAM [ARG...]
 *
 * Writes "0" (this process) to CGROUP-DIR/cgroup.procs, then execv()s
 * PROGRAM with the arguments, so that PROGRAM and everything it starts is
 * accounted in that cgroup (cpu.stat) and not in its parent's. amavis.sh
 * puts it in front of spoolgate in the spawn(8) service's argv=, so that
 * spoolgate and its hooks are counted apart from Postfix, whose spawn(8)
 * starts them. Built statically by amavis.sh: one small exec per filter
 * connection (Postfix caches those), charged to Postfix's group.
 *
 * It never writes anything: under spawn(8) stdout and stderr are the SMTP
 * connection. If it cannot join or exec, it exits 75 without a greeting,
 * so the Postfix client defers the message and the bench run fails
 * visibly instead of measuring the wrong group.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char path[4096];
    int fd;

    if (argc < 3 || strlen(argv[1]) > sizeof path - 20)
        return 64;
    strcpy(path, argv[1]);
    strcat(path, "/cgroup.procs");
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return 75;
    if (write(fd, "0\n", 2) != 2)
        return 75;
    close(fd);
    execv(argv[2], argv + 2);
    return 75;
}
