#!/usr/bin/env bash
# A harness whose passphrase differs from the server's: every message fails with a decrypt class, exit 1.
# The hardened server answers what it cannot decrypt with counter_error (the seed's server would crash).
source "$(dirname "$0")/lib.sh"
expect_exit 1 "$SIOCRYPT" run harness/tests/scenarios/hardened.json --passphrase not-the-passphrase \
    --out "$TMP/r" --quiet
r="$TMP/r/report.json"
sent=$(jqr "$r" .messages.sent)
[ "$sent" -gt 0 ] || fail "nothing was sent"
[ "$(jqr "$r" .messages.verified)" = 0 ] || fail "messages verified with a wrong passphrase"
[ "$(jqr "$r" '.errors.decrypt // 0')" = "$sent" ] || fail "decrypt errors $(jq -c .errors "$r") for $sent messages"
echo "ok: $sent messages, all decrypt errors"
