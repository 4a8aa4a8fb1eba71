#!/bin/bash
# Records bad-synack-ack.pcap: a SYN+ACK whose ACK number is not ISN+1 (the tutorial's check).
# No real stack sends that, so the server side is scapy in the server namespace (whose own
# kernel RSTs are dropped by iptables, so only scapy answers), against a REAL Linux client
# connect() from port 40011, captured on the client's veth. Scapy answers the SYN with a
# SYN+ACK acknowledging the ISN itself (the "+1" forgotten); the client rejects it with a RST
# (seq = that ACK number, no ACK flag) and stays in SYN_SENT: Linux then retransmits its SYN
# after only a few ms (it re-arms the SYN timer at its minimum after such a RST). Scapy answers
# that one correctly (new ISN, ACK = ISN+1); the client ACKs, waits 0.2 s and closes; scapy
# answers the FIN with FIN+ACK at once and the client sends the last ACK.
source "$(dirname "$0")/lib.sh"
OUT=$SAMPLES_DIR/bad-synack-ack.pcap
READY=/tmp/bad-synack-ready-$$
netns_up
trap 'netns_down; rm -f $READY' EXIT
in_server iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP

capture_start "$CLIENT_NS" veth-c "$OUT"
in_server $PY - "$READY" <<'PY' &
import sys
from scapy.all import AsyncSniffer, IP, TCP, conf, send
conf.verb = 0
ip = IP(src="192.0.2.2", dst="192.0.2.1")
syns = []
def answer(p):
    t = p[TCP]
    if t.flags == "S":
        syns.append(t.seq)
        if len(syns) == 1:  # the bad one: acknowledges the ISN itself, not ISN+1
            send(ip / TCP(sport=8080, dport=t.sport, flags="SA", seq=1000000, ack=t.seq))
        else:               # a correct one, with a new ISN, as a reset server would send
            send(ip / TCP(sport=8080, dport=t.sport, flags="SA", seq=2000000, ack=t.seq + 1))
    elif t.flags.F:         # the client's FIN: ACK it and close at once (FIN+ACK)
        send(ip / TCP(sport=8080, dport=t.sport, flags="FA", seq=2000001, ack=t.seq + 1))
sniffer = AsyncSniffer(iface="veth-s", filter="tcp and dst host 192.0.2.2 and dst port 8080",
                       prn=answer, stop_filter=lambda p: p[TCP].flags.F,
                       started_callback=lambda: open(sys.argv[1], "w").close())
sniffer.start(); sniffer.join(timeout=10)
PY
SERVER_PID=$!
until [ -e $READY ]; do sleep 0.05; done
in_client $PY - <<'PY'
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 40011)); s.connect(("192.0.2.2", 8080))
time.sleep(0.2); s.close(); time.sleep(0.5)
PY
wait $SERVER_PID
capture_stop 1.5   # tcpdump hands over packets in blocks of up to 1 s
