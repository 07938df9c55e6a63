#!/usr/bin/python3
"""bench/session.py -- run one spoolgate process with its SMTP session on a
socketpair (as spawn(8) would give it a socket), drive one scenario, wait for
the process to end, and print one line of key=value results, among them the
peak RSS of the process (VmHWM in /proc/PID/status, read once the scenario is
done, just before QUIT).

    session.py [options] -- COMMAND ARG...

COMMAND is spoolgate with its options and next hop, or any wrapper that ends
up running it (valgrind ...). Scenarios (one of):

    --messages N      N messages of --size bytes over the connection (N = 0:
                      connect, EHLO, QUIT only)
    --big BYTES       one message of BYTES bytes, in 78-octet lines, streamed
    --line BYTES      one message whose body is a single line of BYTES bytes
    --rcpts N         MAIL, then N RCPT commands (pipelined), then a small
                      message and QUIT

Options: --size BYTES (5120), --user NAME (run COMMAND as that user, when
root), --stderr FILE (COMMAND's stderr; default /dev/null), --timeout S (one
reply, 600).

Output, on stdout:
    exit=STATUS vmhwm_kb=K vmrss_kb=K seconds=S accepted=A ok=0|1 last_reply=...
accepted: messages answered 250 to the final "." (or, for --rcpts, the RCPT
commands answered 250); seconds: from the start of the process to its end.
Exit status 0 if the session went as expected, 1 otherwise.
"""
import os
import pwd
import queue
import socket
import subprocess
import sys
import threading
import time

CHUNK = 1 << 16


class Replies(threading.Thread):
    """Reads the server's replies and queues each complete (multi-line) one."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock = sock
        self.q = queue.Queue()

    def run(self):
        buf = b""
        lines = []
        while True:
            try:
                data = self.sock.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                self.q.put(None)
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.rstrip(b"\r").decode("latin-1")
                lines.append(line)
                if len(line) < 4 or line[3] != "-":
                    self.q.put("\n".join(lines))
                    lines = []


def header(n, size):
    return ("From: bench <sender@bench.example>\r\n"
            "To: rcpt@sink.example\r\n"
            "Subject: spoolgate bench message %d\r\n"
            "Message-ID: <bench-%d@bench.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "X-Bench-Size: %d\r\n\r\n" % (n, n, size)).encode()


def body_lines(size):
    """Yields `size` bytes of 78-octet CRLF lines, in chunks of about 64 KiB."""
    line = (b"abcdefghijklmnopqrstuvwxyz0123456789" * 3)[:76] + b"\r\n"
    per = CHUNK // len(line)
    nlines, rest = divmod(size, len(line))
    block = line * per
    while nlines >= per:
        yield block
        nlines -= per
    if nlines:
        yield line * nlines
    if rest >= 2:
        yield b"y" * (rest - 2) + b"\r\n"


def main():
    args = sys.argv[1:]
    opts = {"--size": "5120", "--user": "", "--stderr": "/dev/null", "--timeout": "600"}
    scenario = None
    while args and args[0] != "--":
        a = args.pop(0)
        if a in ("--messages", "--big", "--line", "--rcpts"):
            scenario = (a, int(args.pop(0)))
        elif a in opts:
            opts[a] = args.pop(0)
        else:
            sys.exit("session.py: unknown option %s" % a)
    if not args or scenario is None:
        sys.exit(__doc__)
    cmd = args[1:]
    size = int(opts["--size"])
    timeout = float(opts["--timeout"])

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    preexec = None
    if opts["--user"] and os.getuid() == 0:
        pw = pwd.getpwnam(opts["--user"])

        def preexec():
            os.setgroups([])
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
    errf = open(opts["--stderr"], "ab")
    env = {"LANG": "C", "TZ": "UTC"}
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=theirs, stdout=theirs, stderr=errf,
                            preexec_fn=preexec, close_fds=True, env=env)
    theirs.close()
    r = Replies(ours)
    r.start()

    seen = [""]

    def reply():
        x = r.q.get(timeout=timeout)
        if x is None:
            raise EOFError("connection closed after: " + seen[0])
        seen[0] = x
        return x

    def cmd_(line):
        ours.sendall(line.encode() + b"\r\n")
        return reply()

    def vm(pid):
        # VmHWM (peak RSS) and VmRSS of the process now, in kB. Read before
        # QUIT, when the work is done: after the exit nothing is left to read,
        # and wait4's ru_maxrss would also count the RSS of the forked Python
        # child before its exec.
        d = {}
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in ("VmHWM", "VmRSS"):
                        d[k] = int(v.split()[0])
        except OSError:
            pass
        return d

    hwm = {}
    ok = True
    accepted = 0
    last = ""
    try:
        last = reply()
        if not last.startswith("220"):
            raise EOFError("greeting: " + last)
        last = cmd_("EHLO client.bench.example")
        kind, n = scenario
        if kind == "--messages":
            for i in range(n):
                for line in ("MAIL FROM:<sender@bench.example>", "RCPT TO:<rcpt@sink.example>",
                             "DATA"):
                    last = cmd_(line)
                if not last.startswith("354"):
                    ok = False
                    break
                msg = header(i, size) + b"".join(body_lines(size)) + b".\r\n"
                ours.sendall(msg)
                last = reply()
                if last.startswith("250"):
                    accepted += 1
                else:
                    ok = False
        elif kind in ("--big", "--line"):
            for line in ("MAIL FROM:<sender@bench.example>", "RCPT TO:<rcpt@sink.example>",
                         "DATA"):
                last = cmd_(line)
            if last.startswith("354"):
                ours.sendall(header(1, n))
                if kind == "--big":
                    for part in body_lines(n):
                        ours.sendall(part)
                else:
                    one = b"x" * CHUNK
                    left = n
                    while left > 0:
                        ours.sendall(one[:min(left, CHUNK)])
                        left -= CHUNK
                    ours.sendall(b"\r\n")
                ours.sendall(b".\r\n")
                last = reply()
                accepted = 1 if last.startswith("250") else 0
                ok = accepted == 1
            else:
                ok = False
        elif kind == "--rcpts":
            last = cmd_("MAIL FROM:<sender@bench.example>")
            batch = []
            for i in range(n):
                batch.append(b"RCPT TO:<r%d@sink.example>\r\n" % i)
                if len(batch) == 1000 or i == n - 1:
                    ours.sendall(b"".join(batch))
                    batch = []
            for i in range(n):
                last = reply()
                if last.startswith("250"):
                    accepted += 1
            rl = last
            last = cmd_("DATA")
            if last.startswith("354"):
                ours.sendall(header(1, 100) + b"a short message\r\n.\r\n")
                last = reply()
            last = "last RCPT reply: " + rl.replace("\n", " | ") + "; end of data: " + last
        hwm = vm(proc.pid)
        try:
            cmd_("QUIT")
        except EOFError:
            pass
    except (EOFError, queue.Empty, OSError) as e:
        ok = False
        last = "%s: %s" % (type(e).__name__, e)
    try:
        ours.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = os.waitstatus_to_exitcode(st)
            break
        time.sleep(0.005)
    t1 = time.monotonic()
    if status is None:
        proc.kill()
        pid, st, ru = os.wait4(proc.pid, 0)
        status = "killed"
        ok = False
    print("exit=%s vmhwm_kb=%s vmrss_kb=%s seconds=%.3f accepted=%d ok=%d last_reply=%s"
          % (status, hwm.get("VmHWM", "?"), hwm.get("VmRSS", "?"), t1 - t0, accepted, 1 if ok else 0,
             last.replace("\n", " | ")[:300]))
    sys.exit(0 if ok and status == 0 else 1)


if __name__ == "__main__":
    main()
