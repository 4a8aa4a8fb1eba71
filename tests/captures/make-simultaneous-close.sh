#!/bin/bash
# Records simultaneous-close.pcap: a simultaneous close (FIN crossing FIN). Real Linux TCP in
# two namespaces, captured on the client's veth. Every incoming TCP segment is held 100 ms in
# each namespace (iptables NFQUEUE + nfq-delay.c: a link with 100 ms latency; short enough
# that no FIN is retransmitted). After one request and reply, both ends call shutdown(SHUT_WR)
# at an agreed instant, the client 20 ms before the server, so each FIN leaves before the
# other's arrives: FIN, FIN (neither acking the other's), then the server's ACK of the client's
# FIN, then the client's ACK of the server's FIN; both end in TIME_WAIT.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/simultaneous-close.pcap
NFQ=/tmp/nfq-delay-$$
cc -O2 -o $NFQ "$CAPTURE_DIR/nfq-delay.c" -lnetfilter_queue
netns_up
trap 'kill $(jobs -p) 2>/dev/null; netns_down; rm -f $NFQ $NFQ-*.out' EXIT
for ns in "$CLIENT_NS" "$SERVER_NS"; do
    ip netns exec "$ns" iptables -t raw -A PREROUTING -p tcp -j NFQUEUE --queue-num 0
    ip netns exec "$ns" $NFQ 0 100 >$NFQ-$ns.out &
    until grep -q ready $NFQ-$ns.out; do sleep 0.05; done
done

CLOSE_AT=$(date -d '+2 seconds' +%s.%N)   # the instant both ends shut down
capture_start "$CLIENT_NS" veth-c "$OUT"
in_server $PY - "$CLOSE_AT" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 8080)); s.listen()
c, _ = s.accept(); c.recv(100); c.send(b"world\n")
time.sleep(float(sys.argv[1]) + 0.02 - time.time()); c.shutdown(socket.SHUT_WR)
c.recv(100); c.close(); time.sleep(0.5)
PY
SERVER_PID=$!
sleep 0.3
in_client $PY - "$CLOSE_AT" <<'PY'
import socket, sys, time
s = socket.socket(); s.bind(("192.0.2.1", 40002)); s.connect(("192.0.2.2", 8080))
s.send(b"hello\n"); s.recv(100)
time.sleep(float(sys.argv[1]) - time.time()); s.shutdown(socket.SHUT_WR)
s.recv(100); s.close(); time.sleep(0.5)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
