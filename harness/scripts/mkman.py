#!/usr/bin/env python3
"""mkman: siocrypt(1) from README.md, the one source, so the manual page and the README cannot drift.

    python3 harness/scripts/mkman.py README.md harness/src/base/version.h > build/siocrypt.1

The README's tables are found by their header rows (TABLES below): the commands (SYNOPSIS, DESCRIPTION),
the options (OPTIONS; a row whose first cell starts with a bold command name, **merge**, belongs to that
command, **all** to every one, the others to `run`), the exit codes (EXIT STATUS) and the report fields
(REPORT FIELDS). Markdown inside cells (`code`, **bold**, [links](#x), \\| escapes) becomes roff; every
character outside ASCII becomes a groff \\[uXXXX] escape, so the page needs no preconv.
harness/tests/t_02_docs.sh imports the table reader (tables, option_rows) for its own checks."""
import re
import sys

TABLES = {
    "commands": "| command | does |",
    "options": "| option | meaning |",
    "exit": "| exit code | meaning |",
    "fields": "| report field | meaning |",
}


def split_row(line):
    """The cells of one markdown table row; '\\|' is a '|' inside a cell."""
    cells, cur, i, body = [], "", 0, line.strip()[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cur += "|"
            i += 2
            continue
        if body[i] == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += body[i]
        i += 1
    cells.append(cur.strip())
    return cells


def tables(text):
    """{name: [row cells, ...]} for each table of TABLES; a missing or doubled table is an error."""
    lines = text.splitlines()
    out = {}
    for name, header in TABLES.items():
        at = [i for i, l in enumerate(lines) if l.strip() == header]
        if len(at) != 1:
            raise SystemExit(f"mkman: README has {len(at)} tables headed '{header}' (want exactly one)")
        rows = []
        for l in lines[at[0] + 2:]:
            if not l.startswith("|"):
                break
            rows.append(split_row(l))
        out[name] = rows
    return out


def option_rows(rows):
    """[(commands, cell, meaning)]: the bold command prefix of an options row taken apart."""
    out = []
    for r in rows:
        m = re.match(r"\*\*([^*]+)\*\*\s*(.*)$", r[0])
        cmds = [c.strip() for c in m.group(1).split(",")] if m else ["run"]
        out.append((cmds, m.group(2) if m else r[0], r[1] if len(r) > 1 else ""))
    return out


def option_tokens(cell):
    """The option names in an options cell: -x and --long-name, wherever they stand."""
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", cell))


# ---- roff ----

def esc(text):
    """Plain text to roff: backslashes, then characters outside ASCII."""
    text = text.replace("\\", "\\e")
    return "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)


def inline(md):
    """One cell's markdown to roff: `code` bold (with \\- for minus, a break point after each comma),
    **bold**, [text](link) as text."""
    out, pos = [], 0
    for m in re.finditer(r"`([^`]*)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\([^)]*\)", md):
        out.append(esc(md[pos:m.start()]))
        if m.group(1) is not None:
            code = esc(m.group(1)).replace("-", "\\-").replace(",", ",\\:")   # may break after a comma
            out.append("\\fB" + code + "\\fR")
        elif m.group(2) is not None:
            out.append("\\fB" + inline(m.group(2)) + "\\fR")
        else:
            out.append(inline(m.group(3)))
        pos = m.end()
    out.append(esc(md[pos:]))
    return "".join(out)


def line(text):
    """A text line as roff input: one starting with . or ' would be a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def intro(text):
    """The README's first paragraph after the title, as one line of markdown."""
    paras = text.split("\n\n")
    return " ".join(paras[1].split())


def render(text, version):
    t = tables(text)
    desc = intro(text)
    name = re.sub(r"[`*]", "", desc.split(":")[0])
    name = re.sub(r"^An? ", "", name)
    o = [".TH SIOCRYPT 1 \"\" \"siocrypt %s\" \"User Commands\"" % esc(version),
         ".\\\" generated from README.md by harness/scripts/mkman.py: edit the README, not this file",
         ".ad l", ".nh",
         ".SH NAME", "siocrypt \\- " + esc(name),
         ".SH SYNOPSIS", ".nf"]
    for r in t["commands"]:
        o.append(line(inline(r[0])))
    o += [".fi", ".SH DESCRIPTION", line(inline(desc)), ".PP",
          "Each command's \\fB\\-\\-help\\fR prints its options."]
    for r in t["commands"]:
        o += [".TP", line(inline(r[0])), line(inline(r[1]))]
    o.append(".SH OPTIONS")
    rows = option_rows(t["options"])
    order = []
    for cmds, _, _ in rows:
        for c in cmds:
            if c not in order:
                order.append(c)
    for c in order:
        o.append(".SS \"%s\"" % (("siocrypt " + c) if c not in ("all", "siocrypt") else
                                 ("every command" if c == "all" else "siocrypt")))
        for cmds, cell, meaning in rows:
            if c == cmds[0]:
                o += [".TP", line(inline(cell)), line(inline(meaning))]
                if len(cmds) > 1:
                    o.append("(%s)" % esc(", ".join(cmds)))
    o.append(".SH EXIT STATUS")
    for r in t["exit"]:
        o += [".TP", "\\fB%s\\fR" % esc(r[0]), line(inline(r[1]))]
    o += [".SH REPORT FIELDS",
          "Every run writes report.json, summary.md, junit.xml, latency.hgrm, latency.hlog and report.html "
          "to its report folder (\\fB\\-\\-out\\fR). report.json's fields:"]
    for r in t["fields"]:
        o += [".TP", line(inline(r[0])), line(inline(r[1]))]
    o += [".SH ENVIRONMENT", ".TP", "\\fBSIOCRYPT_PASSPHRASE\\fR",
          "the passphrase when neither \\fB\\-p\\fR nor \\fB\\-\\-passphrase\\-file\\fR is given",
          ".SH SEE ALSO",
          "README.md in the siocrypt source, from which this page is generated "
          "(scenario fields, error classes, wire notes)."]
    return "\n".join(o) + "\n"


def version_of(path):
    m = re.search(r'#define\s+SIOCRYPT_VERSION\s+"([^"]+)"', open(path, encoding="utf-8").read())
    return m.group(1) if m else "?"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: mkman.py README.md version.h > siocrypt.1\n")
        return 2
    sys.stdout.write(render(open(argv[1], encoding="utf-8").read(), version_of(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
