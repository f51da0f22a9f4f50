#!/usr/bin/env bash
# The smoke scenario against the local g-crypt server in all 12 cells of
# {websocket, polling, upgrade} x {EIO4 on socket.io 4.8, EIO3 on socket.io 4.8 with ALLOW_EIO3,
#                                  EIO3 on socket.io 2.5, EIO3 on socket.io 1.7 (the seed's era)}:
# every round trip verified, no errors, report.json consistent with the run. socket.io 1.7's polling and
# upgrade cells need b64=1 (engine.io 1.8 frames every polling payload in binary without it).
source "$(dirname "$0")/lib.sh"
cells=0
for transport in websocket polling upgrade; do
    for cell in "4 v4" "3 v4" "3 v2" "3 v1"; do
        set -- $cell
        eio=$1 impl=$2
        out="$TMP/$transport-$eio-$impl"
        expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --transport "$transport" --eio "$eio" --impl "$impl" \
            --out "$out" --quiet
        r="$out/report.json"
        clients=$(jqr "$r" .connections.attempted)
        sent=$(jqr "$r" .messages.sent)
        verified=$(jqr "$r" .messages.verified)
        want=$(jq -r '.clients * .messages' scenarios/smoke.json)
        [ "$clients" = "$(jq -r .clients scenarios/smoke.json)" ] || fail "$transport eio$eio $impl: $clients clients attempted"
        [ "$sent" = "$want" ] && [ "$verified" = "$want" ] ||
            fail "$transport eio$eio $impl: sent $sent, verified $verified, want $want"
        [ "$(jqr "$r" '.errors | length')" = 0 ] || fail "$transport eio$eio $impl: errors $(jq -c .errors "$r")"
        [ "$(jqr "$r" .target)" != local ] || fail "report target should be the server's URL"
        if [ "$transport" = upgrade ]; then
            ups=$(jqr "$r" '.histograms.upgrade.count')
            [ "$ups" -ge "$clients" ] || fail "upgrade: only $ups upgrades recorded for $clients clients"
        fi
        echo "ok $transport eio$eio $impl: $verified round trips verified"
        cells=$((cells + 1))
    done
done
[ "$cells" = 12 ] || fail "$cells cells ran, want 12"
