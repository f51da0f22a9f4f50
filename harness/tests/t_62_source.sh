#!/usr/bin/env bash
# --source / source_addresses: clients bind their local address round robin before they connect (lws's
# iface, curl's CURLOPT_INTERFACE "host!"), as tcpkali does with interface aliases. The real socket.io 4
# server logs where each socket.io connection came from (LOG_ADDRESS=1): with two source addresses it must
# see both, half the clients each, and never the default 127.0.0.1, over websocket, polling and upgrade.
# Then the list forms, IPv6, and the errors: a bad address or one of the other family is a usage error
# naming it; an address this machine does not have (192.0.2.1, TEST-NET-1) is connect-refused naming it.
source "$(dirname "$0")/lib.sh"
export LOG_ADDRESS=1   # inherited by the local server siocrypt starts; its log lands in the report folder
# seen OUT: "count address" lines of the server's log in report folder OUT
seen() { sed -n 's/^connection from //p' "$1/server.log" | sed 's/^::ffff://' | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' '; }
for t in websocket polling upgrade; do
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --transport $t --clients 4 --source 127.0.0.2-127.0.0.3 \
        --out "$TMP/$t" --quiet
    [ "$(jqr "$TMP/$t/report.json" .messages.verified)" = 120 ] || fail "$t: not every round trip verified"
    [ "$(seen "$TMP/$t")" = "2 127.0.0.2 2 127.0.0.3 " ] || fail "$t: the server saw connections from: $(seen "$TMP/$t")"
    echo "ok $t --source 127.0.0.2-127.0.0.3: the server saw 2 clients from each, none from 127.0.0.1"
done
cat >"$TMP/list.json" <<JSON
{ "target": { "url": "local" }, "clients": 3, "messages": 2,
  "source_addresses": ["127.0.0.4", "127.0.0.5,127.0.0.6"] }
JSON
expect_exit 0 "$SIOCRYPT" run "$TMP/list.json" --out "$TMP/list" --quiet
[ "$(seen "$TMP/list")" = "1 127.0.0.4 1 127.0.0.5 1 127.0.0.6 " ] || fail "source_addresses list: $(seen "$TMP/list")"
echo "ok source_addresses as a list (items may hold several): one client from each"

# IPv6, where the machine has ::1
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
    start_server HOST=::1
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --url "http://[::1]:${SERVER_URL##*:}" --clients 2 \
        --source ::1 --out "$TMP/v6" --quiet
    grep -q '^connection from ::1$' "$TMP/server.log" || fail "IPv6 --source ::1: the server saw $(grep connection "$TMP/server.log")"
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "http://[::1]:${SERVER_URL##*:}" --source 127.0.0.2 \
        --out "$TMP/x" --quiet
    grep -q 'source_addresses: 127.0.0.2 is an IPv4 address, but the target is IPv6' "$TMP/out" || fail "v4 source, v6 target: $(cat "$TMP/out")"
    echo "ok IPv6: --source ::1 to [::1]; an IPv4 source for an IPv6 target is a usage error"
else
    echo "note: no ::1 on this machine: the IPv6 case is skipped"
fi

# bad addresses: usage errors naming them; nothing runs
for bad in "127.0.0.300|'127.0.0.300': not an IPv4 or IPv6 address" \
           "127.0.0.9-127.0.0.2|'127.0.0.9-127.0.0.2': the range runs backwards" \
           "127.0.0.2-::1|'::1': not an IPv4 address (ranges are A-B of IPv4 addresses)" \
           "127.0.0.2,,127.0.0.3|'': not an IPv4 or IPv6 address" \
           "eth0|'eth0': not an IPv4 or IPv6 address" \
           "10.0.0.0-10.1.0.0|more than 65536 source addresses" \
           "::1|::1 is an IPv6 address, but the target is IPv4"; do
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --source "${bad%%|*}" --out "$TMP/bad" --quiet
    grep -qF -- "${bad#*|}" "$TMP/out" || fail "--source ${bad%%|*}: $(cat "$TMP/out")"
    [ ! -e "$TMP/bad" ] || fail "--source ${bad%%|*}: a report folder was left"
done
printf '{"source_addresses": [1]}' >"$TMP/b.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/b.json" --out "$TMP/bad" --quiet
grep -q 'source_addresses\[0\]: must be a string' "$TMP/out" || fail "source_addresses [1]: $(cat "$TMP/out")"
echo "ok bad source addresses are usage errors naming them"

# an address that is not this machine's: the clients from it fail to connect, saying which and why
for t in websocket polling; do
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --transport $t --clients 4 --source 127.0.0.2,192.0.2.1 \
        --out "$TMP/not-$t" --quiet
    r="$TMP/not-$t/report.json"
    [ "$(jqr "$r" .connections.established)" = 2 ] || fail "$t 192.0.2.1: $(jqr "$r" .connections.established) established, not 2"
    [ "$(jq -c .errors "$r")" = '{"connect-refused":2}' ] || fail "$t 192.0.2.1: errors $(jq -c .errors "$r")"
    jqr "$r" '.error_details[].detail' | grep -q '^source address 192.0.2.1: Cannot assign requested address' ||
        fail "$t 192.0.2.1: detail $(jq -c .error_details "$r")"
    echo "ok $t: a source address this machine does not have is connect-refused naming it"
done
