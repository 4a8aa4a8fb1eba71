#!/bin/bash
# Records sample-pcaps/gre-tunnel.pcap: a TCP connection carried through a GRE tunnel, captured
# on the underlay link, so every frame is eth/ip/gre/ip/tcp (the TCP header is one level down).
# Two namespaces joined by a veth pair (the underlay); all traffic stays inside them:
#   tcpst-c-PID (client)  veth-c 192.0.2.1/24   tunnel gre1 203.0.113.1 peer 203.0.113.2
#   tcpst-s-PID (server)  veth-s 192.0.2.2/24   tunnel gre1 203.0.113.2 peer 203.0.113.1
# This machine's kernel has no GRE driver (CONFIG_NET_IPGRE is not set: "ip tunnel add ... mode
# gre" fails with "No such device"), so each end runs a small user-space GRE endpoint, as
# user-space tunnel daemons do: a TUN device gre1 (MTU 1476, like a kernel GRE device) whose
# IPv4 packets are sent to the peer over a raw IP socket (protocol 47) behind a 4-byte RFC 2784
# GRE header (no checksum, key or sequence number; protocol type 0x0800), and GRE packets from
# the peer are stripped and written back to gre1. The TCP itself is the kernel's, end to end.
# The client (203.0.113.1:40021) sends "hello\n" to the server (203.0.113.2:8080), which
# answers "world\n". 0.2 s later the client closes; the server reads EOF, waits 200 ms and
# closes, so the close is four separate segments (FIN, ACK, FIN, ACK).
# Captured on the client's underlay veth (veth-c), filter "proto gre".
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/gre-tunnel.pcap
WORK=$(mktemp -d /tmp/tcpst-gre-tunnel.XXXXXX)
RELAY_PIDS=()

gre_down() {
    [ -n "${CAPTURE_PID:-}" ] && kill "$CAPTURE_PID" 2>/dev/null || true
    [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
    for pid in "${RELAY_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    netns_down
    rm -rf "$WORK"
}

netns_up                        # lib.sh: the two namespaces, veth-c/veth-s, 192.0.2.1/.2
trap gre_down EXIT

# The user-space GRE endpoint: gre-endpoint.py LOCAL REMOTE INNER_LOCAL INNER_PEER
cat >"$WORK/gre-endpoint.py" <<'PY'
import fcntl, os, select, socket, struct, subprocess, sys
local, remote, inner, peer = sys.argv[1:]
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
GRE_IPV4 = b"\x00\x00\x08\x00"          # flags/version 0, protocol type IPv4
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", b"gre1", IFF_TUN | IFF_NO_PI))
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
raw.bind((local, 0))
for cmd in (["sysctl", "-qw", "net.ipv6.conf.gre1.disable_ipv6=1"],
            ["ip", "link", "set", "gre1", "mtu", "1476", "up"],
            ["ip", "addr", "add", inner, "peer", peer + "/32", "dev", "gre1"],
            ["ethtool", "-K", "gre1", "tso", "off", "gso", "off", "gro", "off", "tx", "off"]):
    subprocess.run(cmd, check=cmd[0] != "ethtool", stderr=subprocess.DEVNULL)
print("ready", flush=True)
while True:
    ready, _, _ = select.select([tun, raw], [], [])
    if tun in ready:                    # encapsulate: inner IPv4 packet -> GRE to the peer
        pkt = os.read(tun, 65535)
        if pkt and pkt[0] >> 4 == 4:
            raw.sendto(GRE_IPV4 + pkt, (remote, 0))
    if raw in ready:                    # decapsulate: outer IP + GRE from the peer -> gre1
        data, addr = raw.recvfrom(65535)
        ihl = (data[0] & 0x0F) * 4
        if addr[0] == remote and data[ihl:ihl + 4] == GRE_IPV4:
            os.write(tun, data[ihl + 4:])
PY
for spec in "$CLIENT_NS 192.0.2.1 192.0.2.2 203.0.113.1 203.0.113.2" \
            "$SERVER_NS 192.0.2.2 192.0.2.1 203.0.113.2 203.0.113.1"; do
    read -r ns local remote inner peer <<<"$spec"
    ip netns exec "$ns" $PY "$WORK/gre-endpoint.py" "$local" "$remote" "$inner" "$peer" \
        >"$WORK/$ns.out" &
    RELAY_PIDS+=($!)
    until grep -qs ready "$WORK/$ns.out"; do sleep 0.05; done
done

rm -f "$OUT"
ip netns exec "$CLIENT_NS" tcpdump -i veth-c -s 200 -U -Z root -w "$OUT" proto gre 2>"$WORK/tcpdump.log" &
CAPTURE_PID=$!
for _ in $(seq 50); do grep -qs "listening on" "$WORK/tcpdump.log" && break; sleep 0.1; done

ip netns exec "$SERVER_NS" $PY -c '
import socket, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("203.0.113.2", 8080)); ls.listen(1)
s, _ = ls.accept()
s.recv(100); s.sendall(b"world\n")
while s.recv(100):           # wait for EOF
    pass
time.sleep(0.2)              # EOF seen: close 200 ms later (separate ACK and FIN)
s.close()
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :8080" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(); s.bind(("203.0.113.1", 40021)); s.connect(("203.0.113.2", 8080))
s.sendall(b"hello\n")
resp = b""
while not resp.endswith(b"world\n"):
    resp += s.recv(100)
time.sleep(0.2)              # let the ACK of the reply go on its own
s.close()                    # the client closes first
time.sleep(0.5)
'
wait "$SERVER_PID"
SERVER_PID=
sleep 1.5                    # tcpdump hands over packets in blocks of up to 1 s
kill -INT "$CAPTURE_PID"
wait "$CAPTURE_PID" 2>/dev/null || true
CAPTURE_PID=
