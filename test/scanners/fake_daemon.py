#!/usr/bin/env python3
# fake_daemon.py - a daemon that misbehaves, for the scanner hooks' tests
#
#   fake_daemon.py hang|garbage PORTFILE [TEXT]
#
# Listens on 127.0.0.1 at a port of the kernel's choosing, written to
# PORTFILE once it listens. "hang": accepts, reads whatever comes and never
# answers (until the client closes). "garbage": reads until the client has
# been quiet for 0.3 s, then writes TEXT (default: a line and an empty line
# that no scanner protocol knows) and closes. Runs until killed.
import os
import socket
import sys
import threading


def hang(conn):
    with conn:
        while conn.recv(65536):
            pass


def garbage(conn, text):
    with conn:
        conn.settimeout(0.3)
        try:
            while conn.recv(65536):
                pass
        except (socket.timeout, ConnectionError):
            pass
        try:
            conn.sendall(text.encode())
        except OSError:
            pass


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    text = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else "this is not a scanner\r\n\r\n"
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    while True:
        conn, _ = srv.accept()
        if mode == "hang":
            threading.Thread(target=hang, args=(conn,), daemon=True).start()
        else:
            threading.Thread(target=garbage, args=(conn, text), daemon=True).start()


if __name__ == "__main__":
    main()
