#!/usr/bin/env python3
"""How evenly tcpstate-parallel's split spreads connections over N shards, against the plain
XOR of addresses and ports, on kinds of traffic that trouble a hash.

  python3 bench/balance.py [-n CONNECTIONS]

For each kind of traffic it writes a capture of one SYN per connection (to a temporary
folder) and counts, with tcpdump --count and each shard's real libpcap filter, how many
connections each shard gets, for N = 2, 3, 4, 8. Prints the largest shard's share over the
even share (1.00 is perfect; N means every connection in one shard). Needs tcpdump.
"""
import argparse
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), "scripts", "tcpstate-parallel")


def load_tool():
    scope = {"__file__": TOOL, "__name__": "tcpstate_parallel"}
    exec(compile(open(TOOL).read(), TOOL, "exec"), scope)
    return scope


def ip4(text):
    return bytes(int(x) for x in text.split("."))


def syn_frame(src, dst, sport, dport):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 65535, 0, 0)
    if len(src) == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, src, dst)
        ethertype = b"\x08\x00"
    else:
        ip = struct.pack("!IHBB16s16s", 6 << 28, 20, 6, 64, src, dst)
        ethertype = b"\x86\xdd"
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02" + ethertype + ip + tcp


def kinds(n, rng):
    """name -> list of (src, dst, sport, dport)."""
    server4, server6 = ip4("192.0.2.10"), bytes.fromhex("20010db8000000000000000000000010")
    return {
        "random clients and ports (as tools/gen-capture)": [
            (ip4(f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"),
             server4, rng.randrange(1024, 65536), 443) for _ in range(n)],
        "one Linux client, one server (connect() takes even ports)": [
            (ip4("10.0.0.5"), server4, 32768 + 2 * i % 28232, 443) for i in range(n)],
        "one client, one server, ports one after another": [
            (ip4("10.0.0.5"), server4, 49152 + i % 16384, 443) for i in range(n)],
        "clients 10.X.Y.1 (low octet fixed), source port fixed": [
            (ip4(f"10.{i // 256 % 256}.{i % 256}.1"), server4, 5000, 443) for i in range(n)],
        "IPv6: one client, one server, even ports": [
            (bytes.fromhex("20010db8000000010000000000000005"), server6, 32768 + 2 * i % 28232,
             443) for i in range(n)],
        "IPv6 clients /64 random, random ports": [
            (bytes.fromhex("20010db80000000" + "1") + rng.randbytes(8), server6,
             rng.randrange(1024, 65536), 443) for _ in range(n)],
    }


def write_pcap(path, tuples):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, t in enumerate(tuples):
            frame = syn_frame(*t)
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000 * 1000, len(frame),
                                len(frame)) + frame)


def counts(capture, filters):
    out = []
    for bpf in filters:
        proc = subprocess.run(["tcpdump", "-r", capture, "--count", bpf], capture_output=True,
                              text=True, check=True)
        out.append(int(proc.stdout.split()[0]))
    return out


def xor_filter(n, k):
    return (f"(ip and tcp and (ip[12:4] ^ ip[16:4] ^ tcp[0:2] ^ tcp[2:2]) % {n} = {k}) or "
            f"(ip6 and ip6[6] = 6 and (ip6[8:4] ^ ip6[12:4] ^ ip6[16:4] ^ ip6[20:4] ^ ip6[24:4]"
            f" ^ ip6[28:4] ^ ip6[32:4] ^ ip6[36:4] ^ ip6[40:2] ^ ip6[42:2]) % {n} = {k})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000, help="connections per kind (default 2000)")
    args = ap.parse_args()
    tool = load_tool()
    rng = random.Random(1)
    shard_counts = (2, 3, 4, 8)
    print(f"largest shard / even share, {args.n} connections each "
          f"(XOR of addresses and ports | tcpstate-parallel's mixed sum)")
    print(f"{'':58}" + "".join(f"{'N=%d' % n:>14}" for n in shard_counts))
    with tempfile.TemporaryDirectory() as tmp:
        for name, tuples in kinds(args.n, rng).items():
            capture = os.path.join(tmp, "kind.pcap")
            write_pcap(capture, tuples)
            cells = []
            for n in shard_counts:
                plain = counts(capture, [xor_filter(n, k) for k in range(n)])
                mixed = counts(capture, [tool["shard_filter"](n, k) for k in range(n)])
                if sum(plain) != args.n or sum(mixed) != args.n:
                    sys.exit(f"{name}: the shards hold {sum(plain)} and {sum(mixed)} "
                             f"connections, not {args.n}")
                cells.append(f"{max(plain) * n / args.n:5.2f} |{max(mixed) * n / args.n:5.2f}")
            print(f"{name:58}" + "".join(f"{c:>14}" for c in cells))


if __name__ == "__main__":
    main()
