#!/usr/bin/env bash
# Namespaces and CONNECT: a v5 CONNECT with an auth object is accepted; a namespace the server does not
# have is refused with CONNECT_ERROR, which every client reports as a handshake error (v5 object form on
# socket.io 4, v4 string form on socket.io 2), with no hang.
source "$(dirname "$0")/lib.sh"
mk() {  # mk FILE NAMESPACE AUTH EIO IMPL
    cat >"$1" <<JSON
{ "name": "ns", "target": { "namespace": "$2", "auth": $3, "eio": $4 }, "server": { "impl": "$5" },
  "clients": 2, "messages": 3 }
JSON
}
mk "$TMP/auth.json" / '{"token":"abc"}' 4 v4
expect_exit 0 "$SIOCRYPT" run "$TMP/auth.json" --out "$TMP/auth" --quiet
[ "$(jqr "$TMP/auth/report.json" .messages.verified)" = 6 ] || fail "auth CONNECT: not every round trip verified"

for cell in "4 v4 null" "3 v2 null" "3 v4 null"; do
    set -- $cell
    mk "$TMP/ns.json" /nope "$3" "$1" "$2"
    expect_exit 1 "$SIOCRYPT" run "$TMP/ns.json" --out "$TMP/ns-$1-$2" --quiet
    r="$TMP/ns-$1-$2/report.json"
    [ "$(jqr "$r" '.errors.handshake // 0')" = 2 ] || fail "eio$1 $2 /nope: errors $(jq -c .errors "$r")"
    [ "$(jqr "$r" .connections.failed)" = 2 ] || fail "eio$1 $2 /nope: connections.failed"
    echo "ok eio$1 $2: unknown namespace refused, handshake x 2"
done
echo "ok: auth CONNECT accepted"
