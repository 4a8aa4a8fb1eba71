#!/bin/sh
# check_order.sh REDISSECT PLUGIN_SO [CAPTURE_OR_DIR...]
# Order independence: for every capture (default: sample-pcaps/; a folder stands for
# the captures in it), runs the harness tests/redissect.c and checks that tcpstate shows the
# same fields on every frame in
#   - a sequential second pass (as tshark -2),
#   - a re-dissection of all frames in a random order, for each of the seeds in $SEEDS
#     (default "1 2 3"),
#   - the first pass itself when it builds a tree (as one-pass tshark -T fields).
# Prints one line per capture, the first lines of each difference, and "N passed, M failed".
# Exit 0 when all pass, 1 otherwise, 77 (ctest's skip code) when there is no capture, e.g. the
# public corpus beside the repository is absent.
#
# The harness loads the plugin by its path, as Wireshark's loader does, so it needs no
# WIRESHARK_PLUGIN_DIR and runs as root as well.
set -u
redissect=$1 plugin=$2
shift 2
[ $# -gt 0 ] || set -- "$(dirname "$0")/../sample-pcaps"
seeds=${SEEDS:-1 2 3}

work=$(mktemp -d /tmp/tcpstate-order.XXXXXX)
trap 'rm -rf "$work"' EXIT

# split_passes OUTPUT PREFIX: writes each "# pass NAME" block of the harness's OUTPUT to
# $work/out/PREFIXNAME (spaces -> -).
split_passes() {
    awk -v dir="$work/out" -v prefix="$2" '
        /^# pass / { name = substr($0, 8); gsub(/ /, "-", name); file = dir "/" prefix name
                     printf "" > file; next }
        { print > file }' "$1"
}

check() {
    capture=$1
    rm -rf "$work/out" && mkdir "$work/out"
    problems=
    # shellcheck disable=SC2086 # the seeds are separate arguments
    if ! "$redissect" "$plugin" "$capture" $seeds >"$work/run" 2>"$work/err"; then
        problems=" harness failed: $(tail -n 3 "$work/err")"
    elif ! "$redissect" -1 "$plugin" "$capture" >"$work/run1" 2>>"$work/err"; then
        problems=" harness -1 failed: $(tail -n 3 "$work/err")"
    elif grep -q "runtime error:" "$work/err"; then   # UndefinedBehaviorSanitizer, which goes on
        problems=" $(grep -m 3 "runtime error:" "$work/err")"
    else
        split_passes "$work/run" ""
        split_passes "$work/run1" "tree-first-pass-"    # one-pass, and its sequential pass
        for seed in $seeds; do
            [ -f "$work/out/random-seed-$seed" ] || problems="$problems no pass for seed $seed;"
        done
        for pass in "$work/out/"*; do
            name=$(basename "$pass")
            [ "$name" = sequential ] && continue
            if ! cmp -s "$work/out/sequential" "$pass"; then
                problems="$problems $name differs;"
                { echo "  < sequential, > $name:"
                  diff "$work/out/sequential" "$pass" | head -n 8 | sed 's/^/    /'; } >>"$work/diffs"
            fi
        done
    fi
    items=$(wc -l <"$work/out/sequential" 2>/dev/null || echo 0)
    if [ -z "$problems" ]; then
        echo "ok    $(basename "$capture") ($items tcpstate items per pass)"
        passed=$((passed + 1))
    else
        echo "FAIL  $(basename "$capture"):$problems"
        [ -f "$work/diffs" ] && cat "$work/diffs" && rm -f "$work/diffs"
        failed=$((failed + 1))
    fi
}

passed=0 failed=0
for arg in "$@"; do
    if [ -d "$arg" ]; then
        for capture in "$arg"/*.pcap "$arg"/*.pcapng; do
            [ -f "$capture" ] && check "$capture"
        done
    elif [ -f "$arg" ]; then
        check "$arg"
    fi
done

echo "$passed passed, $failed failed"
[ $((passed + failed)) -gt 0 ] || exit 77
[ "$failed" -eq 0 ]
