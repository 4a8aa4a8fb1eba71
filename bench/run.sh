#!/bin/sh
# bench/run.sh: how much tcpstate costs tshark on a large capture.
#
#   bench/run.sh [-n PACKETS] [-p PAIRS] [-g PAIRS] [-c PACKETS] [-C PACKETS] [--no-fields] [-d DIR]
#   bench/run.sh --parallel [-j JOBS] [-n PACKETS] [-p PAIRS] [-d DIR]
#
#   -n  packets of the main capture (default 1000000; 1/10 as many connections). Captures of
#       1/4 and 1/2 that size are made too, for how memory grows.
#   -p  pairs of runs (with the plugin, without it) per measurement (default 5)
#   -g  pairs on the 1/4 and 1/2 captures (default 3)
#   -c  packets for the callgrind runs of plain tshark -r (default 100000; 0 skips them)
#   -C  packets for the callgrind runs of -T fields (default 50000; 0 skips them)
#   --no-fields         skip measurement (b)
#   -d  where the captures and results go (default $TCPSTATE_BENCH_DIR or /tmp/tcpstate-bench)
#   --parallel          the big-capture benchmark instead: scripts/tcpstate-parallel -j JOBS
#                       (default 2) against one tshark on the main capture, PAIRS pairs
#                       (default 3), wall time and peak memory (bench/parallel.py; about 3
#                       minutes on 2 cores)
#
# Builds the plugin (cmake, into $BUILD or build/) and tools/gen-capture.c, writes the
# captures (kept in DIR for the next run: about 400 MB per million packets), runs
# bench/bench.py and prints the table. With the defaults it takes about 15 minutes on 2 cores.
# Run it on a quiet machine: other work on the cores shows up in the ratios.
set -eu

packets=1000000 pairs= growth_pairs=3 cg_packets=100000 cg_fields_packets=50000 no_fields=
mode=overhead jobs=2
dir=${TCPSTATE_BENCH_DIR:-/tmp/tcpstate-bench}
while [ $# -gt 0 ]; do
    case $1 in
        -n) packets=$2; shift 2 ;;
        -p) pairs=$2; shift 2 ;;
        -g) growth_pairs=$2; shift 2 ;;
        -c) cg_packets=$2; shift 2 ;;
        -d) dir=$2; shift 2 ;;
        -C) cg_fields_packets=$2; shift 2 ;;
        --no-fields) no_fields=--no-fields; shift ;;
        --parallel) mode=parallel; shift ;;
        -j) jobs=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/run.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$repo/build}
case $build in /*) ;; *) build=$repo/$build ;; esac

need() { command -v "$1" >/dev/null || { echo "bench/run.sh: $1 is needed ($2)" >&2; exit 1; }; }
need tshark "apt-get install tshark"
need python3 "apt-get install python3"
need cc "apt-get install gcc"
need cmake "apt-get install cmake"
[ "$(id -u)" != 0 ] || need setpriv "apt-get install util-linux"
if [ "$mode" = parallel ]; then
    need parallel "apt-get install parallel"
    need tcpdump "apt-get install tcpdump"
    cg_packets=0 cg_fields_packets=0
fi
[ "$cg_packets$cg_fields_packets" = 00 ] || need valgrind "apt-get install valgrind, or -c 0 -C 0 to skip callgrind"

echo "== building the plugin ($build)" >&2
cmake -S "$repo" -B "$build" >/dev/null
env MAKEFLAGS= cmake --build "$build" -j "$(nproc)" >/dev/null
plugin=$(ls "$build"/plugins/*/epan/tcpstate.so | head -n 1)

# Everything in DIR must be readable by nobody, who runs tshark when we are root.
mkdir -p "$dir"
chmod 755 "$dir"
cc -O2 -Wall -o "$dir/gen-capture" "$repo/tools/gen-capture.c"

# A capture is made again when the generator changed; otherwise the previous one is reused.
gen_sum=$(cat "$repo/tools/gen-capture.c" "$repo/tools/pcap-bytes.h" | cksum)
make_capture() {
    n=$1 pcap="$dir/cap-$1.pcap"
    if [ -f "$pcap" ] && [ -f "$dir/cap-$n.counts" ] && [ "$(cat "$dir/cap-$n.stamp" 2>/dev/null)" = "$gen_sum" ]; then
        echo "== capture of $n packets: reusing $pcap" >&2
        return
    fi
    echo "== writing a capture of $n packets: $pcap" >&2
    rm -f "$dir/cap-$n.stamp"
    "$dir/gen-capture" -n "$n" -o "$pcap" > "$dir/cap-$n.counts"
    chmod 644 "$pcap" "$dir/cap-$n.counts"
    echo "$gen_sum" > "$dir/cap-$n.stamp"
}
if [ "$mode" = parallel ]; then
    make_capture "$packets"
    echo "== the capture:" $(cat "$dir/cap-$packets.counts") >&2
    exec python3 "$repo/bench/parallel.py" --plugin "$plugin" --dir "$dir" \
        --capture "$dir/cap-$packets.pcap" --counts "$dir/cap-$packets.counts" \
        --jobs "$jobs" --pairs "${pairs:-3}"
fi
for n in $((packets / 4)) $((packets / 2)) "$packets"; do
    make_capture "$n"
done
for n in "$cg_packets" "$cg_fields_packets"; do
    [ "$n" = 0 ] || make_capture "$n"
done
echo "== the main capture:" $(cat "$dir/cap-$packets.counts") >&2

exec python3 "$repo/bench/bench.py" --plugin "$plugin" --dir "$dir" --packets "$packets" \
    --pairs "${pairs:-5}" --growth-pairs "$growth_pairs" --callgrind-packets "$cg_packets" \
    --callgrind-fields-packets "$cg_fields_packets" $no_fields
