#!/usr/bin/env python3
"""t_02_docs.sh's checks: README.md's one table each of commands, options, exit codes and report fields
against what the program really prints, returns and writes, and the manual page rendered from them.

    docscheck.py README.md HELPDIR REPORT.json SRCDIR MANTEXT

HELPDIR holds `siocrypt --help` as siocrypt.txt and `siocrypt C --help` as C.txt for each command C it
lists; MANTEXT is `man -l` of the page. One line per problem, naming exactly what is missing where, then
exit 1; the tables are read with mkman.py's reader (harness/scripts), the same the page is made with."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import mkman  # noqa: E402

# objects whose keys are data, not fields: their keys are not documented one by one
DATA_KEYED = {"errors"}
# objects documented down to their members' names only (their members are serialised internals)
SHALLOW = {"histograms"}


def commands_of(help_text):
    """The commands `siocrypt --help` lists: lines '  name  summary' after 'commands:'."""
    out, on = [], False
    for line in help_text.splitlines():
        if line.strip() == "commands:":
            on = True
            continue
        if on:
            m = re.match(r"^  ([a-z][a-z0-9-]*)\s{2,}\S", line)
            if m:
                out.append(m.group(1))
            elif not line.strip():
                on = False
    return out


def flatten(obj, prefix=""):
    """Dotted keys of every object member, not descending into arrays, DATA_KEYED or below SHALLOW.x."""
    keys = []
    for k, v in obj.items():
        path = prefix + k
        keys.append(path)
        top = path.split(".")[0]
        if isinstance(v, dict) and top not in DATA_KEYED and not (top in SHALLOW and "." in path):
            keys += flatten(v, path + ".")
    return keys


def expand(cell):
    """Field names in a report-fields cell: `a{b,c}{d}` -> a, a.b, a.b.d, a.c, a.c.d; a span that is only
    `{x,y}` applies to each bare name before it in the cell."""
    names, bare = set(), []
    for span in re.findall(r"`([^`]*)`", cell):
        parts = re.findall(r"\{([^}]*)\}", span)
        base = span.split("{")[0].strip()
        if not base:
            targets = bare
            bare = []
        else:
            targets = [base]
            names.add(base)
            if not parts:
                bare.append(base)
        level = targets
        for group in parts:
            nxt = []
            for t in level:
                for member in group.split(","):
                    member = member.strip()
                    if member:
                        names.add(t + "." + member)
                        nxt.append(t + "." + member)
            level = nxt
    return names


def exit_codes(srcdir):
    """Exit codes the code returns: literal `return N;` and `? N : M` in return statements of cli/main.c
    and cli/cmd_*.c (the commands and what they return; their helpers' 0 and 1 are among them anyway),
    `exit(N)` anywhere (not a forked child's `_exit`), and what result.c puts in exit_code."""
    codes = {}
    for root, _, files in os.walk(srcdir):
        for f in files:
            if not f.endswith(".c"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, srcdir)
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                found = []
                cmd_file = re.fullmatch(r"cli/(main|cmd_\w+)\.c", rel.replace(os.sep, "/"))
                m = re.search(r"\breturn\b([^;]*);", line) if cmd_file else None
                if m:
                    expr = m.group(1)
                    found += re.findall(r"^\s*(\d+)\s*$", expr)
                    if "?" in expr:             # the branches of a ternary: ? N and : N
                        found += re.findall(r"[?:]\s*\(?\s*(\d+)\b", expr)
                if "exit_code =" in line:
                    found += re.findall(r"\b(\d+)\b", line.split("exit_code =", 1)[1])
                found += re.findall(r"(?<![_\w])exit\((\d+)\)", line)
                for c in found:
                    codes.setdefault(int(c), f"{rel}:{n}")
    return codes


def main(argv):
    readme, helpdir, report, srcdir, mantext = argv[1:6]
    t = mkman.tables(open(readme, encoding="utf-8").read())
    bad = []
    helps = {}
    for f in os.listdir(helpdir):
        if f.endswith(".txt"):
            helps[f[:-4]] = open(os.path.join(helpdir, f), encoding="utf-8").read()
    cmds = commands_of(helps["siocrypt"])
    if not cmds:
        bad.append("siocrypt --help lists no commands (its format changed?)")

    # commands
    table_cmds = [m.group(1) for r in t["commands"] for m in [re.match(r"`siocrypt ([a-z][a-z0-9-]*)", r[0])] if m]
    for c in cmds:
        if c not in table_cmds:
            bad.append(f"commands table: no row for `siocrypt {c}` (siocrypt --help lists it)")
    for c in table_cmds:
        if c not in cmds:
            bad.append(f"commands table: `siocrypt {c}` is not a command siocrypt --help lists")

    # options, per command
    rows = mkman.option_rows(t["options"])
    for c in ["siocrypt"] + cmds:
        if c not in helps:
            bad.append(f"no help text for {c} (siocrypt {c} --help failed?)")
            continue
        printed = mkman.option_tokens(helps[c])
        documented = set()
        for rc, cell, _ in rows:
            if c in rc or "all" in rc:
                documented |= mkman.option_tokens(cell)
        missing = sorted(printed - documented)
        who = "siocrypt --help" if c == "siocrypt" else f"siocrypt {c} --help"
        if missing:
            hint = "a row without a bold prefix (run's)" if c == "run" else f"a row `| **{c}** ... |`"
            bad.append(f"options table: {who} prints {', '.join(missing)}, not in {hint}")
        own = set()
        for rc, cell, _ in rows:
            if c in rc:
                own |= mkman.option_tokens(cell)
        stale = sorted(own - printed)
        if stale:
            bad.append(f"options table: rows for {c} name {', '.join(stale)}, which {who} does not print")
    for rc, cell, _ in rows:
        for c in rc:
            if c not in cmds and c not in ("all", "siocrypt"):
                bad.append(f"options table: row '{cell}' is for '{c}', not a command")

    # exit codes
    used = exit_codes(srcdir)
    table_codes = set()
    for r in t["exit"]:
        if re.fullmatch(r"\d+", r[0]):
            table_codes.add(int(r[0]))
        else:
            bad.append(f"exit codes table: '{r[0]}' is not a number")
    for c in sorted(set(used) - table_codes):
        bad.append(f"exit codes table: no row for {c} (returned at {used[c]})")
    for c in sorted(table_codes - set(used)):
        bad.append(f"exit codes table: {c} is in the table but no code returns it")

    # report fields
    rep = json.load(open(report, encoding="utf-8"))
    documented = set()
    for r in t["fields"]:
        documented |= expand(r[0])
    missing = [k for k in flatten(rep) if k not in documented]
    if missing:
        bad.append(f"report fields table: report.json has {', '.join(missing)}, not in the table")

    # the manual page holds every command and option
    man = open(mantext, encoding="utf-8").read()
    for c in cmds:
        if not re.search(r"\bsiocrypt " + re.escape(c) + r"\b", man):
            bad.append(f"man page: no `siocrypt {c}`")
    every = set()
    for c, h in helps.items():
        every |= mkman.option_tokens(h)
    for o in sorted(every):
        if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", man):
            bad.append(f"man page: option {o} is not in it")
    for sec in ("NAME", "SYNOPSIS", "OPTIONS", "EXIT STATUS", "REPORT FIELDS"):
        if not re.search(r"^" + sec + r"$", man, re.M):
            bad.append(f"man page: no {sec} section")

    for b in bad:
        print("docs: " + b, file=sys.stderr)
    print(f"docs: {len(cmds)} commands, {sum(len(mkman.option_tokens(h)) for h in helps.values())} options "
          f"printed, exit codes {sorted(used)}, {len(flatten(rep))} report fields; {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
