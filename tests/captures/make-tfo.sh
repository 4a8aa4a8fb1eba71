#!/bin/bash
# Records tfo.pcap: TCP Fast Open. Real Linux TCP in two namespaces (net.ipv4.tcp_fastopen=3 in
# both), captured on the client's veth. Connection 1 (client port 40009): the client has no
# cookie yet, so sendto(MSG_FASTOPEN) sends a SYN asking for one (no data); the server's SYN+ACK
# carries the cookie; the request follows the handshake; reply; the client closes first.
# Connection 2 (client port 40010): sendto(MSG_FASTOPEN) puts the request in the SYN with the
# cookie, the server accepts it (its SYN+ACK acknowledges the data), replies, client closes.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/tfo.pcap
netns_up
in_client sysctl -qw net.ipv4.tcp_fastopen=3
in_server sysctl -qw net.ipv4.tcp_fastopen=3

capture_start "$CLIENT_NS" veth-c "$OUT"
in_server $PY - <<'PY' &
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
s.bind(("192.0.2.2", 8080)); s.listen()
for _ in range(2):
    c, _ = s.accept(); c.recv(100); c.send(b"world\n"); c.recv(100); time.sleep(0.2); c.close()
time.sleep(0.5)
PY
SERVER_PID=$!
sleep 0.3
in_client $PY - <<'PY'
import socket, time
for port in (40009, 40010):
    s = socket.socket(); s.bind(("192.0.2.1", port))
    s.sendto(b"hello\n", socket.MSG_FASTOPEN, ("192.0.2.2", 8080))
    s.recv(100); time.sleep(0.1); s.close(); time.sleep(0.5)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
