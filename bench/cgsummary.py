#!/usr/bin/python3
"""bench/cgsummary.py -- read callgrind output files (one event: Ir) without
callgrind_annotate, for bench/callgrind.sh.

    cgsummary.py total FILE
        the program's total instructions
    cgsummary.py objects FILE
        self instructions per shared object (ld.so, libc, libstdc++, ...)
    cgsummary.py top FILE [K]
        the K (30) functions with the most self instructions
    cgsummary.py diff FILE_A FILE_B DIVISOR [K]
        (self instructions in B - in A) / DIVISOR per function: with A a
        session of 1 message, B one of 100 and DIVISOR 99, what each
        function costs per additional message

Self instructions are those executed in the function's own code (the cost
lines of the function, not those after a calls= line, which are inclusive
costs of the callee).
"""
import collections
import re
import sys

NAMED = re.compile(r"^\((\d+)\)(?: (.*))?$")


def parse(path):
    names = {}          # (kind, id) -> name; kind: ob, fl, fn
    kind_of = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl",
               "cfi": "fl", "cfl": "fl", "fn": "fn", "cfn": "fn"}
    self_cost = collections.Counter()    # (object, function) -> Ir
    total = None
    ob = "???"
    fn = "???"
    after_calls = False

    def name(key, value):
        m = NAMED.match(value)
        if not m:
            return value
        k = (kind_of[key], m.group(1))
        if m.group(2) is not None:
            names[k] = m.group(2)
        return names.get(k, "???")

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line[0] == "#":
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if after_calls:       # the inclusive cost of the call just named
                    after_calls = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    self_cost[(ob, fn)] += int(parts[1])
                continue
            key, sep, value = line.partition("=")
            if sep and key in kind_of:
                n = name(key, value)
                if key == "ob":
                    ob = n
                elif key == "fn":
                    fn = n
                continue
            if sep and key == "calls":
                after_calls = True
                continue
            if line.startswith("totals:") or line.startswith("summary:"):
                v = int(line.split(":", 1)[1].split()[0])
                if line.startswith("totals:") or total is None:
                    total = v
    if total is None:
        total = sum(self_cost.values())
    return total, self_cost


def short_obj(o):
    return o.rsplit("/", 1)[-1]


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == "total":
        print(parse(a[1])[0])
    elif cmd == "objects":
        total, sc = parse(a[1])
        per = collections.Counter()
        for (o, _), v in sc.items():
            per[short_obj(o)] += v
        print("| object | self Ir | share |")
        print("|---|---:|---:|")
        for o, v in per.most_common():
            print("| %s | %d | %.1f%% |" % (o, v, 100.0 * v / total))
    elif cmd == "top":
        total, sc = parse(a[1])
        k = int(a[2]) if len(a) > 2 else 30
        print("| self Ir | share | function | object |")
        print("|---:|---:|---|---|")
        for (o, fn), v in sc.most_common(k):
            print("| %d | %.1f%% | `%s` | %s |" % (v, 100.0 * v / total, fn[:110], short_obj(o)))
    elif cmd == "diff":
        ta, sa = parse(a[1])
        tb, sb = parse(a[2])
        div = float(a[3])
        k = int(a[4]) if len(a) > 4 else 30
        per_msg = (tb - ta) / div
        d = collections.Counter()
        for key in set(sa) | set(sb):
            d[key] = (sb.get(key, 0) - sa.get(key, 0)) / div
        print("| self Ir per message | share | function | object |")
        print("|---:|---:|---|---|")
        for (o, fn), v in d.most_common(k):
            if v <= 0:
                break
            print("| %.0f | %.1f%% | `%s` | %s |" % (v, 100.0 * v / per_msg, fn[:110], short_obj(o)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
