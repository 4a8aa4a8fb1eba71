#!/bin/sh
# dump-fields.sh PLUGIN_SO OUTDIR [CAPTURE...]
# Writes what the plugin shows for each capture (default: every sample capture) to
# OUTDIR/NAME.steps (frame, step, client and server state: the walk-through) and
# OUTDIR/NAME.fields (every tcpstate field, all occurrences, in one pass and in two passes);
# a tshark failure is written into the file too, so that it shows in a diff.
# Two such folders, made with two Wireshark releases, must be identical: test-debian13.sh
# diffs them. Booleans are written 1/0: tshark 4.0 prints them so, tshark 4.4 as True/False,
# which is tshark's formatting, not the plugin's value.
set -eu
plugin=$1 out=$2
shift 2
repo=$(cd "$(dirname "$0")/../.." && pwd)
run="$repo/tests/tshark-plugin.sh"
[ $# -gt 0 ] || set -- "$repo"/sample-pcaps/*.pcap "$repo"/sample-pcaps/*.pcapng
mkdir -p "$out"

# Every tcpstate.* field the plugin registers, sorted, as -e arguments.
names=$("$run" "$plugin" - -G fields | awk -F'\t' '$1 == "F" && $3 ~ /^tcpstate\./ { print $3 }' | sort)
every=
for name in $names; do every="$every -e $name"; done

# tshark with the plugin, booleans as 1/0.
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
fields() {
    status=0
    "$run" "$@" > "$raw" 2>/dev/null || status=$?
    [ $status = 0 ] || echo "# tshark exited with $status"
    awk 'BEGIN { FS = OFS = "\t" }
        { for (i = 1; i <= NF; i++) {
              n = split($i, v, ","); $i = ""
              for (j = 1; j <= n; j++)
                  $i = $i (j > 1 ? "," : "") (v[j] == "True" ? 1 : v[j] == "False" ? 0 : v[j])
          }
          print }' "$raw"
}

for capture in "$@"; do
    [ -f "$capture" ] || continue
    name=$(basename "${capture%.*}")
    fields "$plugin" "$capture" -T fields -e frame.number -e tcpstate.step \
        -e tcpstate.client.state -e tcpstate.server.state > "$out/$name.steps"
    # shellcheck disable=SC2086  # $every is a list of -e arguments
    { echo "# frame.number" $names
      fields "$plugin" "$capture" -T fields -E occurrence=a -E aggregator=, -e frame.number $every
      echo "# two-pass"
      fields "$plugin" "$capture" -2 -T fields -E occurrence=a -E aggregator=, -e frame.number $every
    } > "$out/$name.fields"
done
