#!/usr/bin/python3
"""recipe.py -- the postconf recipes of examples/PLACEMENT/postconf.sh: read
them, apply them to a private Postfix instance, and check that the README
and spoolgate(8) show them unchanged.

    recipe.py show RECIPE
    recipe.py apply CONFIG_DIR RECIPE [OLD NEW]...
    recipe.py docs SOURCE_DIR

show: each command of RECIPE on one line, as its words (JSON), to see what
the others read.

apply: runs each command of RECIPE as "postconf -c CONFIG_DIR OPTION
WORD...", never through a shell, after replacing the text OLD by NEW in
every word (in the order given). Each OLD must occur in RECIPE, or nothing
is run: the recipe no longer has what the caller adapts.

docs: every postconf command shown in README and in man/spoolgate.8 (as
typed at a shell: "postconf" at the start of a line, continued with a
backslash) must belong to one of the recipes, and each recipe's commands
must be shown in each document together, in its order. The manual page is
read twice: its source, and as groff renders it for a reader to copy
(where groff is installed).

A recipe holds postconf commands only (-e, -M, -F, -P), a word in single
quotes or none, comments, a first "#!" line and "set -e": anything else is
refused, so that applying a recipe can never run another command.
Exit: 0 done or agreeing, 1 not (what differs on stderr), 2 bad usage or
a recipe of another form. Python 3 standard library only.
"""
import json
import os
import re
import shlex
import subprocess
import sys

PLACEMENTS = ["after-queue", "before-queue", "simple"]
OPTIONS = {"-e", "-M", "-F", "-P"}


class RecipeError(Exception):
    pass


def split_commands(text, where):
    """The commands of a shell text of the recipe's form, each a list of
    words; blank and comment lines skipped, backslash-newline joined."""
    commands, words, word, in_word = [], [], [], False
    i, n, line = 0, len(text), 1

    def end_word():
        nonlocal word, in_word
        if in_word:
            words.append("".join(word))
        word, in_word = [], False

    while i < n:
        c = text[i]
        if c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise RecipeError("%s:%d: unmatched quote" % (where, line))
            if "\n" in text[i:j]:
                raise RecipeError("%s:%d: a quoted word spans lines" % (where, line))
            word.append(text[i + 1:j])
            in_word, i = True, j + 1
        elif c == "\\" and i + 1 < n and text[i + 1] == "\n":
            end_word()
            i, line = i + 2, line + 1
        elif c == "#" and not in_word:
            while i < n and text[i] != "\n":
                i += 1
        elif c == "\n":
            end_word()
            if words:
                commands.append((line, words))
            words, i, line = [], i + 1, line + 1
        elif c in " \t":
            end_word()
            i += 1
        elif c in "\"\\`;&|<>(){}":
            raise RecipeError("%s:%d: %r: only single quotes and plain words, please" % (where, line, c))
        else:
            word.append(c)
            in_word, i = True, i + 1
    end_word()
    if words:
        commands.append((line, words))
    return commands


def postconf_commands(commands, where, allow_set_e):
    """The postconf commands as (option, [word...]); refuses anything else."""
    out = []
    for line, words in commands:
        if allow_set_e and words == ["set", "-e"]:
            continue
        if words[0] != "postconf" or len(words) < 3 or words[1] not in OPTIONS:
            raise RecipeError("%s:%d: not a postconf -e/-M/-F/-P command: %s" % (where, line, " ".join(words)))
        out.append((words[1], words[2:]))
    return out


def read_recipe(path):
    text = open(path, encoding="utf-8").read()
    if text.startswith("#!"):
        text = "\n" + text.split("\n", 1)[1]
    return postconf_commands(split_commands(text, path), path, True)


def canonical(cmd):
    """A command as postconf reads it: white space inside a word counts once."""
    opt, words = cmd
    return (opt,) + tuple(re.sub(r"\s+", " ", w).strip() for w in words)


# groff escapes that may stand in a shown command, and what they print
GROFF = [("\\(aq", "'"), ("\\(dq", '"'), ("\\-", "-"), ("\\e", "\\"), ("\\&", "")]


def rendered(path):
    """The manual page as a reader sees it (no overstriking, wide lines), or
    None without groff."""
    try:
        r = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", "-rLL=250n", path],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except FileNotFoundError:
        return None
    return r.stdout if r.returncode == 0 else None


def doc_commands(path, text=None):
    """The postconf commands shown in a document (its source, or TEXT as
    rendered), in order."""
    is_man = path.endswith(".8") and text is None
    lines = (text if text is not None else open(path, encoding="utf-8").read()).split("\n")
    found, i = [], 0
    while i < len(lines):
        if re.match(r"\s*postconf\s", lines[i]):
            start, block = i + 1, [lines[i]]
            while block[-1].rstrip().endswith("\\e" if is_man else "\\") and i + 1 < len(lines):
                i += 1
                block.append(lines[i])
            text = "\n".join(block)
            if is_man:
                for esc, plain in GROFF:
                    text = text.replace(esc, plain)
                if re.search(r"\\[^\n]", text):
                    raise RecipeError("%s:%d: a groff escape recipe.py does not know" % (path, start))
            where = "%s:%d" % (path, start)
            found += [(start, c) for c in postconf_commands(split_commands(text + "\n", where), where, False)]
        i += 1
    return found


def check_docs(src):
    recipes = {p: [canonical(c) for c in read_recipe(os.path.join(src, "examples", p, "postconf.sh"))]
               for p in PLACEMENTS}
    bad = 0
    man = os.path.join("man", "spoolgate.8")
    docs = [("README", None), (man, None)]
    text = rendered(os.path.join(src, man))
    if text is None:
        print("%s: groff not found or failed: the rendered page is not checked" % man)
    else:
        docs.append((man, text))
    for doc, text in docs:
        shown = doc_commands(os.path.join(src, doc), text)
        if text is not None:
            doc += " (as rendered)"
        cmds = [canonical(c) for _, c in shown]
        covered = [False] * len(cmds)
        for p, want in recipes.items():
            at = [k for k in range(len(cmds) - len(want) + 1) if cmds[k:k + len(want)] == want]
            if not at:
                print("%s: does not show the commands of examples/%s/postconf.sh together, in order" % (doc, p),
                      file=sys.stderr)
                bad = 1
            for k in at:
                covered[k:k + len(want)] = [True] * len(want)
            if at:
                print("%s: examples/%s/postconf.sh shown at line %s" % (doc, p, ", ".join(str(shown[k][0]) for k in at)))
        for (line, _), c, ok in zip(shown, cmds, covered):
            if not ok:
                print("%s:%d: a postconf command of no recipe, or out of its recipe's order: %s"
                      % (doc, line, " ".join(c)), file=sys.stderr)
                bad = 1
    return bad


def apply(confdir, path, subs):
    cmds = read_recipe(path)
    every = "\n".join(w for _, words in cmds for w in words)
    for old, _ in subs:
        if old not in every:
            raise RecipeError("%s: nothing to adapt: %r does not occur in it" % (path, old))
    for opt, words in cmds:
        for old, new in subs:
            words = [w.replace(old, new) for w in words]
        argv = ["postconf", "-c", confdir, opt] + words
        print("recipe: " + " ".join(shlex.quote(a) for a in argv))
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0 or r.stdout.strip():
            print("recipe: postconf failed or complained: %s" % r.stdout.strip(), file=sys.stderr)
            return 1
    return 0


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "show":
            for opt, words in read_recipe(argv[2]):
                print(json.dumps([opt] + words))
            return 0
        if len(argv) >= 4 and argv[1] == "apply" and len(argv) % 2 == 0:
            subs = list(zip(argv[4::2], argv[5::2]))
            return apply(argv[2], argv[3], subs)
        if len(argv) == 3 and argv[1] == "docs":
            return check_docs(argv[2])
    except RecipeError as e:
        print("recipe.py: %s" % e, file=sys.stderr)
        return 2
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
