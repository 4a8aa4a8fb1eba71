#!/bin/bash
# Records sample-pcaps/refused.pcap: a refused connection. The client (192.0.2.1:40007) connects
# to 192.0.2.2:8080, where nothing listens; the server's kernel answers the SYN with RST+ACK and
# connect() fails with ECONNREFUSED.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/refused.pcap

netns_up
capture_start "$CLIENT_NS" veth-c "$OUT"
trap 'kill $CAPTURE_PID 2>/dev/null || true; netns_down' EXIT

in_client $PY -c '
import socket
s = socket.socket(); s.bind(("192.0.2.1", 40007))
try:
    s.connect(("192.0.2.2", 8080))
    raise SystemExit("connect() unexpectedly succeeded")
except ConnectionRefusedError:
    pass
'
capture_stop
