#!/usr/bin/env python3
"""textcheck.py DIR [TERMINAL_CAPTURE...]: the text of a run's output is safe.

DIR's report.json is strict UTF-8 JSON (no invalid bytes, no lone surrogates, even escaped), junit.xml is
well-formed XML 1.0 (expat refuses invalid UTF-8 and forbidden characters, even as references),
report.html and summary.md are valid UTF-8 without control characters; each TERMINAL_CAPTURE (what the
harness wrote to stdout/stderr) is valid UTF-8 with no ESC, no other C0 control but LF and TAB, no C1.
Prints one line per problem and exits 1 when there is any."""
import json
import os
import sys
import xml.dom.minidom

problems = []


def utf8(path):
    data = open(path, 'rb').read()
    try:
        return data.decode('utf-8', errors='strict')
    except UnicodeDecodeError as e:
        problems.append('%s: invalid UTF-8 at byte %d: %r' % (path, e.start, data[max(0, e.start - 20):e.start + 8]))
        return None


def no_controls(path, text):
    for i, ch in enumerate(text):
        c = ord(ch)
        if (c < 0x20 and ch not in '\n\t') or 0x7f <= c <= 0x9f:
            problems.append('%s: control character U+%04X at %d: %r' % (path, c, i, text[max(0, i - 20):i + 8]))
            return


def strings_of(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from strings_of(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings_of(x)


def check_json(path):
    text = utf8(path)
    if text is None:
        return
    try:
        doc = json.loads(text)
    except ValueError as e:
        problems.append('%s: not JSON: %s' % (path, e))
        return
    for s in strings_of(doc):
        try:
            s.encode('utf-8', errors='strict')
        except UnicodeEncodeError:
            problems.append('%s: a string holds a lone surrogate: %r' % (path, s[:60]))
        no_controls(path, s.replace('\n', ' ').replace('\t', ' '))


def check_xml(path):
    try:
        xml.dom.minidom.parse(path)
    except Exception as e:  # expat's errors
        problems.append('%s: not well-formed XML: %s' % (path, e))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    check_json(os.path.join(d, 'report.json'))
    check_xml(os.path.join(d, 'junit.xml'))
    for name in ('summary.md', 'report.html'):
        p = os.path.join(d, name)
        t = utf8(p)
        if t is not None:
            no_controls(p, t)
    for p in sys.argv[2:]:
        t = utf8(p)
        if t is not None:
            no_controls(p, t)
    for p in problems:
        print('textcheck: ' + p)
    sys.exit(1 if problems else 0)


main()
