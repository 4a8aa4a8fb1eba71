#!/bin/bash
# Records sample-pcaps/half-close.pcap: a half-close. The client (192.0.2.1:40004) sends a request
# to 192.0.2.2:8080 and then shutdown(SHUT_WR)s its side (FIN). The server reads the request up to
# EOF (its kernel ACKs the FIN after ~40 ms), waits 100 ms, then keeps sending: three data
# segments 100 ms apart, each ACKed by the client from FIN_WAIT_2. 100 ms after the last one the
# server closes, and the client ACKs its FIN.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/half-close.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_server $PY -c '
import socket, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("192.0.2.2", 8080)); ls.listen(1)
s, _ = ls.accept()
while s.recv(1000):          # read the request until the client half-closes
    pass
time.sleep(0.1)              # the ACK of the FIN goes on its own
for i in range(1, 4):
    s.sendall(b"line %d of the answer, sent after the client half-closed\n" % i)
    time.sleep(0.1)
s.close()
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :8080" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40004)); s.connect(("192.0.2.2", 8080))
s.sendall(b"SEND ALL\n")
time.sleep(0.1)              # the server ACKs the request before the FIN
s.shutdown(socket.SHUT_WR)   # half-close: FIN, but keep reading
while s.recv(1000):
    pass
s.close()
'
wait $SERVER_PID
capture_stop
