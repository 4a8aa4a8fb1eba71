# Shared set-up for the scripts that record the sample captures from real Linux TCP.
#
# Two network namespaces joined by a veth pair; all traffic stays inside them:
#   tcpst-c-PID (client)  veth-c  192.0.2.1  2001:db8::1
#   tcpst-s-PID (server)  veth-s  192.0.2.2  2001:db8::2
# The addresses are from the documentation ranges (RFC 5737, RFC 3849), so nothing here can
# leave this machine. Offloads are off so captured segments look as they would on a wire.
# Source this file; it needs root (ip netns, tcpdump, iptables).

set -euo pipefail

# Per-run names, so two recordings can run at once without tearing down each other's hosts.
CLIENT_NS=tcpst-c-$$
SERVER_NS=tcpst-s-$$
CLIENT_IP=192.0.2.1
SERVER_IP=192.0.2.2
CLIENT_IP6=2001:db8::1
SERVER_IP6=2001:db8::2
PY=/usr/bin/python3
CAPTURE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$CAPTURE_DIR/../.." && pwd)
SAMPLES_DIR=$REPO_DIR/sample-pcaps

in_client() { ip netns exec "$CLIENT_NS" "$@"; }
in_server() { ip netns exec "$SERVER_NS" "$@"; }

netns_down() {
    ip netns del "$CLIENT_NS" 2>/dev/null || true
    ip netns del "$SERVER_NS" 2>/dev/null || true
}

netns_up() {
    # Without ethtool the offloads stay on and the capture holds 64 KB "segments" no wire
    # carries: refuse rather than record those.
    command -v ethtool >/dev/null || { echo "ethtool is needed (apt-get install ethtool)" >&2; exit 1; }
    netns_down
    ip netns add "$CLIENT_NS"
    ip netns add "$SERVER_NS"
    ip link add veth-c netns "$CLIENT_NS" type veth peer name veth-s netns "$SERVER_NS"
    local ns dev ip4 ip6
    for spec in "$CLIENT_NS veth-c $CLIENT_IP $CLIENT_IP6" "$SERVER_NS veth-s $SERVER_IP $SERVER_IP6"; do
        read -r ns dev ip4 ip6 <<<"$spec"
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$ip4/24" dev "$dev"
        ip -n "$ns" addr add "$ip6/64" dev "$dev" nodad
        ip -n "$ns" link set "$dev" up
        ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null
    done
    trap netns_down EXIT
}

# capture_start NS DEV FILE: start tcpdump on DEV inside NS, writing FILE (TCP only, 200-byte
# snaplen keeps the sample small), and wait until it is listening.
capture_start() {
    local ns=$1 dev=$2 file=$3
    rm -f "$file"
    CAPTURE_LOG=$(mktemp)
    # --immediate-mode: without it the kernel hands tcpdump packets in blocks, and the last
    # ones can still be in flight when capture_stop ends it.
    ip netns exec "$ns" tcpdump -i "$dev" -s 200 -U --immediate-mode -Z root -w "$file" tcp \
        2>"$CAPTURE_LOG" &
    CAPTURE_PID=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$CAPTURE_LOG" 2>/dev/null && break
        sleep 0.1
    done
}

# capture_stop: let the last segments arrive, then stop tcpdump.
capture_stop() {
    sleep "${1:-0.5}"
    kill -INT "$CAPTURE_PID"
    wait "$CAPTURE_PID" 2>/dev/null || true
    rm -f "$CAPTURE_LOG"
}
