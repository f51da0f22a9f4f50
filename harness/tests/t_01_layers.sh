#!/usr/bin/env bash
# The layering of harness/src holds: a file includes only headers of its own layer or of layers below it,
#   base < crypto < proto < report < net < session < load < cli
# every project include names its folder ("net/target.h"), nothing outside cli/ includes a cli/ header, and
# main.c (dispatch only) includes no more than the commands' header cli/cmd.h and base/ helpers.
# Also: README.md's module table under Architecture names exactly the modules of each folder.
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

# README's module table (Architecture) and the tree agree: each module a row names exists in that row's
# folder, and every source file belongs to a module some row of its folder names. Rows look like
# | `net/` | `transport` (`transport_ws`, `transport_poll`), `net`, `target` | ... ; `report_*` names a family.
cd ../..
table=$(awk '/^### Architecture/ { on = 1 } on && /^\| `[a-z]+\/` \|/ { print } on && /^## / && !/Architecture/ { exit }' README.md)
[ -n "$table" ] || fail "README.md: no module table under Architecture"
named=()
while IFS= read -r row; do
    folder=$(echo "$row" | sed -n 's/^| `\([a-z]*\)\/` |.*/\1/p')
    mods=$(echo "$row" | awk -F'|' '{ print $3 }' | grep -o '`[a-z0-9_*.]*`' | tr -d '`')
    for m in $mods; do
        base=${m%.h}
        if [ "${base%\*}" != "$base" ]; then
            ls harness/src/"$folder"/"${base%\*}"*.c >/dev/null 2>&1 || problems+=("README names $folder/$m: no such files")
        elif [ ! -e "harness/src/$folder/$base.c" ] && [ ! -e "harness/src/$folder/$base.h" ]; then
            problems+=("README names $folder/$m, but harness/src/$folder has no $base.c or $base.h")
        fi
        named+=("$folder/$base")
    done
done <<<"$table"
for f in harness/src/*/*.[ch]; do
    rel=${f#harness/src/}; folder=${rel%%/*}; mod=$(basename "$f"); mod=${mod%.[ch]}
    ok=0
    for n in "${named[@]}"; do
        case "$n" in
            "$folder/$mod") ok=1 ;;
            *\*) [ "${n%\*}" = "${folder}/${mod:0:${#n}-${#folder}-2}" ] && ok=1 ;;
        esac
    done
    [ $ok = 1 ] || problems+=("$rel: its module is in no row of README's module table for $folder/")
done
if [ ${#problems[@]} -gt 0 ]; then
    printf '  %s\n' "${problems[@]}" >&2
    fail "${#problems[@]} difference(s) between README's module table and harness/src"
fi
echo "README module table ok: ${#named[@]} modules named, every source file in a named module"
