#!/bin/bash
# Records retrans-syn.pcap: a lost SYN. Real Linux TCP in two namespaces; the client's first
# SYN is captured on the server's veth and then dropped there (raw PREROUTING), so the client
# retransmits it about 1 s later; the handshake then completes, one request and reply, and the
# client closes first (the server closes 0.2 s after it sees end of file: a four-way close).
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/retrans-syn.pcap
netns_up
# Drop exactly one SYN: the first packet that matches (nth counter, packet 0 of every 1000).
in_server iptables -t raw -A PREROUTING -p tcp --syn -m statistic --mode nth --every 1000 --packet 0 -j DROP

capture_start "$SERVER_NS" veth-s "$OUT"
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
s = socket.socket(); s.bind(("192.0.2.1", 40003)); s.connect(("192.0.2.2", 8080))
s.send(b"hello\n"); s.recv(100); time.sleep(0.1); s.close(); time.sleep(0.5)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
