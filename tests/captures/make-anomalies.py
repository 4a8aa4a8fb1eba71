#!/usr/bin/python3
"""Hand-made captures of what real TCP stacks do not send, one anomaly each (docs/verdicts.md).

Real Linux never sends data before its handshake completes, data past its own FIN, SYN+FIN,
or a RST far outside the window, so these few packets are made with scapy. Each capture is a
short connection between 192.0.2.1:40100 (client) and 192.0.2.2:80 (server), with ISNs 1000
(client) and 5000 (server), and the anomalous segment in its natural place.
Run from anywhere: writes sample-pcaps/anomaly-*.pcap. Needs python3-scapy.
"""
import os

from scapy.all import IP, TCP, Ether, Raw, wrpcap

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sample-pcaps")
CLIENT, SERVER = ("192.0.2.1", 40100), ("192.0.2.2", 80)
C_ISN, S_ISN = 1000, 5000


# Each end numbers its IPv4 packets, as real stacks do (Linux: one counter per socket), so
# that no two segments look like one packet captured twice.
next_ip_id = {"c": 0x1000, "s": 0x5000}


def seg(frm, flags, seq, ack=0, data=b"", t=0.0):
    """One segment from the client ("c") or the server ("s") at time t."""
    src, dst = (CLIENT, SERVER) if frm == "c" else (SERVER, CLIENT)
    next_ip_id[frm] += 1
    pkt = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
           / IP(src=src[0], dst=dst[0], id=next_ip_id[frm])
           / TCP(sport=src[1], dport=dst[1], flags=flags, seq=seq, ack=ack, window=64240))
    if data:
        pkt = pkt / Raw(data)
    pkt.time = 1700000000 + t
    return pkt


def handshake():
    return [seg("c", "S", C_ISN, t=0.000),
            seg("s", "SA", S_ISN, C_ISN + 1, t=0.001),
            seg("c", "A", C_ISN + 1, S_ISN + 1, t=0.002)]


def four_way_close(c_seq, s_seq, t):
    return [seg("c", "FA", c_seq, s_seq, t=t),
            seg("s", "A", s_seq, c_seq + 1, t=t + 0.001),
            seg("s", "FA", s_seq, c_seq + 1, t=t + 0.002),
            seg("c", "A", c_seq + 1, s_seq + 1, t=t + 0.003)]


def write(name, packets):
    wrpcap(os.path.join(OUT, f"anomaly-{name}.pcap"), packets)


# The client sends its request before the SYN+ACK has arrived.
write("data-before-handshake", [
    seg("c", "S", C_ISN, t=0.000),
    seg("c", "PA", C_ISN + 1, 0, b"GET / HTTP/1.0\r\n\r\n", t=0.001),
    seg("s", "SA", S_ISN, C_ISN + 1, t=0.002),
    seg("c", "A", C_ISN + 1, S_ISN + 1, t=0.003),
] + four_way_close(C_ISN + 1, S_ISN + 1, 0.010))

# The client closes, then sends more data past its FIN.
write("data-after-fin", handshake() + [
    seg("c", "FA", C_ISN + 1, S_ISN + 1, t=0.010),
    seg("c", "PA", C_ISN + 2, S_ISN + 1, b"more", t=0.011),
    seg("s", "A", S_ISN + 1, C_ISN + 2, t=0.012),
    seg("s", "FA", S_ISN + 1, C_ISN + 2, t=0.013),
    seg("c", "A", C_ISN + 2, S_ISN + 2, t=0.014),
])

# The client aborts; the server's data still follows.
write("data-after-rst", handshake() + [
    seg("c", "RA", C_ISN + 1, S_ISN + 1, t=0.010),
    seg("s", "PA", S_ISN + 1, C_ISN + 1, b"late reply", t=0.011),
])

# A fresh SYN from the client in the middle of an established connection.
write("syn-on-established", handshake() + [
    seg("c", "PA", C_ISN + 1, S_ISN + 1, b"hello", t=0.010),
    seg("s", "A", S_ISN + 1, C_ISN + 6, t=0.011),
    seg("c", "S", C_ISN + 1, t=0.012),
    seg("s", "A", S_ISN + 1, C_ISN + 6, t=0.013),
] + four_way_close(C_ISN + 6, S_ISN + 1, 0.020))

# Flags no stack combines, as a scanner sends them: a SYN+FIN probe (Linux answers it like a
# SYN) then a RST; a SYN+RST probe on another port; a segment with no flag at all in an
# established connection.
def from_port(port, packets):
    for p in packets:
        if p["TCP"].sport == CLIENT[1]:
            p["TCP"].sport = port
        else:
            p["TCP"].dport = port
    return packets


write("illegal-flags", [
    seg("c", "SF", C_ISN, t=0.000),
    seg("s", "SA", S_ISN, C_ISN + 1, t=0.001),
    seg("c", "R", C_ISN + 1, t=0.002),
] + from_port(40101, [seg("c", "SR", C_ISN, t=0.010)])
  + from_port(40102, handshake() + [seg("c", "", C_ISN + 1, S_ISN + 1, t=0.023)]
              + four_way_close(C_ISN + 1, S_ISN + 1, 0.030)))

# The server resets the connection; the client still sends an ACK, the server a RST again.
write("after-close", handshake() + [
    seg("s", "RA", S_ISN + 1, C_ISN + 1, t=0.010),
    seg("c", "A", C_ISN + 1, S_ISN + 1, t=0.011),
    seg("s", "R", S_ISN + 1, t=0.012),
])

# An off-path RST with a guessed sequence number far from the client's window; the
# connection goes on and closes normally.
write("rst-out-of-window", handshake() + [
    seg("c", "PA", C_ISN + 1, S_ISN + 1, b"hello", t=0.010),
    seg("s", "RA", S_ISN + 3000000, C_ISN + 6, t=0.011),
    seg("s", "PA", S_ISN + 1, C_ISN + 6, b"world", t=0.012),
] + four_way_close(C_ISN + 6, S_ISN + 6, 0.020))
