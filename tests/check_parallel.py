#!/usr/bin/env python3
"""check_parallel.py PLUGIN CAPTURE...          scripts/tcpstate-parallel prints what one tshark does
   check_parallel.py PLUGIN --corpus DIR        the same on every capture of DIR (skip if none)
   check_parallel.py PLUGIN --generated GEN     ... on 20,000 generated connections that reuse
                                                about 480 4-tuples (bench/gen-capture -R)
   check_parallel.py PLUGIN --hosts GEN         ... through -S, on two "hosts" (tests/fake-ssh.sh)
   check_parallel.py PLUGIN --fragments         ... on connections one of which sends a segment
                                                in two IPv4 fragments (then the hash must use
                                                the addresses alone)
   check_parallel.py PLUGIN --failure GEN       one of three shards fails: an error, exit status 1,
                                                and nothing on standard output

tcpstate-parallel splits a capture by connection, runs tshark with the plugin on each shard
and merges the outputs. On every capture, the merge must equal one tshark's output:
- the connection table (-z tcpstate,conv,tsv) row for row, every column but the stream index
  (tcpstate-parallel numbers streams 0, 1, 2... by first frame; tshark's tcp.stream also
  counts streams tcpstate does not report, such as TCP headers quoted in ICMP errors);
- the statistics tree (-z tcpstate,tree): every node, in order, with its count;
- -T fields rows: the same rows in the same order with the capture's own frame numbers
  (frame.number, tcpstate.syn_frame, tcpstate.fin_frame, tcpstate.duplicate_of, and the frame
  a step label names: "Duplicate of frame 3"), frame.time_relative from the capture's first
  packet, and tcpstate.stream grouping the rows as tshark's does.
Skipped (77) where GNU parallel, tcpdump (or, for --hosts, rsync) is not installed.
"""
import collections
import concurrent.futures
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

from check_reports import conv_rows
from tcpstate_test import SKIP, corpus_captures, run_each, tshark

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), "scripts", "tcpstate-parallel")
FAKE_SSH = os.path.join(HERE, "fake-ssh.sh")
FIELDS = ["frame.number", "tcpstate.stream", "tcpstate.step", "tcpstate.client.state",
          "tcpstate.server.state", "tcpstate.syn_frame", "tcpstate.fin_frame",
          "tcpstate.duplicate_of", "frame.time_relative"]
STREAM = FIELDS.index("tcpstate.stream")
REPORTS = ["-z", "tcpstate,tree", "-z", "tcpstate,conv,tsv"]


def field_args():
    args = ["-T", "fields"]
    for f in FIELDS:
        args += ["-e", f]
    return args


def single(plugin, capture):
    """One tshark: the rows, then the reports (burst figures off: they cannot be merged)."""
    out, _ = tshark(plugin, capture, "-o", "statistics.st_enable_burstinfo:FALSE",
                    *field_args(), *REPORTS)
    return out


def parallel(plugin, capture, *options, env=None):
    return subprocess.run([TOOL, "--plugin", plugin, *options, capture, *field_args(),
                           *REPORTS], capture_output=True, text=True, env=env)


def parse(text):
    """(rows, conv rows as dicts, tree nodes as (depth, name, count))."""
    lines = text.split("\n")
    i = 0
    rows = []
    while i < len(lines) and re.match(r"^\d+\t", lines[i]):
        rows.append(lines[i].split("\t"))
        i += 1
    rest = lines[i:]
    conv = conv_rows("\n".join(rest))
    top = next(j for j, line in enumerate(rest) if line.startswith("Topic / Item"))
    width = rest[top].index(" Count")
    tree = []
    for line in rest[top + 2:]:
        if not line:
            break
        tree.append((len(line) - len(line.lstrip(" ")), line[:width].strip(),
                     int(line[width + 1:width + 14])))
    return rows, conv, tree


# A TIME_WAIT that ended after its shard's last packet but before the capture's: one tshark
# says CLOSED, a shard cannot know (README.md, Big captures, "What stays the shard's").
ENDED = "CLOSED (TIME_WAIT ended)"


def shard_view(want, got):
    """One tshark's final state as a shard sees it."""
    return "TIME_WAIT" if want == ENDED and got == "TIME_WAIT" else want


def tree_as_shards_see(tree):
    """The tree's nodes with ENDED counted as TIME_WAIT, in a stable order."""
    counts = collections.Counter()
    for depth, name, count in tree:
        counts[depth, "TIME_WAIT" if name == ENDED else name] += count
    return sorted(counts.items())


def compare(want_text, got_text):
    problems = []
    want_rows, want_conv, want_tree = parse(want_text)
    got_rows, got_conv, got_tree = parse(got_text)
    if len(got_conv) != len(want_conv):
        problems.append(f"{len(got_conv)} connections, one tshark says {len(want_conv)}")
    for n, (w, g) in enumerate(zip(want_conv, got_conv)):
        w = {k: shard_view(v, g.get(k)) for k, v in w.items() if k != "stream"}
        g = {k: v for k, v in g.items() if k != "stream"}
        if w != g:
            diff = {k: (w.get(k), g.get(k)) for k in w.keys() | g.keys() if w.get(k) != g.get(k)}
            problems.append(f"connection row {n + 1}: (one tshark, merged) {diff}")
    if got_tree != want_tree and tree_as_shards_see(got_tree) != tree_as_shards_see(want_tree):
        wrong = [(w, g) for w, g in zip(want_tree, got_tree) if w != g]
        problems.append(f"statistics tree: {len(got_tree)} nodes for {len(want_tree)}; "
                        f"first difference (one tshark, merged) {wrong[:1]}")
    if len(got_rows) != len(want_rows):
        problems.append(f"{len(got_rows)} -T fields rows, one tshark prints {len(want_rows)}")
    pairs = {}
    for w, g in zip(want_rows, got_rows):
        if w[:STREAM] + w[STREAM + 1:] != g[:STREAM] + g[STREAM + 1:]:
            problems.append(f"-T fields row (one tshark, merged): {w} {g}")
            break
        pairs.setdefault(w[STREAM], set()).add(g[STREAM])
    merged_streams = [s for values in pairs.values() for s in values]
    if any(len(v) != 1 for v in pairs.values()) or len(set(merged_streams)) != len(merged_streams):
        problems.append("tcpstate.stream does not group the rows as one tshark does")
    return len(want_conv), problems


def verdict(what, problems):
    """Prints the test's line and its problems; returns the exit status."""
    print(f"{'FAIL' if problems else 'ok  '} {what}")
    for p in problems[:10]:
        print(f"     {p}")
    return 1 if problems else 0


def check_capture(plugin, capture, *options):
    got = parallel(plugin, capture, "-j", "2", *options)
    if got.returncode != 0:
        return 0, [f"tcpstate-parallel failed ({got.returncode}): {got.stderr.strip()}"]
    return compare(single(plugin, capture), got.stdout)


def check_all(plugin, captures):
    """Two captures at a time (each run of tcpstate-parallel is mostly tshark start-up)."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = dict(zip(captures, pool.map(lambda c: check_capture(plugin, c), captures)))
    return run_each(captures, results.__getitem__, "connections")


def generate(generator, folder, packets, connections):
    capture = os.path.join(folder, "generated.pcap")
    subprocess.run([generator, "-n", str(packets), "-c", str(connections), "-R", "-o", capture],
                   check=True, stdout=subprocess.DEVNULL)
    os.chmod(folder, 0o755)
    os.chmod(capture, 0o644)
    return capture


def check_generated(plugin, generator):
    with tempfile.TemporaryDirectory() as tmp:
        capture = generate(generator, tmp, 200000, 20000)
        # three shards on two cores
        count, problems = check_capture(plugin, capture, "--shards", "3")
    return verdict(f"20,000 generated connections on about 480 4-tuples, 3 shards: {count} "
                   "connections", problems)


def check_hosts(plugin, generator):
    """-S with two hosts: GNU parallel's own multi-host path (basefiles, transfers, returns,
    cleanup over its ssh command), with tests/fake-ssh.sh standing in for ssh."""
    if not shutil.which("rsync"):
        print("SKIP: rsync is not installed (GNU parallel copies files to hosts with it)")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        capture = generate(generator, tmp, 20000, 2000)
        homes = os.path.join(tmp, "hosts")
        env = dict(os.environ, FAKE_SSH_HOMES=homes)
        # ":" is this machine, whose jobs run in tcpstate-parallel's own folder
        got = parallel(plugin, capture, "-v", "-S", "1/hostA,1/hostB,1/:", "--ssh", FAKE_SSH,
                       "--shards", "5", env=env)
        problems = []
        if got.returncode != 0:
            problems.append(f"tcpstate-parallel failed ({got.returncode}): {got.stderr.strip()}")
        else:
            _, problems = compare(single(plugin, capture), got.stdout)
        for host in ("hostA", "hostB"):
            if f"running on {host}" not in got.stderr:
                problems.append(f"no shard ran on {host}:\n{got.stderr}")
            left = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(homes, host))
                    for f in fs]
            if left:
                problems.append(f"left on {host}: {left}")
    return verdict("-S 1/hostA,1/hostB,1/: : 5 shards of 2,000 connections on two hosts "
                   "through tests/fake-ssh.sh and this machine", problems)


def fragmented_capture(path):
    """Five connections to port 80 from 10.0.0.1..5; the first sends 3,000 bytes in one TCP
    segment carried by two IPv4 fragments."""
    def checksum(header):
        total = sum(struct.unpack("!10H", header))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        return ~total & 0xFFFF

    def ipv4(src, dst, payload, ident, offset=0, more=False):
        flags = (0x2000 if more else 0) | (offset // 8)
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, 6,
                             0, bytes(src), bytes(dst))
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + header + payload

    def tcp(sport, dport, seq, ack, flags, data=b""):
        return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + data

    SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08
    frames, t = [], 1700000000.0
    for c in range(5):
        client, server, port = [10, 0, 0, 1 + c], [10, 0, 1, 1], 40000 + c
        cs, ss = 1000 * (c + 1), 5000 * (c + 1)
        steps = [(0, SYN, cs, 0, b""), (1, SYN | ACK, ss, cs + 1, b""),
                 (0, ACK, cs + 1, ss + 1, b""), (0, PSH | ACK, cs + 1, ss + 1, b"x" * 3000),
                 (1, ACK, ss + 1, cs + 3001, b""), (0, FIN | ACK, cs + 3001, ss + 1, b""),
                 (1, FIN | ACK, ss + 1, cs + 3002, b""), (0, ACK, cs + 3002, ss + 2, b"")]
        for n, (from_server, flags, seq, ack, data) in enumerate(steps):
            t += 0.001
            src, dst = (server, client) if from_server else (client, server)
            sport, dport = (80, port) if from_server else (port, 80)
            segment = tcp(sport, dport, seq, ack, flags, data)
            ident = 100 * c + n
            if c == 0 and data:
                frames.append((t, ipv4(src, dst, segment[:1480], ident, 0, True)))
                frames.append((t + 0.0001, ipv4(src, dst, segment[1480:], ident, 1480)))
            else:
                frames.append((t, ipv4(src, dst, segment, ident)))
    frames.sort(key=lambda f: f[0])
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, frame in frames:
            f.write(struct.pack("<IIII", int(ts), int(round(ts % 1 * 1e6)), len(frame),
                                len(frame)) + frame)


def check_fragments(plugin):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        capture = os.path.join(tmp, "fragments.pcap")
        fragmented_capture(capture)
        os.chmod(capture, 0o644)
        got = parallel(plugin, capture, "-v", "-j", "2", "--shards", "3")
        problems = []
        if got.returncode != 0:
            problems.append(f"tcpstate-parallel failed ({got.returncode}): {got.stderr.strip()}")
        else:
            count, problems = compare(single(plugin, capture), got.stdout)
            if "by addresses (the capture holds TCP in IP fragments)" not in got.stderr:
                problems.append(f"the split did not switch to the addresses:\n{got.stderr}")
    return verdict("5 connections, one with a segment in two IPv4 fragments: split by addresses "
                   "alone, same reports", problems)


def check_failure(plugin, generator):
    """One shard's tshark fails: the others' results must not come out as the whole."""
    with tempfile.TemporaryDirectory() as tmp:
        capture = generate(generator, tmp, 20000, 2000)
        os.chmod(tmp, 0o777)    # the fake tshark may run as nobody
        fake = os.path.join(tmp, "tshark")
        with open(fake, "w") as f:
            f.write(f"#!/bin/sh\n"
                    f"if mkdir {tmp}/failed 2>/dev/null; then\n"
                    f"    echo 'simulated failure' >&2; exit 3\n"
                    f"fi\n"
                    f"exec {shutil.which('tshark')} \"$@\"\n")
        os.chmod(fake, 0o755)
        env = dict(os.environ, PATH=f"{tmp}:{os.environ['PATH']}")
        got = subprocess.run([TOOL, "--plugin", plugin, "--shards", "3", "-j", "2", capture,
                              *REPORTS], capture_output=True, text=True, env=env)
    problems = []
    if got.returncode != 1:
        problems.append(f"exit status {got.returncode}, want 1")
    if got.stdout:
        problems.append(f"printed a partial result:\n{got.stdout[:300]}")
    if "simulated failure" not in got.stderr or "FAILED" not in got.stderr \
            or "no result" not in got.stderr:
        problems.append(f"no clear error:\n{got.stderr}")
    return verdict(f"a failing shard: exit status {got.returncode}, {len(got.stdout)} bytes on "
                   "standard output, and on standard error:\n     "
                   + got.stderr.strip().replace("\n", "\n     "), problems)


def main():
    plugin, mode = sys.argv[1], sys.argv[2]
    for tool, package in (("parallel", "parallel"), ("tcpdump", "tcpdump")):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed (apt-get install {package}, or make deps)")
            return SKIP
    if mode == "--generated":
        return check_generated(plugin, sys.argv[3])
    if mode == "--hosts":
        return check_hosts(plugin, sys.argv[3])
    if mode == "--failure":
        return check_failure(plugin, sys.argv[3])
    if mode == "--fragments":
        return check_fragments(plugin)
    captures = sys.argv[2:]
    if mode == "--corpus":
        captures = corpus_captures(sys.argv[3])
        if captures is None:
            return SKIP
    return check_all(plugin, captures)


if __name__ == "__main__":
    sys.exit(main())
