#!/usr/bin/python3
"""submit.py -- send one message file by SMTP, exactly as it is.

    submit.py PORT SENDER RCPT[,RCPT...] FILE [MAIL-PARAM...]

Connects to 127.0.0.1:PORT, EHLO client.example.org, MAIL FROM:<SENDER>
with the given parameters (e.g. BODY=8BITMIME), the recipients, DATA with
the bytes of FILE (dot-stuffed on the wire by smtplib, line ends untouched:
write the file with CRLF), QUIT. Prints the server's reply to the final
".", e.g. "250 2.0.0 Ok: queued as 4Xyz0123", and exits 0 only if it was
2xx. Python 3 standard library only.
"""
import smtplib
import sys


def main():
    if len(sys.argv) < 5:
        sys.exit("usage: submit.py PORT SENDER RCPT[,RCPT...] FILE [MAIL-PARAM...]")
    port, sender, rcpts, path = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), sys.argv[4]
    params = sys.argv[5:]
    with open(path, "rb") as f:
        msg = f.read()
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.org", timeout=60)
    try:
        s.ehlo()
        code, text = s.mail(sender, params)
        if code != 250:
            print("MAIL refused: %d %s" % (code, text.decode("utf-8", "replace")))
            return 1
        for r in rcpts:
            code, text = s.rcpt(r)
            if code not in (250, 251):
                print("RCPT %s refused: %d %s" % (r, code, text.decode("utf-8", "replace")))
                return 1
        code, text = s.data(msg)
        print("%d %s" % (code, text.decode("utf-8", "replace")))
        return 0 if 200 <= code < 300 else 1
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            s.close()


if __name__ == "__main__":
    sys.exit(main())
