#!/bin/bash
# Records retrans-synack.pcap: a lost SYN+ACK. Real Linux TCP in two namespaces; the server's
# first SYN+ACK is captured on the client's veth and then dropped there (raw PREROUTING). About
# 1 s later the client retransmits its SYN, the server answers it with its SYN+ACK again, the
# client ACKs, and then the server's own SYN+ACK timer (which fires in the same tick) sends the
# SYN+ACK a third time, so the client sends its ACK again. Then one request and reply, and the
# client closes first (four-way close). This shape was the same on every run here.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/retrans-synack.pcap
netns_up
# Drop exactly one SYN+ACK: the first that matches (nth counter, packet 0 of every 1000).
in_client iptables -t raw -A PREROUTING -p tcp --tcp-flags SYN,ACK SYN,ACK -m statistic --mode nth --every 1000 --packet 0 -j DROP

capture_start "$CLIENT_NS" veth-c "$OUT"
in_server $PY - <<'PY' &
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 8080)); s.listen()
c, _ = s.accept(); c.recv(100); c.send(b"world\n")
c.recv(100); time.sleep(0.2); c.close()
PY
SERVER_PID=$!
sleep 0.3
in_client $PY - <<'PY'
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40004)); s.connect(("192.0.2.2", 8080))
s.send(b"hello\n"); s.recv(100); time.sleep(0.1); s.close(); time.sleep(0.5)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
