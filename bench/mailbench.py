#!/usr/bin/python3
"""bench/mailbench.py -- the data side of bench/amavis.sh.

    mailbench.py corpus DIR N [SEED]
        Write N messages to DIR (NNNN-KIND.eml, CRLF): text ham, multipart
        ham with attachments, GTUBE, EICAR, in the proportions 150:104:23:23
        (of 300). The same SEED gives the same corpus.
    mailbench.py submit PORT DIR TAG [SESSIONS]
        Send every message of DIR to 127.0.0.1:PORT (sender@example.com ->
        rcpt@example.net) over SESSIONS (2) parallel SMTP sessions, each
        message's Message-ID made <NNNN-KIND.TAG@bench.example.org> and its
        Date now. Prints "sent=N seconds=S"; exit 1 unless every one got 250.
    mailbench.py memwatch CGROUP-DIR INTERVAL OUT
        Every INTERVAL seconds, for each cgroup under CGROUP-DIR, the sum of
        Rss and Pss (kB, /proc/PID/smaps_rollup) over its processes: lines
        "T GROUP RSS PSS NPROCS" in OUT (T: seconds since the epoch); also
        "max-GROUP" (the largest process's RSS and PSS) and, for spawn(8)
        processes, "spawn-PORT" (those of the spawn service on PORT). Runs
        until killed.
    mailbench.py mempeak OUT T0 T1 GROUP+GROUP... [...]
        The peak, over the samples taken between T0 and T1 (the sample times
        must match: all groups of one sample are summed together), of the
        sums of RSS and of PSS of the groups joined by "+": "RSS PSS" in kB,
        one line per argument.
    mailbench.py verdicts KIND-OF-FILTER LOG MAILLOG OFFSET SINK QDIR TAG HOOKS
        One line per message of run TAG: "NNNN-KIND VERDICT FLAG QCOPIES".
        VERDICT: "pass" (at the sink), "discard-virus", "discard-spam",
        "missing"; FLAG: the delivered copy's X-Spam-Flag (YES, NO, or
        "-" when none), or "dupN" when delivered N > 1 times; QCOPIES: the
        quarantine files holding it. KIND-OF-FILTER is amavis (its log's
        "Blocked INFECTED|SPAM" lines) or spoolgate (its log's
        verdict=discard lines, the deciding hook's position in HOOKS, a
        comma-separated list of hook names, and Postfix's cleanup lines
        for the queue ID -> Message-ID map, from byte OFFSET on).
    mailbench.py timing AMAVIS-LOG OFFSET
        amavisd's TIMING lines from byte OFFSET on: "n=N sa_ms=S av_ms=A
        total_ms=T": the messages, and the milliseconds (wall clock) of the
        sections named "SA ..." (SpamAssassin, in amavisd's own process) and
        "AV-scan-N" (waiting for clamd), summed.
    mailbench.py delays MAILLOG OFFSET PORT
        Postfix's deliveries to 127.0.0.1:PORT from byte OFFSET on (the
        filter): "n=N d_mean=S d_max=S", the mean and largest "d" of
        delays=a/b/c/d (the time from connection set-up to the filter's
        answer to the final "."): the filter's latency per message.

Python 3 standard library only.
"""
import glob
import io
import os
import random
import re
import smtplib
import sys
import threading
import time
import zipfile
from email.utils import formatdate

EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

WORDS = """the meeting review budget figures quarter team project schedule report
draft minutes customer order delivery invoice account contract proposal agenda
thursday tuesday afternoon morning office building floor kitchen coffee lunch
please thanks regards attached document version change comment question answer
server backup network printer update release test results plan week month year
we they our their will would could should have has had been was were are is be
to of and in for on with at by from about after before during between into over
new old next last first second final short long small large good better best
send sent read write check agree discuss move keep share open close start finish
""".split()
NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"]
RATIO = [("text", 150), ("multipart", 104), ("gtube", 23), ("eicar", 23)]


def sentence(r):
    n = r.randint(6, 16)
    w = [r.choice(WORDS) for _ in range(n)]
    return w[0].capitalize() + " " + " ".join(w[1:]) + "."


def paragraph(r, width=72):
    text = " ".join(sentence(r) for _ in range(r.randint(2, 6)))
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = (cur + " " + word) if cur else word
    lines.append(cur)
    return lines


def body_text(r, kb):
    lines = ["Hello %s," % r.choice(NAMES), ""]
    while sum(len(l) + 1 for l in lines) < kb * 1024:
        lines += paragraph(r) + [""]
    lines += ["Regards,", r.choice(NAMES)]
    return lines


def headers(r, n, kind, extra):
    sender = r.choice(NAMES)
    return ["From: %s Example <%s@example.org>" % (sender, sender.lower()),
            "To: Bob Example <rcpt@example.net>",
            "Subject: %s" % " ".join(r.choice(WORDS) for _ in range(r.randint(3, 7))).capitalize(),
            "Date: DATE",
            "Message-ID: <%04d-%s@corpus>" % (n, kind),
            "MIME-Version: 1.0"] + extra


def b64lines(data):
    import base64
    s = base64.b64encode(data).decode()
    return [s[i:i + 76] for i in range(0, len(s), 76)]


def make_message(r, n, kind):
    if kind == "text":
        return headers(r, n, kind, ["Content-Type: text/plain; charset=us-ascii",
                                    "Content-Transfer-Encoding: 7bit", ""]) + body_text(r, r.randint(1, 8))
    if kind == "gtube":
        return headers(r, n, kind, ["Content-Type: text/plain; charset=us-ascii", ""]) + \
            body_text(r, 1)[:6] + ["", GTUBE, ""] + ["Regards,", "Carol"]
    if kind == "eicar":
        if n % 2:
            return headers(r, n, kind, ["Content-Type: text/plain; charset=us-ascii", ""]) + [EICAR]
        b = "=-b%d" % n
        return headers(r, n, kind, ['Content-Type: multipart/mixed; boundary="%s"' % b, ""]) + \
            ["--" + b, "Content-Type: text/plain; charset=us-ascii", ""] + body_text(r, 1)[:5] + \
            ["--" + b, 'Content-Type: application/octet-stream; name="tool.com"',
             "Content-Transfer-Encoding: base64", 'Content-Disposition: attachment; filename="tool.com"', ""] + \
            b64lines(EICAR.encode()) + ["--%s--" % b]
    # multipart ham: a text part (sometimes with an HTML alternative), a
    # PDF-like binary, a text file, every third one a zip of text files
    b = "=-m%d" % n
    out = headers(r, n, kind, ['Content-Type: multipart/mixed; boundary="%s"' % b, ""])
    text = body_text(r, r.randint(1, 4))
    if n % 2:
        a = "=-a%d" % n
        out += ["--" + b, 'Content-Type: multipart/alternative; boundary="%s"' % a, "",
                "--" + a, "Content-Type: text/plain; charset=us-ascii", ""] + text + \
               ["--" + a, "Content-Type: text/html; charset=us-ascii", "",
                "<html><body>"] + ["<p>%s</p>" % l for l in text if l] + ["</body></html>", "--%s--" % a]
    else:
        out += ["--" + b, "Content-Type: text/plain; charset=us-ascii", ""] + text
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(r.getrandbits(8) for _ in range(r.randint(8, 80) * 1024))
    out += ["--" + b, 'Content-Type: application/pdf; name="report-%d.pdf"' % n,
            "Content-Transfer-Encoding: base64", 'Content-Disposition: attachment; filename="report-%d.pdf"' % n, ""]
    out += b64lines(pdf)
    notes = "\r\n".join(body_text(r, r.randint(1, 6))) + "\r\n"
    out += ["--" + b, 'Content-Type: text/plain; charset=us-ascii; name="notes.txt"',
            'Content-Disposition: attachment; filename="notes.txt"', ""] + notes.split("\r\n")[:-1]
    if n % 3 == 0:
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
            for i in range(3):
                zf.writestr("minutes-%d.txt" % i, "\n".join(body_text(r, 4)))
        out += ["--" + b, 'Content-Type: application/zip; name="minutes.zip"',
                "Content-Transfer-Encoding: base64", 'Content-Disposition: attachment; filename="minutes.zip"', ""]
        out += b64lines(z.getvalue())
    out += ["--%s--" % b]
    return out


def cmd_corpus(d, n, seed=14):
    r = random.Random(int(seed))
    n = int(n)
    os.makedirs(d, exist_ok=True)
    total = sum(c for _, c in RATIO)
    kinds = []
    for kind, c in RATIO:
        kinds += [kind] * max(1, round(c * n / total))
    kinds = kinds[:n]
    while len(kinds) < n:
        kinds.append("text")
    r.shuffle(kinds)
    for i, kind in enumerate(kinds, 1):
        lines = make_message(r, i, kind)
        with open(os.path.join(d, "%04d-%s.eml" % (i, kind)), "wb") as f:
            f.write(("\r\n".join(lines) + "\r\n").encode())
    counts = {k: kinds.count(k) for k, _ in RATIO}
    print(" ".join("%s=%d" % kv for kv in counts.items()))


def cmd_submit(port, d, tag, sessions="2"):
    files = sorted(glob.glob(os.path.join(d, "*.eml")))
    sessions = max(1, int(sessions))
    msgs = []
    for path in files:
        with open(path, "rb") as f:
            m = f.read()
        base = os.path.basename(path)[:-4]
        m = re.sub(rb"^Message-ID: <[^>]*>", b"Message-ID: <%s.%s@bench.example.org>" % (base.encode(), tag.encode()),
                   m, count=1, flags=re.M)
        m = m.replace(b"\r\nDate: DATE\r\n", b"\r\nDate: %s\r\n" % formatdate(localtime=True).encode(), 1)
        msgs.append(m)
    errors = []

    def worker(k):
        s = smtplib.SMTP("127.0.0.1", int(port), local_hostname="client.example.org", timeout=120)
        try:
            s.ehlo()
            for m in msgs[k::sessions]:
                try:
                    s.sendmail("sender@example.com", ["rcpt@example.net"], m)
                except smtplib.SMTPException as e:
                    errors.append(str(e))
            s.quit()
        except Exception as e:  # noqa: BLE001 - reported, exit 1
            errors.append(str(e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("sent=%d seconds=%.3f errors=%d" % (len(msgs) - len(errors), time.monotonic() - t0, len(errors)))
    for e in errors[:5]:
        print("error: %s" % e, file=sys.stderr)
    return 1 if errors else 0


def rollup(pid):
    rss = pss = 0
    try:
        with open("/proc/%s/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        with open("/proc/%s/comm" % pid) as f:
            comm = f.read().strip()
    except OSError:
        return None
    return rss, pss, comm


def spawn_service(pid):
    """spawn(8)'s service, from its command line "spawn -n 127.0.0.1:PORT ...": the port"""
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            args = f.read().decode("ascii", "replace").split("\0")
    except OSError:
        return None
    for i, a in enumerate(args[:-1]):
        if a == "-n":
            return args[i + 1].rsplit(":", 1)[-1]
    return None


def cmd_memwatch(cgdir, interval, out):
    interval = float(interval)
    with open(out, "a", buffering=1) as o:
        while True:
            t = time.time()
            lines = []
            for g in sorted(os.listdir(cgdir)):
                p = os.path.join(cgdir, g, "cgroup.procs")
                if not os.path.isfile(p):
                    continue
                try:
                    with open(p) as f:
                        pids = f.read().split()
                except OSError:
                    continue
                tot = [0, 0, 0]
                biggest = [0, 0]
                spawn = {}
                for pid in pids:
                    v = rollup(pid)
                    if v is None:
                        continue
                    rss, pss, comm = v
                    tot = [tot[0] + rss, tot[1] + pss, tot[2] + 1]
                    biggest = [max(biggest[0], rss), max(biggest[1], pss)]
                    if comm == "spawn":
                        port = spawn_service(pid)
                        if port:
                            s = spawn.setdefault(port, [0, 0, 0])
                            s[0], s[1], s[2] = s[0] + rss, s[1] + pss, s[2] + 1
                lines.append("%.3f %s %d %d %d" % (t, g, *tot))
                lines.append("%.3f max-%s %d %d %d" % (t, g, biggest[0], biggest[1], tot[2]))
                for port, v in spawn.items():
                    lines.append("%.3f spawn-%s %d %d %d" % (t, port, *v))
            o.write("\n".join(lines) + "\n")
            time.sleep(max(0.05, interval - (time.time() - t)))


def cmd_mempeak(out, t0, t1, *specs):
    t0, t1 = float(t0), float(t1)
    samples = {}
    with open(out) as f:
        for line in f:
            p = line.split()
            if len(p) != 5:
                continue
            t = float(p[0])
            if t0 <= t <= t1:
                samples.setdefault(p[0], {})[p[1]] = (int(p[2]), int(p[3]), int(p[4]))
    for spec in specs:
        groups = spec.split("+")
        best_rss = best_pss = 0
        for s in samples.values():
            rss = sum(s.get(g, (0, 0, 0))[0] for g in groups)
            pss = sum(s.get(g, (0, 0, 0))[1] for g in groups)
            best_rss, best_pss = max(best_rss, rss), max(best_pss, pss)
        print(best_rss, best_pss)


def read_from(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(int(offset))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


MSGID_RE = re.compile(r"^Message-ID:\s*<([^>]*)>", re.I | re.M)
FLAG_RE = re.compile(r"^X-Spam-Flag:\s*(\S+)", re.I | re.M)


def header_of(path):
    with open(path, "rb") as f:
        data = f.read(256 * 1024).decode("utf-8", "replace")
    end = data.find("\r\n\r\n")
    if end < 0:
        end = data.find("\n\n")
    return data if end < 0 else data[:end]


def cmd_verdicts(kind, log, maillog, offset, sink, qdir, tag, hooks):
    suffix = "." + tag + "@bench.example.org"
    seen = {}      # base -> [verdict, flags, qcopies]

    def entry(base):
        return seen.setdefault(base, ["missing", [], 0])

    for path in glob.glob(os.path.join(sink, "*.eml")):
        h = header_of(path)
        m = MSGID_RE.search(h)
        if not m or not m.group(1).endswith(suffix):
            continue
        e = entry(m.group(1)[:-len(suffix)])
        e[0] = "pass"
        f = FLAG_RE.search(h)
        e[1].append(f.group(1).upper() if f else "-")
    if kind == "amavis":
        for m in re.finditer(r"Blocked (INFECTED|SPAM)\b[^\n]*?Message-ID: <([^>]*)>", read_from(log, 0)):
            if m.group(2).endswith(suffix):
                e = entry(m.group(2)[:-len(suffix)])
                e[0] = "discard-virus" if m.group(1) == "INFECTED" else "discard-spam"
    else:
        names = hooks.split(",")
        qid_msgid = dict(re.findall(r"postfix/cleanup\[\d+\]: ([0-9A-Za-z]+): message-id=<([^>]*)>",
                                    read_from(maillog, offset)))
        for m in re.finditer(r"\]: ([0-9A-Za-z]+): from=<[^\n]*?verdict=discard, hook=([0-9,]+),", read_from(log, 0)):
            msgid = qid_msgid.get(m.group(1), "")
            if not msgid.endswith(suffix):
                continue
            decider = names[len(m.group(2).split(",")) - 1] if len(m.group(2).split(",")) <= len(names) else "?"
            e = entry(msgid[:-len(suffix)])
            e[0] = "discard-virus" if decider == "clamav" else "discard-spam"
    for path in glob.glob(os.path.join(qdir, "*")):
        try:
            h = header_of(path)
        except OSError:
            continue
        for m in MSGID_RE.finditer(h):
            if m.group(1).endswith(suffix):
                entry(m.group(1)[:-len(suffix)])[2] += 1
                break
    for base in sorted(seen):
        v, flags, q = seen[base]
        flag = flags[0] if len(flags) == 1 else ("dup%d" % len(flags) if flags else "-")
        print(base, v, flag, q)


def cmd_timing(log, offset):
    n = 0
    sa = av = total = 0.0
    for line in read_from(log, offset).splitlines():
        m = re.search(r"TIMING \[total (\d+) ms[^\]]*\] - (.*)", line)
        if not m:
            continue
        n += 1
        total += float(m.group(1))
        for name, ms in re.findall(r"([^,:]+): ([0-9.]+) \(", m.group(2)):
            name = name.strip()
            if name.startswith("SA "):
                sa += float(ms)
            elif name.startswith("AV-scan-"):
                av += float(ms)
    print("n=%d sa_ms=%.1f av_ms=%.1f total_ms=%.1f" % (n, sa, av, total))


def cmd_delays(maillog, offset, port):
    ds = []
    pat = re.compile(r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:%s, .*delays=[0-9.]+/[0-9.]+/[0-9.]+/([0-9.]+)," % port)
    for line in read_from(maillog, offset).splitlines():
        m = pat.search(line)
        if m:
            ds.append(float(m.group(1)))
    if ds:
        print("n=%d d_mean=%.3f d_max=%.2f" % (len(ds), sum(ds) / len(ds), max(ds)))
    else:
        print("n=0 d_mean=0 d_max=0")


def main():
    cmds = {"corpus": cmd_corpus, "submit": cmd_submit, "memwatch": cmd_memwatch, "mempeak": cmd_mempeak,
            "verdicts": cmd_verdicts, "timing": cmd_timing, "delays": cmd_delays}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    return cmds[sys.argv[1]](*sys.argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main())
