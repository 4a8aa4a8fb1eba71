#!/bin/bash
# Records port-reuse.pcap: two connections in a row on the same 4-tuple. Real Linux TCP in two
# namespaces, captured on the client's veth. Connection 1 (client port 40008 -> 8080): request,
# reply, and the server closes first, so the server holds the 4-tuple in TIME_WAIT and the
# client ends CLOSED (after LAST_ACK). 0.3 s later the client binds the same port again
# (SO_REUSEADDR) and connects: Linux accepts a SYN for a 4-tuple in TIME_WAIT and starts a new
# connection on it. Connection 2: request, reply, the client closes first.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/port-reuse.pcap
netns_up

capture_start "$CLIENT_NS" veth-c "$OUT"
in_server $PY - <<'PY' &
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 8080)); s.listen()
c, _ = s.accept(); c.recv(100); c.send(b"one\n"); time.sleep(0.1); c.close()   # server first
c, _ = s.accept(); c.recv(100); c.send(b"two\n"); c.recv(100); time.sleep(0.2); c.close()
time.sleep(0.5)
PY
SERVER_PID=$!
sleep 0.3
in_client $PY - <<'PY'
import socket, time
for n, request in enumerate([b"first\n", b"second\n"]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("192.0.2.1", 40008)); s.connect(("192.0.2.2", 8080))
    s.send(request); s.recv(100)
    if n == 0:
        s.recv(100); time.sleep(0.2)   # wait for the server's FIN, then close
    else:
        time.sleep(0.1)
    s.close(); time.sleep(0.3)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
