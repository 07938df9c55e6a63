#!/usr/bin/python3
"""message.py -- make and check the test messages of the Postfix tests.

    message.py make FILE MESSAGE-ID [SUBJECT [KIB]]
        write a message with CRLF line ends whose body is hard to pass
        unchanged: 8-bit bytes, lines that begin with ".", a lone "." line,
        a 998-octet and a 10000-octet line, trailing white space, empty
        lines, a "From " line; with KIB, that body repeated to at least
        KIB KiB (a message large enough for cut-through).

    message.py compare SENT RECEIVED HEADER-LINE
        compare a message as sent with the copy the sink kept: the body
        (after the first empty line) must be byte for byte the same, every
        header line sent must still be there unchanged, and HEADER-LINE
        (e.g. "X-Spoolgate-Test: yes") must be there exactly once. Prints
        what differs; exit 0 when all holds.

    message.py header-block FILE
        print the header section of FILE (for failure reports)

Python 3 standard library only.
"""
import sys


def make(path, msgid, subject="spoolgate after-queue end-to-end test", kib="0"):
    header = [
        b"From: Test Sender <sender@example.com>",
        b"To: Test Recipient <rcpt@example.net>",
        b"Subject: " + subject.encode("ascii"),
        b"Date: Sat, 22 Nov 2025 12:00:00 +0000",
        b"Message-ID: <" + msgid.encode("ascii") + b">",
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=iso-8859-1",
        b"Content-Transfer-Encoding: 8bit",
    ]
    body = [
        b"First body line.",
        b".a line that starts with a dot (dot-stuffed on the wire)",
        b"..two dots",
        b".",
        b" .",
        b"..",
        b"8-bit bytes: \xe9\xe8\xe0\xfc\xff\x80\x81\xfe",
        b"trailing spaces   ",
        b"trailing tab\t",
        b"\ttab-indented",
        b"",
        b"",
        b"a 998-octet line: " + b"y" * (998 - 18),
        b"a 10000-octet line: " + b"z" * (10000 - 20),
        b"From the start of a line (mbox would quote this)",
        b">From quoted already",
        b"last line",
    ]
    text = b"".join(l + b"\r\n" for l in body)
    copies = max(1, -(-int(kib) * 1024 // len(text)))
    data = b"".join(l + b"\r\n" for l in header) + b"\r\n" + text * copies
    with open(path, "wb") as f:
        f.write(data)


def split(msg):
    i = msg.find(b"\r\n\r\n")
    if i < 0:
        return msg, b""
    return msg[:i + 2], msg[i + 4:]


def header_lines(head):
    return [l for l in head.split(b"\r\n") if l]


def compare(sent_path, got_path, want_header):
    sent = open(sent_path, "rb").read()
    got = open(got_path, "rb").read()
    shead, sbody = split(sent)
    ghead, gbody = split(got)
    ok = True
    if sbody == gbody:
        print("body byte-identical (%d octets)" % len(sbody))
    else:
        ok = False
        n = next((i for i in range(min(len(sbody), len(gbody))) if sbody[i] != gbody[i]),
                 min(len(sbody), len(gbody)))
        print("body DIFFERS: sent %d octets, received %d; first difference at octet %d:"
              % (len(sbody), len(gbody), n))
        print("  sent:     %r" % sbody[max(0, n - 40):n + 40])
        print("  received: %r" % gbody[max(0, n - 40):n + 40])
    glines = header_lines(ghead)
    for l in header_lines(shead):
        if l not in glines:
            ok = False
            print("header line sent but not received unchanged: %r" % l)
    want = want_header.encode("utf-8")
    n = glines.count(want)
    if n == 1:
        print("added header present once: %s" % want_header)
    else:
        ok = False
        print("added header %r found %d times; header received:" % (want_header, n))
        for l in glines:
            print("    %r" % l)
    return 0 if ok else 1


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "make":
        make(*sys.argv[2:6])
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "compare":
        return compare(*sys.argv[2:5])
    if len(sys.argv) == 3 and sys.argv[1] == "header-block":
        head, _ = split(open(sys.argv[2], "rb").read())
        sys.stdout.write(head.decode("latin-1"))
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
