#!/usr/bin/python3
"""bench/phases.py -- where the time of a one-message SMTP connection goes:
connect and wait for the greeting, then EHLO, MAIL, RCPT, DATA, the message
(5 KB) and its final ".", QUIT, and the server closing the connection, each
timed from the previous step's reply. One connection after the other, with
TCP_NODELAY, on 127.0.0.1.

    phases.py run PORT N FILE     N sessions to 127.0.0.1:PORT; one line of
                                  milliseconds per session appended to FILE
    phases.py summary FILE        the median of each phase, as key=value
"""
import socket
import statistics
import sys
import time

PHASES = ["greeting", "ehlo", "mail", "rcpt", "data", "message", "quit", "close"]
BODY = (b"From: bench <sender@bench.example>\r\nSubject: phases\r\n\r\n"
        + (b"y" * 76 + b"\r\n") * 66 + b".\r\n")


def session(port):
    t0 = time.perf_counter()
    marks = []
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")

    def reply(want):
        while True:
            line = f.readline()
            if not line:
                raise EOFError("connection closed")
            if line[3:4] != b"-":
                if not line.startswith(want):
                    raise EOFError("unexpected reply %r" % line)
                marks.append(time.perf_counter())
                return

    reply(b"220")
    for cmd, want in ((b"EHLO phases.bench.example", b"250"),
                      (b"MAIL FROM:<sender@bench.example>", b"250"),
                      (b"RCPT TO:<rcpt@sink.example>", b"250"), (b"DATA", b"354")):
        s.sendall(cmd + b"\r\n")
        reply(want)
    s.sendall(BODY)
    reply(b"250")
    s.sendall(b"QUIT\r\n")
    reply(b"221")
    while f.read(4096):
        pass
    marks.append(time.perf_counter())
    s.close()
    out, prev = [], t0
    for name, t in zip(PHASES, marks):
        out.append("%s=%.3f" % (name, 1000 * (t - prev)))
        prev = t
    out.append("total=%.3f" % (1000 * (prev - t0)))
    return " ".join(out)


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "run":
        port, n = int(a[1]), int(a[2])
        with open(a[3], "a") as out:
            for _ in range(n):
                try:
                    out.write(session(port) + "\n")
                except (OSError, EOFError) as e:
                    out.write("failed=%s\n" % str(e).replace(" ", "_"))
    elif len(a) == 2 and a[0] == "summary":
        cols = {}
        failed = 0
        with open(a[1]) as f:
            for line in f:
                if line.startswith("failed="):
                    failed += 1
                    continue
                for kv in line.split():
                    k, _, v = kv.partition("=")
                    cols.setdefault(k, []).append(float(v))
        print(" ".join("%s=%.3f" % (k, statistics.median(v)) for k, v in cols.items())
              + " runs=%d failed=%d" % (len(cols.get("total", [])), failed))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
