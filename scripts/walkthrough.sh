#!/bin/sh
# walkthrough.sh PLUGIN_SO CAPTURE [DISPLAY_FILTER]
# Prints, one line per TCP packet, what tcpstate says: frame, direction, flags, relative
# seq/ack, step, and the client's and server's states after the packet - the tutorial's
# walk-through, from a real capture.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
plugin=$1 capture=$2 filter=${3:-tcpstate}

"$here/../tests/tshark-plugin.sh" "$plugin" "$capture" -Y "$filter" -T fields \
    -E separator=/t -e frame.number -e tcpstate.sender -e tcp.flags -e tcp.seq -e tcp.ack \
    -e tcp.len -e tcpstate.step -e tcpstate.client.state -e tcpstate.server.state |
awk -F '\t' '
function hex_value(hex,    v, i) {
    v = 0
    for (i = 3; i <= length(hex); i++)
        v = v * 16 + index("0123456789abcdef", tolower(substr(hex, i, 1))) - 1
    return v
}
function flag_names(hex,    v, out, i, n) {
    split("FIN SYN RST PSH ACK URG", n, " ")
    v = hex_value(hex); out = ""
    for (i = 1; i <= 6; i++)
        if (int(v / 2 ^ (i - 1)) % 2) out = out (out == "" ? "" : "+") n[i]
    return out
}
BEGIN {
    fmt = "%5s  %-16s  %-11s  %6s  %6s  %4s  %-36s  %-11s  %s\n"
    printf fmt, "frame", "direction", "flags", "seq", "ack", "len", "step", "client", "server"
}
{
    dir = $2 == "client" ? "client -> server" : "server -> client"
    printf fmt, $1, dir, flag_names($3), $4, $5, $6, ($7 == "" ? "-" : $7), $8, $9
}'
