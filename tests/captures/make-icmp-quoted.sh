#!/bin/bash
# Records sample-pcaps/icmp-quoted.pcap: path MTU discovery on real Linux TCP, so the capture
# holds ICMP "fragmentation needed" errors that quote the client's own TCP segments.
# Three namespaces; all traffic stays inside them:
#   tcpst-c-PID (client) veth-c 192.0.2.1/24, MTU 1500
#       |
#   tcpst-r-PID (router) veth-rc 192.0.2.254/24 (MTU 1500), veth-rs 198.51.100.254/24 (MTU 576)
#       |
#   tcpst-s-PID (server) veth-s 198.51.100.2/24, MTU 1500
# The server's own link has MTU 1500, so it advertises MSS 1460 and the client sends full-size
# segments; only the router's link toward the server is narrow. The client (192.0.2.1:40011)
# connects to the server (198.51.100.2:8080) and writes 3000 bytes at once; Linux sets DF (path
# MTU discovery), so the router drops each segment too large for its 576-byte link and answers
# with ICMP type 3 code 4 (next-hop MTU 576) quoting it. The client lowers its path MTU and
# retransmits the data in segments that fit. 0.5 s later the client closes; the server reads
# EOF, waits 200 ms and closes, so the close is four separate segments (FIN, ACK, FIN, ACK).
# Captured on the client's link (veth-c), filter "tcp or icmp".
source "$(dirname "$0")/lib.sh"
ROUTER_NS=tcpst-r-$$
SERVER_IP=198.51.100.2
OUT=$SAMPLES_DIR/icmp-quoted.pcap
LOG=$(mktemp /tmp/tcpst-icmp-quoted.XXXXXX)
in_router() { ip netns exec "$ROUTER_NS" "$@"; }

three_down() {
    [ -n "${CAPTURE_PID:-}" ] && kill "$CAPTURE_PID" 2>/dev/null || true
    [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
    for ns in "$CLIENT_NS" "$ROUTER_NS" "$SERVER_NS"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -f "$LOG"
}
trap three_down EXIT

for ns in "$CLIENT_NS" "$ROUTER_NS" "$SERVER_NS"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done
ip link add veth-c netns "$CLIENT_NS" type veth peer name veth-rc netns "$ROUTER_NS"
ip link add veth-rs netns "$ROUTER_NS" type veth peer name veth-s netns "$SERVER_NS"
ip -n "$ROUTER_NS" link set veth-rs mtu 576      # the narrow hop: router -> server only
for spec in "$CLIENT_NS veth-c 192.0.2.1/24" "$ROUTER_NS veth-rc 192.0.2.254/24" \
            "$ROUTER_NS veth-rs 198.51.100.254/24" "$SERVER_NS veth-s $SERVER_IP/24"; do
    read -r ns dev addr <<<"$spec"
    ip -n "$ns" addr add "$addr" dev "$dev"
    ip -n "$ns" link set "$dev" up
    ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done
ip -n "$CLIENT_NS" route add default via 192.0.2.254
ip -n "$SERVER_NS" route add default via 198.51.100.254
in_router sysctl -qw net.ipv4.ip_forward=1
in_client sysctl -qw net.ipv4.ip_no_pmtu_disc=0   # the default: DF set, path MTU discovery on

rm -f "$OUT"
ip netns exec "$CLIENT_NS" tcpdump -i veth-c -s 200 -U -Z root -w "$OUT" 'tcp or icmp' 2>"$LOG" &
CAPTURE_PID=$!
for _ in $(seq 50); do grep -qs "listening on" "$LOG" && break; sleep 0.1; done

ip netns exec "$SERVER_NS" $PY -c '
import socket, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("198.51.100.2", 8080)); ls.listen(1)
s, _ = ls.accept()
while s.recv(4096):          # read the data until EOF
    pass
time.sleep(0.2)              # EOF seen: close 200 ms later (separate ACK and FIN)
s.close()
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :8080" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40011)); s.connect(("198.51.100.2", 8080))
s.sendall(bytes(range(256)) * 11 + bytes(184))   # 3000 bytes in one write
time.sleep(0.5)              # ICMP, smaller retransmissions, all data acknowledged
s.close()                    # the client closes first
time.sleep(0.5)
'
wait "$SERVER_PID"
SERVER_PID=
sleep 1.5                    # tcpdump hands over packets in blocks of up to 1 s
kill -INT "$CAPTURE_PID"
wait "$CAPTURE_PID" 2>/dev/null || true
CAPTURE_PID=
