#!/bin/bash
# Records retrans-fin.pcap: a lost FIN. Real Linux TCP in two namespaces, captured on the
# server's veth: handshake, one request and reply, then the client closes; its FIN is captured
# and then dropped at the server (raw PREROUTING), so the client sends it again about 200 ms
# later (tail-loss probe). The server ACKs it and closes 0.2 s later (four-way close).
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/retrans-fin.pcap
netns_up
# Drop exactly one FIN: the first that matches (nth counter, packet 0 of every 1000).
in_server iptables -t raw -A PREROUTING -p tcp --tcp-flags FIN FIN -m statistic --mode nth --every 1000 --packet 0 -j DROP

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
s = socket.socket(); s.bind(("192.0.2.1", 40005)); s.connect(("192.0.2.2", 8080))
s.send(b"hello\n"); s.recv(100); time.sleep(0.1); s.close(); time.sleep(1)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
