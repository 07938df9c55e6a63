#!/usr/bin/env python3
# test/fuzz/make_seeds.py - write the hand-made seed corpus of each fuzz target
#
#   python3 test/fuzz/make_seeds.py [CORPUSDIR]      (default: test/fuzz/corpus)
#
# Seeds are named seed-*, so that they can be told from the entries a long
# fuzzing run added (named by libFuzzer after their SHA-1). Rerunning this
# script rewrites the seeds and leaves the rest of the corpus alone.
#
# Commands, parameters and messages are those of /work/shared/captures
# (Postfix 3.7's scan client and before-queue smtpd), plus the smuggling
# variants of end of data ("\n.\n", "\r.\r", "\r\n.\r", "\r\r\n.\r\r\n",
# "\r\n.\n", "\n.\r\n"), long lines, NULs, 8-bit text and broken replies.
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# --- fuzz_command: one command line, terminator removed -------------------
commands = {
    "ehlo": "EHLO postfix-bench.localdomain",
    "helo": "helo client.example.org",
    "xforward-1": "XFORWARD NAME=localhost ADDR=127.0.0.1 PORT=38128",
    "xforward-2": "XFORWARD PROTO=ESMTP HELO=client.example.org IDENT=7BD3AA72C72 SOURCE=LOCAL",
    "xforward-bq": "XFORWARD NAME=localhost ADDR=127.0.0.1 PORT=37620 HELO=client.example.org "
                   "IDENT=[UNAVAILABLE] PROTO=ESMTP SOURCE=LOCAL",
    "xforward-ipv6": "XFORWARD ADDR=IPV6:2001:db8::1 NAME=[TEMPUNAVAIL]",
    "xforward-xtext": "xforward helo=a+2Bb+3Dc+00d+0D+0Ae name=x+",
    "xforward-bad": "XFORWARD FOO=bar =x NAME",
    "mail-aq": "MAIL FROM:<sender@example.com> SIZE=1595 BODY=8BITMIME",
    "mail-dsn": "MAIL FROM:<sender@example.com> SIZE=452 BODY=8BITMIME ENVID=bench-envid-2 RET=HDRS SMTPUTF8",
    "mail-bq": "mail FROM:<sender@example.com> size=236 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=bench-envid-2",
    "mail-null": "MAIL FROM:<>",
    "mail-space": "MAIL FROM: <a@b>  SIZE=0012",
    "mail-bare": "MAIL FROM:a@b SIZE=999999999999999999",
    "mail-size-huge": "MAIL FROM:<a@b> SIZE=99999999999999999999",
    "mail-size-bad": "MAIL FROM:<a@b> SIZE=12x SIZE",
    "mail-quoted": 'MAIL FROM:<"odd > local\\" part"@example.com> BODY=7BIT',
    "mail-backslash": "MAIL FROM:<a\\>b@c\\",
    "mail-ctrl": "MAIL FROM:<a\x00b@c\rd> X=\x7f",
    "rcpt-aq": "RCPT TO:<rcpt1@example.net> ORCPT=rfc822;rcpt1@example.net",
    "rcpt-bq": "rcpt TO:<rcpt2@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;original@example.net",
    "rcpt-utf8": "RCPT TO:<j\xc3\xb6rg@example.net>",
    "data": "DATA",
    "data-arg": "data now",
    "quit": "  QUIT\t ",
    "rset": "RSET",
    "noop": "NOOP hello",
    "vrfy": "VRFY postmaster",
    "help": "HELP",
    "unknown": "STARTTLS",
    "tabs": "\tMAIL\tFROM:<a@b>\t",
}
for name, line in commands.items():
    write("command", name, line)
write("command", "long", "RCPT TO:<" + "a" * 3000 + "@example.net>")


# --- fuzz_data: flags, 8 split octets, the octets after DATA ----------------
def data_seed(name, body, flags=0, split=b"\x00\x01\x02\x05\x0b\x11\x1d\x3f"):
    if isinstance(body, str):
        body = body.encode("latin-1")
    write("data", name, bytes([flags]) + split + body)


message = ("Received: from client.example.org (localhost [127.0.0.1])\r\n"
           "\tby postfix-bench.localdomain (Postfix) with ESMTP\r\n"
           "From: Bench Sender <sender@example.com>\r\n"
           "Subject: spoolgate bench end-to-end check\r\n"
           "Content-Transfer-Encoding: 8bit\r\n"
           "\r\n"
           "First body line.\r\n"
           "..a line that starts with a dot (dot-stuffed on the wire)\r\n"
           "...two dots\r\n"
           "..\r\n"
           "8-bit: \xe9t\xe9, NUL: \x00, bare CR: a\rb\r\n")
data_seed("message", message + ".\r\nQUIT\r\n")
data_seed("empty", ".\r\n")
data_seed("empty-lf", ".\n", flags=2)
data_seed("lf-transcript", "Subject: typed\n\nbody\n..x\n.\nQUIT\n", flags=2)
data_seed("plain", "From: x\n.starts with dot\nno newline at end", flags=1)
data_seed("plain-crlf", "From: x\r\n\r\n.\r\n..\r\nlast\r", flags=1)
for i, smuggle in enumerate(["\n.\n", "\r.\r", "\r\n.\r", "\r\r\n.\r\r\n", "\r\n.\n", "\n.\r\n", "\r\n.\r\r\n",
                             "\n..\n", "\r\n.\x00\r\n"]):
    body = ("Subject: smuggle\r\n\r\nbefore" + smuggle
            + "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n")
    data_seed("smuggle-%d" % i, body)
    data_seed("smuggle-%d-lenient" % i, body, flags=2)
data_seed("long-line", "x" * 5000 + "\r\n.\r\n")
data_seed("cr-runs", "\r\r\r\n\r\r\n.\r\r\r\n.\r\n")
data_seed("dots", "..\r\n...\r\n.x\r\n.\r\n")

# --- fuzz_reply: reply lines, hook output, header blocks, hook commands --
replies = {
    "ehlo": "250-postfix-bench.localdomain\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
            "250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
            "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
    "queued": "250 2.0.0 Ok: queued as 89962A73183\r\n",
    "rcpt-rejected": "550 5.1.1 <nobody@example.net>: Recipient address rejected: "
                     "User unknown in local recipient table",
    "no-enhanced": "452 Insufficient system storage\n",
    "other-class": "451 5.7.1 mixed classes\n554 4.4.2 mixed again\n",
    "closing": "421 4.3.0 postfix-bench.localdomain Error: too many errors\r\n",
    "bare-code": "250\r\n354\n",
    "ctrl": "550-5.7.1 line one\x00\x1b[2J\r\n550 5.7.1 two\rthree\x7f\xff\n",
    "hook-reject": "scanning...\nFOUND: Eicar-Test-Signature\n550 5.7.1 virus found: Eicar\n",
    "hook-defer": "\t  4.7.1   try again later  \n\n   \n",
    "hook-421": "421 4.3.2 shutting down\n",
    "hook-wrongclass": "250 2.0.0 fine?\n",
    "hook-long": "554 5.7.1 " + "z" * 400 + "\n",
    "headers": "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=9.1\n\tcontinued\r\n",
    "headers-dot": ".X-Dot: leading dot\r\n.\r\n",
    "headers-bad": "X-Ok: 1\n\nbody\n",
    "hook-cmd": "/usr/local/bin/scan --from ${sender} --size=${size} -- ${recipient}",
    "hook-quotes": "'/opt/my hook' \"a \\\"quoted\\\" ${queue_id}\" b\\ c \\\n d ''",
    "hook-bad": "hook ${unknown} \"unterminated",
    "hook-nested": "x ${sender${recipient}} $${recipient}{ ${",
}
for name, text in replies.items():
    write("reply", name, text)

# --- fuzz_session: 3 octets of set-up, then what the client sends --------
EHLO_PIPE_SIZE_XF = 0x01 | 0x04 | 0x08 | 0x10    # PIPELINING, SIZE 10240000, XFORWARD, 8BITMIME...
aq = ("EHLO postfix-bench.localdomain\r\n"
      "XFORWARD NAME=localhost ADDR=127.0.0.1 PORT=38128\r\n"
      "XFORWARD PROTO=ESMTP HELO=client.example.org IDENT=7BD3AA72C72 SOURCE=LOCAL\r\n"
      "MAIL FROM:<sender@example.com> SIZE=1595 BODY=8BITMIME\r\n"
      "RCPT TO:<rcpt1@example.net> ORCPT=rfc822;rcpt1@example.net\r\n"
      "DATA\r\n" + message + ".\r\nQUIT\r\n")
bq = ("EHLO postfix-bench.localdomain\r\n"
      "XFORWARD NAME=localhost ADDR=127.0.0.1 PORT=37630 HELO=client2.example.org IDENT=[UNAVAILABLE] "
      "PROTO=ESMTP SOURCE=LOCAL\r\n"
      "mail FROM:<sender@example.com> size=236 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=bench-envid-2\r\n"
      "rcpt TO:<rcpt2@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;original@example.net\r\n"
      "rcpt TO:<rcpt3@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;original@example.net\r\n"
      "data\r\n" + message + ".\r\nQUIT\r\n")


def session_seed(name, text, ehlo=EHLO_PIPE_SIZE_XF, replies=0, options=0):
    if isinstance(text, str):
        text = text.encode("latin-1")
    write("session", name, bytes([ehlo, replies, options]) + text)


session_seed("after-queue", aq)
session_seed("before-queue", bq, ehlo=0x04 | 0x10)
session_seed("after-queue-no-pipelining", aq, ehlo=0x04)
session_seed("reused", aq.replace("QUIT\r\n", "RSET\r\n") + aq[aq.index("XFORWARD"):].replace("QUIT\r\n", ""))
session_seed("lf-transcript", "helo x\nmail from:<a@b>\nrcpt to:<c@d>\ndata\nSubject: hi\n\n..dot\n.\nquit\n")
for i, smuggle in enumerate(["\n.\n", "\r.\r", "\r\n.\r", "\r\r\n.\r\r\n", "\r\n.\n", "\n.\r\n"]):
    session_seed("smuggle-%d" % i,
                 "EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nSubject: s\r\n\r\nhi"
                 + smuggle + "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"
                 "smuggled\r\n.\r\nQUIT\r\n")
session_seed("too-big", "EHLO x\r\nMAIL FROM:<a@b> SIZE=100\r\nRCPT TO:<c@d>\r\nDATA\r\n" + ("y" * 78 + "\r\n") * 6
             + ".\r\nMAIL FROM:<a@b> SIZE=301\r\nQUIT\r\n", options=1)
session_seed("small-next-hop", "EHLO x\r\nMAIL FROM:<a@b> SIZE=201\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
             + ("z" * 98 + "\r\n") * 3 + ".\r\nQUIT\r\n", ehlo=0x01 | 0x02)
session_seed("spool-file", aq, options=0x02 | 0x04 | 0x08)
session_seed("refusals", "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nRCPT TO:<g@h>\r\n"
             "DATA\r\nhi\r\n.\r\nQUIT\r\n", replies=0x04 | 0x01)
session_seed("next-hop-421", "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\nhi\r\n.\r\n",
             replies=0x0c)
session_seed("next-hop-garbage", aq, replies=0x40)
session_seed("next-hop-closes", aq, replies=0x80)
session_seed("next-hop-odd-text", aq, replies=0xc0 | 0x20)
session_seed("data-refused", aq, ehlo=EHLO_PIPE_SIZE_XF | 0x40)
session_seed("helo-fallback", "HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n", ehlo=0x80)
session_seed("sequence-errors", "MAIL FROM:<a@b>\r\nEHLO\r\nHELO x\r\nRCPT TO:<c@d>\r\nDATA\r\nMAIL FROM:<a@b>\r\n"
             "MAIL FROM:<a@b>\r\nXFORWARD NAME=x\r\nRCPT TO:<>\r\nDATA x\r\nDATA\r\nRSET x\r\nRSET\r\nVRFY\r\n"
             "VRFY x\r\nHELP\r\nNOOP\r\nSTARTTLS\r\n" + "x" * 2100 + "\r\nQUIT\r\n")
session_seed("too-many-errors", "EHLO x\r\n" + "BDAT 1\r\n" * 25)
session_seed("eof-in-data", "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nunfinished\r\n.")
session_seed("no-quit", "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\n")
session_seed("xforward-after-mail", "EHLO x\r\nMAIL FROM:<a@b>\r\nXFORWARD NAME=x\r\nRCPT TO:<c@d>\r\nQUIT\r\n")

# --- findings: inputs that broke an invariant, kept as regression seeds ----
# The final "." is followed by a command without its line end, then EOF:
# spoolgate (since 37cef6e) takes the client for gone and drops the message
# without a reply, then answers the buffered RSET with 250, which the client
# reads as the reply to its message. See README.md, "Findings".
session_seed("finding-partial-line-after-dot",
             "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nRSET", ehlo=0x1d)
