#!/usr/bin/env bash
# The layering of harness/src holds: a file includes only headers of its own layer or of layers below it,
#   base < crypto < proto < report < net < session < load < cli
# every project include names its folder ("net/target.h"), nothing outside cli/ includes a cli/ header, and
# main.c (dispatch only) includes no more than the commands' header cli/cmd.h and base/ helpers.
# Reads the sources as text; builds and runs nothing.
source "$(dirname "$0")/lib.sh"

LAYERS="base crypto proto report net session load cli"

# Upward includes allowed, each "FILE HEADER": the only exceptions to the rule (none since issue 9 gave the
# transports and workloads their interfaces); an entry whose include is gone fails the test, so the list
# never outlives what it excuses.
ALLOWED_UPWARD=()   # none: every include goes down (the transport and workload interfaces, issue 9)

rank() {  # rank LAYER: its place in LAYERS (0 = base), or nothing when it is not a layer
    local i=0 l
    for l in $LAYERS; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
}

allowed() {  # allowed FILE HEADER
    local e
    for e in "${ALLOWED_UPWARD[@]}"; do [ "$e" = "$1 $2" ] && return 0; done
    return 1
}

problems=()
used=()
cd harness/src
files=$(ls */*.c */*.h)
[ -n "$files" ] || fail "no sources under harness/src/<layer>/"
for f in $files; do
    layer=${f%%/*}
    own=$(rank "$layer")
    [ -n "$own" ] || { problems+=("$f: folder '$layer' is not a layer ($LAYERS)"); continue; }
    # every quoted include, as written (leading blanks and blanks after '#' allowed)
    while IFS= read -r inc; do
        case $inc in
            */*) ;;
            *) problems+=("$f: #include \"$inc\" does not name its folder"); continue ;;
        esac
        to=${inc%%/*}
        theirs=$(rank "$to")
        [ -n "$theirs" ] || { problems+=("$f: #include \"$inc\": '$to' is not a layer"); continue; }
        [ -f "$inc" ] || problems+=("$f: #include \"$inc\": no such header")
        if [ "$to" = cli ] && [ "$layer" != cli ]; then
            allowed "$f" "$inc" && { used+=("$f $inc"); continue; }
            problems+=("$f ($layer) includes $inc: only cli/ may include cli/ headers")
        elif [ "$theirs" -gt "$own" ]; then
            allowed "$f" "$inc" && { used+=("$f $inc"); continue; }
            problems+=("$f ($layer) includes $inc ($to): a layer above its own")
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done

# main.c only dispatches: the commands' header and base/ helpers, nothing of the layers a command uses
while IFS= read -r inc; do
    case $inc in
        cli/cmd.h|base/*) ;;
        *) problems+=("cli/main.c includes $inc: main.c dispatches only (cli/cmd.h, base/)") ;;
    esac
done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' cli/main.c)

# an allow-list entry whose include is gone: take it out of the list
for e in "${ALLOWED_UPWARD[@]}"; do
    found=0
    for u in "${used[@]+"${used[@]}"}"; do [ "$u" = "$e" ] && found=1; done
    [ $found = 1 ] || problems+=("allow-list entry '$e' no longer happens: remove it from ALLOWED_UPWARD")
done

if [ ${#problems[@]} -gt 0 ]; then
    printf '  %s\n' "${problems[@]}" >&2
    fail "${#problems[@]} layering problem(s) in harness/src"
fi
echo "layers ok: $(echo "$files" | wc -w) files, ${#ALLOWED_UPWARD[@]} allowed upward include(s) left"
