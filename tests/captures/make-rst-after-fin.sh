#!/bin/bash
# Records sample-pcaps/rst-after-fin.pcap: a RST after a FIN. The client (192.0.2.1:40008) sends
# a line to 192.0.2.2:8080, then shutdown(SHUT_WR)s (FIN). The server reads up to EOF (its kernel
# ACKs the FIN after ~40 ms), waits 200 ms, then sets SO_LINGER {on, 0 s} and closes from
# CLOSE_WAIT: Linux aborts with a RST instead of sending its own FIN.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/rst-after-fin.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_server $PY -c '
import socket, struct, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("192.0.2.2", 8080)); ls.listen(1)
s, _ = ls.accept()
while s.recv(1000):          # read until the client half-closes
    pass
time.sleep(0.2)              # the ACK of the FIN goes first
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                    # abort: RST
' &
SERVER_PID=$!
until in_server ss -Hltn "sport = :8080" | grep -q .; do sleep 0.05; done

in_client $PY -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40008)); s.connect(("192.0.2.2", 8080))
s.sendall(b"hello\n")
time.sleep(0.1)              # the server ACKs the line before the FIN
s.shutdown(socket.SHUT_WR)   # FIN
try:
    s.recv(1000)             # ends with the RST
except ConnectionResetError:
    pass
s.close()
'
wait $SERVER_PID
capture_stop
