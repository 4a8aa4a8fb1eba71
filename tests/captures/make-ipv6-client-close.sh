#!/bin/bash
# Records sample-pcaps/ipv6-client-close.pcap: the demo exchange over IPv6. The client
# ([2001:db8::1]:40009) sends one keep-alive HTTP/1.1 GET to [2001:db8::2]:80, which answers 200
# with a short body; the client closes first, the server closes 200 ms after reading EOF:
# SYN, SYN+ACK, ACK, data..., FIN, ACK, FIN, ACK.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/ipv6-client-close.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_server $PY -c '
import socket, time
ls = socket.socket(socket.AF_INET6); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("2001:db8::2", 80)); ls.listen(1)
s, _ = ls.accept()
req = b""
while b"\r\n\r\n" not in req:
    req += s.recv(1000)
body = b"Hello, world\n"
s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
          b"Connection: keep-alive\r\n\r\n%s" % (len(body), body))
while s.recv(1000):          # keep-alive: wait for the next request, or EOF
    pass
time.sleep(0.2)              # EOF seen: close 200 ms later (separate ACK and FIN)
s.close()
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :80" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(socket.AF_INET6); s.bind(("2001:db8::1", 40009)); s.connect(("2001:db8::2", 80))
s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: [2001:db8::2]\r\nUser-Agent: tcpstate-sample\r\n\r\n")
resp = b""
while not resp.endswith(b"Hello, world\n"):
    resp += s.recv(1000)
time.sleep(0.2)              # let the ACK of the response go on its own
s.close()                    # the client closes first
'
wait $SERVER_PID
capture_stop
