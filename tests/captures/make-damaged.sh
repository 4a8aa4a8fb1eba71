#!/bin/bash
# Makes the imperfect captures (docs/steps-and-states.md, "When the capture is not complete")
# from real ones in sample-pcaps/, the way captures get damaged in practice:
#   lost-synack          http-client-close without frame 2 (the SYN+ACK: a tap dropped it)
#   lost-fin             http-client-close without frame 8 (the client's FIN)
#   lost-fin-ack         three-way-close without frame 9 (the server's FIN+ACK)
#   one-way-client       http-client-close, the client's segments only (asymmetric routing)
#   one-way-server       http-client-close, the server's segments only
#   captured-twice       http-client-close merged with a copy of itself 1 ms later (two
#                        capture points merged with mergecap)
#   captured-twice-ipv6  the same with ipv6-client-close (no IPv4 identification to go by)
#   reordered-final-ack  http-client-close with frames 10 and 11 swapped: the client's final
#                        ACK before the server's FIN it acknowledges
#   reordered-handshake  http-client-close with frames 2 and 3 swapped: the client's ACK
#                        before the SYN+ACK
#   time-wait-ended      http-client-close, then retrans-syn 100 s later: the first client's
#                        TIME_WAIT (60 s by default) ends long before the capture's last packet
#   snaplen-60           http-client-close cut to 60 bytes a frame (tcpdump -s 60): the TCP
#                        options and every payload byte are not captured
#   reordered-syn        http-client-close with the SYN+ACK stamped 1 ms earlier, so that a
#                        capture sorted by time (two interfaces whose clocks disagree, merged
#                        with mergecap) holds it before the SYN it answers
# Needs editcap, mergecap and tshark (Wireshark's command-line tools); no root.
set -euo pipefail
dir=$(cd "$(dirname "$0")/../../sample-pcaps" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# frames FILE RANGE...: those frames of FILE, in the order given, as one capture on stdout
frames() {
    local src=$1 i=0
    shift
    for range in "$@"; do
        editcap -r "$src" "$work/part$i.pcap" "$range"
        i=$((i + 1))
    done
    mergecap -a -w - $(for j in $(seq 0 $((i - 1))); do echo "$work/part$j.pcap"; done)
}

http=$dir/http-client-close.pcap
editcap "$http" "$dir/lost-synack.pcap" 2
editcap "$http" "$dir/lost-fin.pcap" 8
editcap "$dir/three-way-close.pcap" "$dir/lost-fin-ack.pcap" 9
tshark -r "$http" -Y 'tcp.srcport == 40001' -w "$dir/one-way-client.pcap"
tshark -r "$http" -Y 'tcp.srcport == 80' -w "$dir/one-way-server.pcap"
for name in http-client-close ipv6-client-close; do
    editcap -t 0.001 "$dir/$name.pcap" "$work/later.pcap"
    out=captured-twice$([ $name = ipv6-client-close ] && echo -ipv6 || true)
    mergecap -w "$dir/$out.pcap" "$dir/$name.pcap" "$work/later.pcap"
done
frames "$http" 1-9 11 10 > "$dir/reordered-final-ack.pcap"
frames "$http" 1 3 2 4-11 > "$dir/reordered-handshake.pcap"
editcap -s 60 "$http" "$dir/snaplen-60.pcap"
first_packet() { capinfos -S -a -T -r "$1" | cut -f2; }
editcap -t "$(awk -v a="$(first_packet "$http")" -v b="$(first_packet "$dir/retrans-syn.pcap")" \
              'BEGIN { printf "%.6f", a + 100 - b }')" "$dir/retrans-syn.pcap" "$work/later.pcap"
mergecap -w "$dir/time-wait-ended.pcap" "$http" "$work/later.pcap"
editcap -r "$http" "$work/synack.pcap" 2
editcap -t -0.001 "$work/synack.pcap" "$work/synack-early.pcap"
editcap "$http" "$work/no-synack.pcap" 2
mergecap -w "$dir/reordered-syn.pcap" "$work/synack-early.pcap" "$work/no-synack.pcap"
