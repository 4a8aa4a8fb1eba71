#!/bin/bash
# Records retrans-final-ack.pcap: a lost final ACK (Wave 4/4). Real Linux TCP in two namespaces,
# captured on the server's veth: handshake, one request and reply, the client closes, the server
# ACKs and closes 0.2 s later. Just before its close() the server (in its namespace) adds a rule
# that drops the next packet from the client after capture: the final ACK. So the server sends
# its FIN again about 200 ms later, and the client, in TIME_WAIT, ACKs it again.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/retrans-final-ack.pcap
netns_up

capture_start "$SERVER_NS" veth-s "$OUT"
in_server $PY - <<'PY' &
import socket, subprocess, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 8080)); s.listen()
c, _ = s.accept(); c.recv(100); c.send(b"world\n")
c.recv(100); time.sleep(0.2)
# drop exactly one packet: the client's next one, which is the ACK of the FIN sent below
subprocess.run("iptables -t raw -A PREROUTING -p tcp -s 192.0.2.1 -m statistic"
               " --mode nth --every 1000 --packet 0 -j DROP", shell=True, check=True)
c.close(); time.sleep(1)
PY
SERVER_PID=$!
sleep 0.3
in_client $PY - <<'PY'
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40006)); s.connect(("192.0.2.2", 8080))
s.send(b"hello\n"); s.recv(100); time.sleep(0.1); s.close(); time.sleep(1)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
