#!/bin/bash
# Records sample-pcaps/rst-abort-server.pcap: the server aborts an established connection.
# The client (192.0.2.1:40006) sends "ping" to 192.0.2.2:8080, the server answers "pong"; 200 ms
# later the server sets SO_LINGER {on, 0 s} and closes, so Linux sends a RST instead of a FIN.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/rst-abort-server.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_server $PY -c '
import socket, struct, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("192.0.2.2", 8080)); ls.listen(1)
s, _ = ls.accept()
s.recv(1000)
s.sendall(b"pong\n")
time.sleep(0.2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                    # abort: RST
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :8080" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket
s = socket.socket(); s.bind(("192.0.2.1", 40006)); s.connect(("192.0.2.2", 8080))
s.sendall(b"ping\n")
s.recv(1000)
try:
    s.recv(1000)             # ends with the RST
except ConnectionResetError:
    pass
s.close()
'
wait $SERVER_PID
capture_stop
