#!/bin/bash
# Records midstream.pcap: a capture that starts in the middle of a connection. Real Linux TCP
# in two namespaces, captured on the client's veth. A long-lived connection (client port
# 40007, server port 80) exchanges a small "ping"/"pong" every 100 ms; after five rounds the
# client pauses until tcpdump is running, then does three more rounds and closes first (the
# server closes 0.2 s after end of file: a four-way close). The handshake is not captured.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/midstream.pcap
GO=/tmp/midstream-go-$$   # the client pauses from $GO.wait until $GO exists
netns_up
trap 'netns_down; rm -f $GO $GO.wait' EXIT

in_server $PY - <<'PY' &
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 80)); s.listen()
c, _ = s.accept()
while (m := c.recv(100)):
    c.send(m.replace(b"ping", b"pong"))
time.sleep(0.2); c.close()
PY
SERVER_PID=$!
sleep 0.3
in_client $PY - "$GO" <<'PY' &
import os, socket, sys, time
s = socket.socket(); s.bind(("192.0.2.1", 40007)); s.connect(("192.0.2.2", 80))
def rounds(first, n):
    for i in range(first, first + n):
        s.send(b"ping %d\n" % i); s.recv(100); time.sleep(0.1)
rounds(1, 5)
open(sys.argv[1] + ".wait", "w").close()
while not os.path.exists(sys.argv[1]): time.sleep(0.05)   # capture is running now
rounds(6, 3)
s.close(); time.sleep(0.5)
PY
CLIENT_PID=$!
until [ -e $GO.wait ]; do sleep 0.05; done
capture_start "$CLIENT_NS" veth-c "$OUT"
touch $GO
wait $CLIENT_PID $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
