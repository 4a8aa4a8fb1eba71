#!/bin/sh
# dump-fields.sh PLUGIN_SO OUTDIR [CAPTURE...]
# Writes what the plugin shows for each capture (default: every sample capture) to
# OUTDIR/NAME.steps (frame, step, client and server state: the walk-through) and
# OUTDIR/NAME.fields (every tcpstate field, all occurrences, in one pass and in two passes);
# a tshark failure is written into the file too, so that it shows in a diff.
# Two such folders, made with two Wireshark releases, must be identical: test-compat.sh
# diffs them. What is tshark's formatting and not the plugin's value is written one way:
# booleans as 1/0 (tshark 4.0 prints them so, 4.4 and 4.6 as True/False), and absolute times
# as 2023-11-14T22:14:20.014000000, in UTC (4.0 and 4.4 print "Nov 14, 2023
# 22:14:20.014000000 UTC", 4.6 "2023-11-14T22:14:20.014000000+0000").
set -eu
export TZ=UTC
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

# tshark with the plugin, booleans as 1/0, absolute times in ISO 8601 without the zone.
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
fields() {
    status=0
    "$run" "$@" > "$raw" 2>/dev/null || status=$?
    [ $status = 0 ] || echo "# tshark exited with $status"
    awk 'BEGIN { FS = OFS = "\t"; split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " ")
                 for (k = 1; k <= 12; k++) month[m[k]] = sprintf("%02d", k) }
        function value(x,    p) {
            if (x == "True") return 1
            if (x == "False") return 0
            if (x ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]+\+0000$/)
                return substr(x, 1, length(x) - 5)
            if (x ~ /^[A-Z][a-z][a-z] +[0-9]+ [0-9][0-9][0-9][0-9] [0-9:.]+ UTC$/) {
                split(x, p, " ")
                return sprintf("%s-%s-%02dT%s", p[3], month[p[1]], p[2], p[4])
            }
            return x
        }
        { for (i = 1; i <= NF; i++) {
              # the comma of "Nov 14, 2023" is no aggregator: dropped
              while (match($i, /[A-Z][a-z][a-z] +[0-9]+, [0-9][0-9][0-9][0-9] [0-9]/)) {
                  c = RSTART + index(substr($i, RSTART), ",") - 1
                  $i = substr($i, 1, c - 1) substr($i, c + 1)
              }
              n = split($i, v, ","); $i = ""
              for (j = 1; j <= n; j++)
                  $i = $i (j > 1 ? "," : "") value(v[j])
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
