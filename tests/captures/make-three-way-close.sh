#!/bin/bash
# Records sample-pcaps/three-way-close.pcap: a three-way close. The client (192.0.2.1:40003)
# sends a line to 192.0.2.2:8080, the server echoes it, the client closes first, and the server
# closes as soon as it reads EOF. Linux delays the ACK of a FIN by ~40 ms, so the server's FIN
# leaves first and carries that ACK: FIN, FIN+ACK, ACK (Wave 1/4, Wave 2+3/4, Wave 4/4).
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/three-way-close.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_server $PY -c '
import socket
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("192.0.2.2", 8080)); ls.listen(1)
s, _ = ls.accept()
while True:
    data = s.recv(1000)
    if not data:
        break
    s.sendall(data)          # echo
s.close()                    # close at once on EOF: FIN+ACK
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :8080" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40003)); s.connect(("192.0.2.2", 8080))
s.sendall(b"hello\n")
got = b""
while got != b"hello\n":
    got += s.recv(1000)
time.sleep(0.2)              # let the ACK of the echo go on its own
s.close()                    # the client closes first
time.sleep(0.2)
'
wait $SERVER_PID
capture_stop
