#!/usr/bin/env bash
# README.md's tables against the program, and the manual page made from them (harness/tests/docscheck.py):
# every command and option the --help texts print is in the commands and options tables (and no row names
# one that is gone), every exit code the code returns is in the exit codes table, every field of a real
# report.json (a smoke run against the local server) is in the report fields table; `make install` with
# DESTDIR puts bin/siocrypt and share/man/man1/siocrypt.1 in place, the page is what mkman.py makes of
# this README now, groff renders it without a warning and `man -l` shows every command and option.
source "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
mkdir -p "$TMP/help"
"$SIOCRYPT" --help >"$TMP/help/siocrypt.txt" || fail "siocrypt --help failed"
for c in $(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\)  .*/\1/p' "$TMP/help/siocrypt.txt"); do
    "$SIOCRYPT" "$c" --help >"$TMP/help/$c.txt" 2>&1 || fail "siocrypt $c --help failed"
done
[ -s "$TMP/help/run.txt" ] || fail "siocrypt --help lists no run command"

# install into a scratch root (the build is already there: only the page is made)
make -s --no-print-directory install BUILD="$BUILD" DESTDIR="$TMP/root" PREFIX=/usr/local >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "make install failed"; }
page=$TMP/root/usr/local/share/man/man1/siocrypt.1
[ -x "$TMP/root/usr/local/bin/siocrypt" ] || fail "make install: no executable bin/siocrypt"
[ -f "$page" ] || fail "make install: no share/man/man1/siocrypt.1"
python3 harness/scripts/mkman.py README.md harness/src/base/version.h >"$TMP/fresh.1"
cmp -s "$page" "$TMP/fresh.1" || fail "the installed page is not what mkman.py makes of README.md now"
groff -man -Tutf8 -ww -z "$page" 2>"$TMP/groff.err" || fail "groff failed on the page"
[ ! -s "$TMP/groff.err" ] || { cat "$TMP/groff.err" >&2; fail "groff warns on the page"; }
MANWIDTH=80 man --warnings -l "$page" >"$TMP/man.txt" 2>"$TMP/man.err" || fail "man -l failed"
[ ! -s "$TMP/man.err" ] || { cat "$TMP/man.err" >&2; fail "man -l warns on the page"; }
grep -q '^SIOCRYPT(1)' "$TMP/man.txt" || fail "man -l: no SIOCRYPT(1) header"

start_server
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --url "$SERVER_URL" --quiet --out "$TMP/smoke"
python3 harness/tests/docscheck.py README.md "$TMP/help" "$TMP/smoke/report.json" harness/src "$TMP/man.txt" ||
    fail "README's tables do not match the program (each line above names what is missing)"
echo "ok: commands, options, exit codes and report fields documented; man page installs and renders"
