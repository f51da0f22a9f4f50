#!/usr/bin/env bash
# siocrypt merge: two instances run at the same time against one server, merged, must add up exactly and
# match one instance doing the same work (same clients in all, same round trips each).
source "$(dirname "$0")/lib.sh"
start_server
common=(--url "$SERVER_URL" --messages 25 --transport websocket --quiet)
"$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --clients 3 --out "$TMP/a" >/dev/null &
a=$!
"$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --clients 5 --out "$TMP/b" >/dev/null &
b=$!
wait $a || fail "instance a failed"
wait $b || fail "instance b failed"
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --clients 8 --out "$TMP/one"
expect_exit 0 "$SIOCRYPT" merge --out "$TMP/merged" "$TMP/a/report.json" "$TMP/b/report.json"
m=$TMP/merged/report.json one=$TMP/one/report.json
for f in report.json summary.md junit.xml latency.hgrm latency.hlog report.html; do
    [ -s "$TMP/merged/$f" ] || fail "merge did not write $f"
done
# exact sums of the two instances
for k in .messages.sent .messages.verified .connections.attempted .connections.established .harness.cpu_s; do
    want=$(jq -n --slurpfile a "$TMP/a/report.json" --slurpfile b "$TMP/b/report.json" "\$a[0]$k + \$b[0]$k")
    got=$(jqr "$m" "$k")
    # counts are exact; CPU seconds are sums of decimals, equal to a microsecond
    [ "$(jq -n "($got - $want) | fabs < 1e-6")" = true ] || fail "merged $k is $got, want $want (a + b)"
done
# the same work as one instance: 8 clients x 25 round trips
for k in .messages.sent .messages.verified .connections.established .clients; do
    [ "$(jqr "$m" "$k")" = "$(jqr "$one" "$k")" ] || fail "merged $k $(jqr "$m" "$k") != single $(jqr "$one" "$k")"
done
# histograms merged: as many round-trip samples as verified messages, in the merge as in the single run
[ "$(jqr "$m" .histograms.round_trip.count)" = 200 ] || fail "merged rtt histogram count $(jqr "$m" .histograms.round_trip.count)"
[ "$(jqr "$one" .histograms.round_trip.count)" = 200 ] || fail "single rtt histogram count"
# the timeline, aligned on wall-clock seconds, still adds up to every verified message
[ "$(jq '[.timeline.seconds[].verified] | add' "$m")" = 200 ] || fail "merged timeline does not add up"
[ "$(jqr "$m" .instances)" = 2 ] || fail "merged instances $(jqr "$m" .instances)"
echo "ok: merge of 3 + 5 clients = one run of 8 clients (200 round trips each way)"
