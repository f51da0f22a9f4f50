#!/usr/bin/env bash
# Headers, per-client tokens and auth (issue 10), against the real socket.io 4 server (server/counter.js's
# gate refuses, with 403, every HTTP request and websocket upgrade without the credentials it wants):
#  1. -H 'Authorization: Bearer ...' (and target.headers) reaches the server on every polling GET and POST
#     and on the websocket upgrade: every round trip verified over websocket, polling and upgrade; without
#     it, or with a wrong token, every client fails as `handshake` with the server's 403 in the detail;
#  2. per-client credentials: a headers file (-H @FILE, target.headers_file; client i sends line i), and
#     {{client}} in a header, in the query (--url and target.query) and in the v5 auth object: the server
#     accepts only the file's tokens and t<N>/a<N> patterns, and logs what each client sent, which must pair
#     up per client (client N: line N, tN, cN, aN);
#  3. a server that refuses the auth (CONNECT_ERROR "Not authorized": 44{"message":...} from socket.io 4,
#     44"..." from socket.io 2 on EIO3) is a `handshake` error whose detail carries the message;
#  4. bad headers are usage errors (exit 2, no report folder): no colon, bad names, CR/LF/control bytes,
#     headers siocrypt sets itself, empty values, too long, a short or missing headers file.
source "$(dirname "$0")/lib.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT


# run_ok DESC OUT CLIENTS ARGS...: every round trip verified (CLIENTS x 5)
run_ok() {
    local desc=$1 out=$2 n=$3; shift 3
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients "$n" --messages 5 --out "$TMP/$out" --quiet "$@"
    [ "$(jqr "$TMP/$out/report.json" .messages.verified)" = $((n * 5)) ] || fail "$desc: not every round trip verified"
    echo "ok $desc"
}

# run_refused DESC OUT DETAIL ARGS...: both clients fail their handshake, the detail holds DETAIL
run_refused() {
    local desc=$1 out=$2 want=$3; shift 3
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 5 --out "$TMP/$out" --quiet "$@"
    local r="$TMP/$out/report.json"
    [ "$(jqr "$r" '.errors.handshake // 0')" = 2 ] || fail "$desc: errors $(jq -c .errors "$r")"
    [ "$(jqr "$r" '.errors | length')" = 1 ] || fail "$desc: other error classes $(jq -c .errors "$r")"
    local detail
    detail=$(jqr "$r" '.error_details[0].detail')
    case $detail in *"$want"*) ;; *) fail "$desc: detail '$detail' does not hold '$want'" ;; esac
    echo "ok $desc: handshake x 2 ($detail)"
}

# 1. one bearer token for every client
serve bearer server REQUIRE_BEARER=s3cr3t
b=$port
cat >"$TMP/hdr.json" <<JSON
{ "name": "hdr", "target": { "url": "http://127.0.0.1:$b", "headers": { "Authorization": "Bearer s3cr3t" } },
  "clients": 2, "messages": 5 }
JSON
for t in websocket polling upgrade; do
    run_ok "-H bearer over $t" "b-$t" 2 --url "http://127.0.0.1:$b" --transport "$t" -H 'Authorization: Bearer s3cr3t'
    expect_exit 0 "$SIOCRYPT" run "$TMP/hdr.json" --transport "$t" --out "$TMP/bs-$t" --quiet
    [ "$(jqr "$TMP/bs-$t/report.json" .messages.verified)" = 10 ] || fail "target.headers over $t: not verified"
    echo "ok target.headers bearer over $t"
    if [ "$t" = websocket ]; then want="HTTP 403"; else want="GET HTTP 403: token or host refused"; fi
    run_refused "no bearer over $t" "bn-$t" "$want" --url "http://127.0.0.1:$b" --transport "$t"
    run_refused "wrong bearer over $t" "bw-$t" "$want" --url "http://127.0.0.1:$b" --transport "$t" \
        --header 'Authorization: Bearer s3cr3tX'
done
# the upgrade request carried the header too: the server's gate checks it, and the websocket took over
[ "$(jqr "$TMP/b-upgrade/report.json" .upgrade_ms.count)" = 2 ] || fail "upgrade: the websocket did not take over"
echo "ok the upgrade request carried the bearer (2 upgrades)"
! grep -rq s3cr3t "$TMP"/b-* "$TMP"/bs-* || fail "a bearer token is written in a report"
echo "ok the bearer token stays out of reports"

# 2. per-client tokens: a file of pre-issued bearer tokens, {{client}} in a header, the query and auth
n=4
: >"$TMP/accepted"
: >"$TMP/tokens.txt"
for i in $(seq 0 $((n - 1))); do
    tok=$(printf 'tok-%d-%s' "$i" "$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')")
    echo "$tok" >>"$TMP/accepted"
    printf 'Authorization:   Bearer %s\r\n' "$tok" >>"$TMP/tokens.txt"   # CRLF and blanks: trimmed
done
echo >>"$TMP/tokens.txt"   # a trailing empty line is no header
serve per server REQUIRE_BEARER_FILE="$TMP/accepted" REQUIRE_TOKEN_RE='t[0-9]+' REQUIRE_AUTH_RE='a[0-9]+' \
    LOG=1 LOG_HANDSHAKE=1
pc=$port
cat >"$TMP/per.json" <<JSON
{ "name": "per", "target": { "url": "http://127.0.0.1:$pc/socket.io/?token=t{{client}}",
    "headers": { "X-Client": "c{{client}}" }, "auth": { "token": "a{{client}}" } },
  "clients": $n, "messages": 5 }
JSON
cat >"$TMP/per-file.json" <<JSON
{ "name": "per-file", "target": { "url": "http://127.0.0.1:$pc", "query": { "token": "t{{client}}" },
    "headers": { "X-Client": "c{{client}}" }, "headers_file": "$TMP/tokens.txt",
    "auth": { "token": "a{{client}}" } },
  "clients": $n, "messages": 5 }
JSON
# check_pairs DESC: since the last mark, each client N sent line N's token, tN, cN and aN, once
check_pairs() {
    local desc=$1 got want
    got=$(sed -n "$((mark + 1)),\$p" "$TMP/per.log" | sed -n 's/^handshake //p' | sort)
    want=$(i=0; while read -r tok; do
               echo "token=t$i authorization=Bearer $tok x-client=c$i auth={\"token\":\"a$i\"}"; i=$((i + 1))
           done <"$TMP/accepted" | sort)
    [ "$got" = "$want" ] || fail "$desc: the server saw
$got
instead of
$want"
    echo "ok $desc: every client sent its own token, query, header and auth"
}
for t in websocket polling upgrade; do
    mark=$(wc -l <"$TMP/per.log")
    expect_exit 0 "$SIOCRYPT" run "$TMP/per.json" --transport "$t" -H "@$TMP/tokens.txt" --out "$TMP/p-$t" --quiet
    [ "$(jqr "$TMP/p-$t/report.json" .messages.verified)" = $((n * 5)) ] || fail "per-client over $t: not verified"
    check_pairs "-H @FILE, {{client}} in --url, target.headers and auth over $t"
    mark=$(wc -l <"$TMP/per.log")
    expect_exit 0 "$SIOCRYPT" run "$TMP/per-file.json" --transport "$t" --out "$TMP/pf-$t" --quiet
    [ "$(jqr "$TMP/pf-$t/report.json" .messages.verified)" = $((n * 5)) ] || fail "headers_file over $t: not verified"
    check_pairs "target.headers_file, {{client}} in target.query over $t"
done
# without the file, or with clients past its lines: refused by the server, or refused before the run
run_refused "per-client server, no tokens" "pn" "HTTP 403" --url "http://127.0.0.1:$pc/?token=t{{client}}"
expect_exit 2 "$SIOCRYPT" run "$TMP/per.json" --clients $((n + 1)) -H "@$TMP/tokens.txt" --out "$TMP/p-short" --quiet
grep -q "headers file: $n lines for $((n + 1)) clients" "$TMP/out" || fail "short headers file: $(cat "$TMP/out")"
[ ! -e "$TMP/p-short" ] || fail "short headers file: a report folder was made"
echo "ok a headers file with fewer lines than clients is a usage error"

# 3. the server refuses the auth: CONNECT_ERROR with its message in the detail
serve auth server REQUIRE_AUTH_RE='a[0-9]+' ALLOW_EIO3=1
a=$port
serve auth2 server/v2 REQUIRE_AUTH_RE='a[0-9]+'
a2=$port
for t in websocket polling upgrade; do
    run_refused "auth refused (v5) over $t" "a-$t" "CONNECT_ERROR: Not authorized" --url "http://127.0.0.1:$a" --transport "$t"
    run_refused "auth refused (socket.io 2, v4 packet) over $t" "a2-$t" "CONNECT_ERROR: Not authorized" \
        --url "http://127.0.0.1:$a2" --transport "$t" --eio 3
done
sed "s|http://127.0.0.1:$pc/socket.io/?token=t{{client}}|http://127.0.0.1:$a|" "$TMP/per.json" >"$TMP/auth.json"
expect_exit 0 "$SIOCRYPT" run "$TMP/auth.json" --out "$TMP/a-ok" --quiet
echo "ok auth {token: a{{client}}} accepted"

# 4. bad headers: usage errors before anything runs
bad() {
    local desc=$1 want=$2; shift 2
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "http://127.0.0.1:$b" --out "$TMP/bad" --quiet "$@"
    grep -qF -- "$want" "$TMP/out" || fail "$desc: message '$(cat "$TMP/out")' lacks '$want'"
    [ ! -e "$TMP/bad" ] || fail "$desc: a report folder was made"
    echo "ok $desc: exit 2"
}
bad "no colon" "expected 'Name: value'" -H 'Authorization Bearer x'
bad "no name" "a header needs a name" -H ': x'
bad "a space in the name" "the header name has a character" -H 'X Y: z'
bad "CR LF in the value" "control character (0x0d)" -H $'X-A: a\r\nX-B: b'
bad "LF in the value" "control character (0x0a)" -H $'X-A: a\nX-B: b'
bad "ESC in the value" "control character (0x1b)" -H $'X-A: a\e[2J'
bad "empty value" "needs a value" -H 'X-A:   '
bad "Host" "siocrypt sets itself" -H 'Host: evil.example'
bad "Upgrade" "siocrypt sets itself" -H 'upgrade: h2c'
bad "Connection" "siocrypt sets itself" -H 'Connection: close'
bad "Sec-WebSocket-Key" "siocrypt sets itself" -H 'sec-websocket-key: AAAA'
bad "Content-Length" "siocrypt sets itself" -H 'Content-Length: 5'
bad "too long" "longer than 8192 bytes" -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)"
bad "too long together" "together are longer than 8192" -H "X-A: $(head -c 5000 /dev/zero | tr '\0' a)" \
    -H "X-B: $(head -c 5000 /dev/zero | tr '\0' a)"
bad "-H with no value" "option '-H' needs a value" -H
bad "@ without a file" "'@' needs a file name" -H @
bad "a missing headers file" "cannot open" -H "@$TMP/nonexistent"
printf 'Authorization: Bearer a\nBad Line\n' >"$TMP/badfile"
bad "a bad line in the headers file" "line 2: expected 'Name: value'" -H "@$TMP/badfile"
head -c 20000000 /dev/zero | tr '\0' a >"$TMP/hugefile"
bad "a headers file past the limit" "larger than" -H "@$TMP/hugefile"
printf '{"target":{"url":"http://127.0.0.1:%s","headers":{"X-N":5}}}' "$b" >"$TMP/bad1.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/bad1.json" --out "$TMP/bad" --quiet
grep -q "target.headers.X-N: must be a string" "$TMP/out" || fail "target.headers number: $(cat "$TMP/out")"
printf '{"target":{"url":"http://127.0.0.1:%s","headers":{"Origin":"x"}}}' "$b" >"$TMP/bad2.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/bad2.json" --out "$TMP/bad" --quiet
grep -q "target.headers.Origin: 'Origin' is a header siocrypt sets itself" "$TMP/out" || fail "target.headers Origin: $(cat "$TMP/out")"
echo "ok target.headers: a number, Origin: exit 2"
echo "PASS t_37_headers"
