#!/bin/bash
# Records simultaneous-open.pcap: a simultaneous open (SYN crossing SYN). Real Linux TCP in two
# namespaces, captured on 192.0.2.1's veth. Both ends bind a fixed port and connect() to each
# other, 192.0.2.1 about 20 ms first. Every incoming TCP segment is held 200 ms in each
# namespace (iptables NFQUEUE + nfq-delay.c: a link with 200 ms latency), so the two SYNs cross
# and each end sends a SYN+ACK before it sees the other's; Linux then ACKs the peer's SYN+ACK
# on each side. Then 192.0.2.1 sends a short message, 192.0.2.2 replies, 192.0.2.1 closes first.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/simultaneous-open.pcap
NFQ=/tmp/nfq-delay-$$
cc -O2 -o $NFQ "$CAPTURE_DIR/nfq-delay.c" -lnetfilter_queue
netns_up
trap 'kill $(jobs -p) 2>/dev/null; netns_down; rm -f $NFQ $NFQ-*.out $NFQ.py' EXIT
for ns in "$CLIENT_NS" "$SERVER_NS"; do
    ip netns exec "$ns" iptables -t raw -A PREROUTING -p tcp -j NFQUEUE --queue-num 0
    ip netns exec "$ns" $NFQ 0 200 >$NFQ-$ns.out &
    until grep -q ready $NFQ-$ns.out; do sleep 0.05; done
done

capture_start "$CLIENT_NS" veth-c "$OUT"
# Both ends run this: MY_IP MY_PORT PEER_IP PEER_PORT START_DELAY FIRST
cat >$NFQ.py <<'PY'
import socket, sys, time
me, port, peer, pport, delay, first = sys.argv[1:]
s = socket.socket(); s.bind((me, int(port))); time.sleep(float(delay))
s.connect((peer, int(pport)))
if first == "1":
    s.send(b"hello\n"); s.recv(100); time.sleep(0.3); s.close()
else:
    s.recv(100); s.send(b"world\n"); s.recv(100); time.sleep(0.2); s.close()
time.sleep(0.5)
PY
in_server $PY $NFQ.py 192.0.2.2 40002 192.0.2.1 40001 0.32 0 &
SERVER_PID=$!
in_client $PY $NFQ.py 192.0.2.1 40001 192.0.2.2 40002 0.30 1
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
