#!/bin/bash
# Records sample-pcaps/server-close-first.pcap: the SERVER closes first (HTTP/1.0 style).
# The client (192.0.2.1:40002) sends an HTTP/1.0 GET to 192.0.2.2:80; the server sends the
# response, waits 100 ms (so the client's ACK of it comes first) and closes. The client reads EOF,
# waits 200 ms and closes, so its ACK of the server's FIN (~40 ms) and its own FIN are separate:
# a four-way close in which the server is the active closer and ends in TIME_WAIT.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/server-close-first.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_server $PY -c '
import socket, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("192.0.2.2", 80)); ls.listen(1)
s, _ = ls.accept()
req = b""
while b"\r\n\r\n" not in req:
    req += s.recv(1000)
body = b"Hello, world\n"
s.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
          b"Connection: close\r\n\r\n%s" % (len(body), body))
time.sleep(0.1)
s.close()                    # the server closes first
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :80" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40002)); s.connect(("192.0.2.2", 80))
s.sendall(b"GET /hello.txt HTTP/1.0\r\nHost: 192.0.2.2\r\nUser-Agent: tcpstate-sample\r\n\r\n")
while s.recv(1000):          # read the response until the server closes
    pass
time.sleep(0.2)              # EOF seen: close 200 ms later (separate ACK and FIN)
s.close()
'
wait $SERVER_PID
capture_stop
