#!/usr/bin/env python3
"""synflood.py PLUGIN [--syns N] [--generator GEN_SYNFLOOD] [--max-bytes-per-syn B]

A SYN flood: N SYNs (default 100,000) from distinct source addresses and ports, none
answered (tools/gen-synflood.c). Checks that the plugin says what it saw and that its memory
stays proportional to the connections:
- `-q -z tcpstate,tree` counts N steps, all "Handshake 1/3 (SYN)", N connections, all S0
  (Zeek's "SYN seen, no reply"), all with the client in SYN_SENT and the server in LISTEN,
  and no anomaly;
- peak RSS of plain `tshark -r FILE` with the plugin, minus the same with the protocol
  disabled (--disable-protocol tcpstate), per SYN, is at most --max-bytes-per-syn;
- that figure is the same (within 25%) on the first half of the flood: memory grows
  linearly with the connections, with no fixed cost to speak of.
Without --generator, tools/gen-synflood.c is compiled with $CC (default cc). A plugin built
with the sanitizers is skipped (exit 77).
The full flood is `make synflood` (1,000,000 SYNs: 2 GB of memory for tshark, under a minute).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from tcpstate_test import private_copy

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(HERE, "tshark-plugin.sh")

# Measured on Debian 12, Wireshark 4.0.17, x86-64, at commit 3fe2967 (100,000 and 1,000,000
# SYNs alike): about 475 bytes per SYN with the plugin over without it (its tcpstate_conn is
# 352 bytes, the frame's record 20, plus the file-scope entry that hangs the connection on
# TCP's conversation), on top of about 1,465 bytes per SYN for Wireshark's own conversation
# and TCP analysis. The bound is about twice the measured figure.
DEFAULT_MAX_BYTES_PER_SYN = 1000


def peak_rss_kib(args):
    """Run a command; return (exit status, peak RSS in KiB of it and its children, seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({proc.returncode}):\n{err.decode(errors='replace')}")
    return usage.ru_maxrss, time.monotonic() - start


def plugin_bytes_per_syn(plugin, capture, syns):
    with_kib, with_s = peak_rss_kib([WRAPPER, plugin, capture])
    without_kib, without_s = peak_rss_kib([WRAPPER, plugin, capture, "--disable-protocol", "tcpstate"])
    print(f"  {syns} SYNs: peak RSS {with_kib / 1024:.1f} MiB with the plugin, "
          f"{without_kib / 1024:.1f} MiB without ({with_kib / without_kib:.3f}x); "
          f"{with_s:.1f} s and {without_s:.1f} s")
    return (with_kib - without_kib) * 1024 / syns, without_kib


def tree_counts(plugin, capture):
    """{item: count} from -z tcpstate,tree, items prefixed by their top-level node."""
    out = subprocess.run([WRAPPER, plugin, capture, "-q", "-z", "tcpstate,tree"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"tshark -z tcpstate,tree failed ({out.returncode}):\n{out.stderr}")
    counts, node = {}, None
    for line in out.stdout.splitlines():
        m = re.match(r"^( ?)(\S.*?)\s{2,}(\d+)\s", line)
        if not m:
            continue
        if m.group(1):
            counts[f"{node} / {m.group(2)}"] = int(m.group(3))
        else:
            node = m.group(2)
            counts[node] = int(m.group(3))
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("plugin")
    ap.add_argument("--syns", type=int, default=100000)
    ap.add_argument("--generator", help="gen-synflood binary (default: compile tools/gen-synflood.c)")
    ap.add_argument("--max-bytes-per-syn", type=float, default=DEFAULT_MAX_BYTES_PER_SYN)
    args = ap.parse_args()
    n, half = args.syns, args.syns // 2
    linked = subprocess.run(["ldd", args.plugin], capture_output=True, text=True).stdout
    if "libasan" in linked:
        print(f"SKIP: {args.plugin} is built with AddressSanitizer (TCPSTATE_SANITIZE): its "
              "memory says nothing of the plugin's, and tshark would need the runtime preloaded")
        return 77

    failures = []
    with tempfile.TemporaryDirectory(prefix="tcpstate-synflood.") as tmp:
        args.plugin = private_copy(args.plugin, tmp)
        gen = args.generator
        if not gen:
            gen = os.path.join(tmp, "gen-synflood")
            subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", gen,
                            os.path.join(HERE, "..", "tools", "gen-synflood.c")], check=True)
        captures = {}
        for count in (n, half):
            captures[count] = os.path.join(tmp, f"flood-{count}.pcap")
            subprocess.run([gen, "-n", str(count), "-o", captures[count]], check=True,
                           stdout=subprocess.DEVNULL)

        counts = tree_counts(args.plugin, captures[n])
        want = {
            "Steps": n,
            "Steps / Handshake 1/3 (SYN)": n,
            "Anomalies": 0,
            "Connections by conn_state (Zeek)": n,
            "Connections by conn_state (Zeek) / S0": n,
            "Final client states / SYN_SENT": n,
            "Final server states / LISTEN": n,
        }
        for item, value in want.items():
            got = counts.get(item)
            print(f"  {item}: {got}" + ("" if got == value else f", want {value}"))
            if got != value:
                failures.append(f"{item}: {got}, want {value}")
        others = {k: v for k, v in counts.items()
                  if v and " / " in k and k not in want and not k.startswith("Connections by close kind")}
        if others:
            failures.append(f"other nonzero items: {others}")

        per_syn, without_kib = plugin_bytes_per_syn(args.plugin, captures[n], n)
        per_syn_half, without_half_kib = plugin_bytes_per_syn(args.plugin, captures[half], half)
        wireshark_per_syn = (without_kib - without_half_kib) * 1024 / (n - half)
        print(f"  plugin: {per_syn:.0f} bytes per SYN ({per_syn_half:.0f} on the first {half}); "
              f"Wireshark itself: {wireshark_per_syn:.0f} bytes per SYN; "
              f"bound {args.max_bytes_per_syn:.0f}")
        if per_syn > args.max_bytes_per_syn:
            failures.append(f"{per_syn:.0f} bytes per SYN, above the bound of "
                            f"{args.max_bytes_per_syn:.0f}")
        if abs(per_syn - per_syn_half) > 0.25 * per_syn:
            failures.append(f"not proportional: {per_syn:.0f} bytes per SYN on {n} SYNs, "
                            f"{per_syn_half:.0f} on {half}")

    for failure in failures:
        print(f"FAIL: {failure}")
    print("synflood: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
