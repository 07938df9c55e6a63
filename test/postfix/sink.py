#!/usr/bin/python3
"""sink.py -- the final SMTP destination of the Postfix end-to-end tests.

    sink.py DIR PORT [LIFETIME_SECONDS]

Listens on 127.0.0.1:PORT and keeps every message it accepts byte for byte:
DIR/NNNN.eml is the DATA content exactly as received, after dot-unstuffing,
line ends kept as they came (CRLF from Postfix), nothing added;
DIR/NNNN.env is the envelope, one item a line:

    helo: NAME
    mail_from: <ADDR> PARAMS...
    rcpt_to: <ADDR> PARAMS...      (one line per accepted recipient)
    bytes: N

Each .eml appears complete (written under another name, then renamed), and
its .env is in place before it. EHLO announces PIPELINING (commands are read
in order from a buffered stream, so a pipelined group is answered in order),
8BITMIME, SMTPUTF8, SIZE, DSN and ENHANCEDSTATUSCODES; several transactions
per connection; RSET; several connections at once (one thread each).

It exits by itself after LIFETIME_SECONDS (default 600), or on SIGTERM or
SIGINT. Python 3 standard library only. It writes its port and pid to
DIR/../sink.ready once it listens.
"""
import os
import signal
import socket
import socketserver
import sys
import threading

MAX_LINE = 1 << 20          # command lines and data lines (Postfix's are far shorter)
MAX_MESSAGE = 64 << 20


class State:
    def __init__(self, directory):
        self.dir = directory
        self.lock = threading.Lock()
        self.n = 0

    def next_base(self):
        with self.lock:
            self.n += 1
            return os.path.join(self.dir, "%04d" % self.n), self.n


def addr_and_params(arg, keyword):
    """'FROM:<a@b> X=Y' -> ('a@b', 'X=Y'), or None when malformed."""
    if not arg.upper().startswith(keyword):
        return None
    rest = arg[len(keyword):].lstrip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    end = rest.index(">")
    return rest[1:end], rest[end + 1:].strip()


class Handler(socketserver.BaseRequestHandler):
    """One SMTP session. Input is read into our own buffer, so that replies
    to a pipelined group can be sent together once no complete command is
    left in it (one write instead of one segment per reply)."""

    def setup(self):
        self.request.settimeout(300)
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.inbuf = bytearray()
        self.out = []

    def reply(self, text):
        self.out.append(text.encode("ascii") + b"\r\n")

    def flush(self):
        if self.out:
            self.request.sendall(b"".join(self.out))
            self.out = []

    def readline(self):
        """The next line with its line end, b"" at end of input."""
        while True:
            i = self.inbuf.find(b"\n")
            if i >= 0:
                line = bytes(self.inbuf[:i + 1])
                del self.inbuf[:i + 1]
                return line
            if len(self.inbuf) > MAX_LINE:
                raise ValueError("line too long")
            self.flush()                    # about to wait for input: answer first
            chunk = self.request.recv(65536)
            if not chunk:
                return b""
            self.inbuf += chunk

    def handle(self):
        try:
            self.session()
            self.flush()
        except (OSError, ValueError):
            pass

    def session(self):
        self.reply("220 sink.localdomain ESMTP test sink")
        helo = ""
        mail = None
        rcpts = []
        while True:
            line = self.readline()
            if not line:
                return
            text = line.rstrip(b"\r\n").decode("utf-8", "replace")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                helo, mail, rcpts = arg, None, []
                for l in ("250-sink.localdomain", "250-PIPELINING", "250-8BITMIME",
                          "250-SMTPUTF8", "250-SIZE %d" % MAX_MESSAGE, "250-DSN",
                          "250 ENHANCEDSTATUSCODES"):
                    self.reply(l)
            elif verb == "HELO":
                helo, mail, rcpts = arg, None, []
                self.reply("250 sink.localdomain")
            elif verb == "MAIL":
                p = addr_and_params(arg, "FROM:")
                if mail is not None:
                    self.reply("503 5.5.1 Error: nested MAIL command")
                elif p is None:
                    self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
                else:
                    mail, rcpts = p, []
                    self.reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                p = addr_and_params(arg, "TO:")
                if mail is None:
                    self.reply("503 5.5.1 Error: need MAIL command")
                elif p is None:
                    self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
                else:
                    rcpts.append(p)
                    self.reply("250 2.1.5 Ok")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("554 5.5.1 Error: no valid recipients")
                else:
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    body = self.read_data()
                    if body is None:
                        return
                    if len(body) > MAX_MESSAGE:
                        self.reply("552 5.3.4 Message too big")
                    else:
                        n = self.keep(helo, mail, rcpts, body)
                        self.reply("250 2.0.0 Ok: kept as %04d" % n)
                    mail, rcpts = None, []
            elif verb == "RSET":
                mail, rcpts = None, []
                self.reply("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Error: command not recognized")

    def read_data(self):
        """Read to the lone '.', undo dot-stuffing, keep the line ends."""
        out = bytearray()
        while True:
            line = self.readline()
            if not line:
                return None                     # connection lost: keep nothing
            if line in (b".\r\n", b".\n"):
                return bytes(out)
            if line.startswith(b"."):
                line = line[1:]
            if len(out) <= MAX_MESSAGE:
                out += line

    def keep(self, helo, mail, rcpts, body):
        base, n = self.server.state.next_base()
        with open(base + ".env", "w", encoding="utf-8") as f:
            f.write("helo: %s\n" % helo)
            f.write("mail_from: <%s> %s\n" % mail)
            for r in rcpts:
                f.write("rcpt_to: <%s> %s\n" % r)
            f.write("bytes: %d\n" % len(body))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".eml.tmp", base + ".eml")
        return n


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: sink.py DIR PORT [LIFETIME_SECONDS]")
    directory, port = sys.argv[1], int(sys.argv[2])
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    os.makedirs(directory, exist_ok=True)
    server = Server(("127.0.0.1", port), Handler)
    server.state = State(directory)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True)
    t.start()
    ready = os.path.join(os.path.dirname(os.path.abspath(directory)), "sink.ready")
    with open(ready + ".tmp", "w") as f:
        f.write("%d %d\n" % (port, os.getpid()))
    os.rename(ready + ".tmp", ready)
    done.wait(lifetime)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
