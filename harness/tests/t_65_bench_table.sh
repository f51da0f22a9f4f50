#!/usr/bin/env bash
# make bench's round-trip table runs end to end (a cheap pass: 4 clients, 1 s per row): the floor program
# builds and measures its three modes (the last against the real server with hand-made frames), every row
# has its figures, the ratios are printed. Nothing about speed is asserted: figures belong to `make bench`.
source "$(dirname "$0")/lib.sh"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$TMP/floor" harness/bench/floor.c
# the floor program refuses what it cannot do
expect_exit 2 "$TMP/floor" --conns 0
expect_exit 2 "$TMP/floor" --what 1
expect_exit 0 "$TMP/floor" --seconds 0.2 --conns 3
[ "$(jq -s 'map(select(.round_trips > 0 and .cpu_us_per_round_trip > 0)) | map(.mode) | join(",")' <"$TMP/out")" = '"wakeup,batched"' ] ||
    fail "floor: $(cat "$TMP/out")"
expect_exit 2 "$TMP/floor" --port 3000   # a port without the envelope to send
FLOOR=$TMP/floor SIOCRYPT=$SIOCRYPT BENCH_SECTIONS=roundtrip BENCH_RT_S=1 BENCH_RT_CLIENTS=4 \
    timeout 120 bash harness/scripts/bench.sh >"$TMP/table" 2>&1 || { cat "$TMP/table"; fail "bench.sh failed"; }
cat "$TMP/table"
num='[0-9][0-9.]*'
for row in "floor: echo peer, 1 wake-up per rt" "floor: echo peer, batched" "floor: the server, made frames" \
           "siocrypt closed model, websocket" \
           "siocrypt open model 2 msg/s, websocket" "siocrypt closed model, polling" "node peer (socket.io-client + g-crypt)"; do
    grep -qE "^$(sed 's/[()+.]/\\&/g' <<<"$row") +[0-9]+ +$num +$num +${num}x +0$" "$TMP/table" ||
        fail "no figures (or errors) for '$row'"
done
grep -qE "^siocrypt websocket / floor: ${num}x" "$TMP/table" || fail "no floor ratio"
grep -qE "^siocrypt polling / websocket: ${num}x" "$TMP/table" || fail "no polling ratio"
echo "ok: make bench's round-trip table (floor, siocrypt closed/open/polling, node peer) ran"
