#!/usr/bin/env python3
"""check_corpus.py PLUGIN CORPUS_DIR

Runs the plugin over every capture of a corpus of real public captures (tunnels, VLANs,
MPTCP, truncated frames, injected RSTs, ICMP errors quoting TCP headers) and checks that:
- tshark exits as it does without the plugin, and prints no dissector bug or GLib warning;
- every TCP header that is not quoted inside an ICMP error gets exactly one TCP State item;
- every tcpstate field is the same in one-pass and two-pass (-2) tshark.
The corpus lives beside the repository (../shared/pcaps-public); a user's clone has none, and
then the test is skipped.
"""
import os
import re
import subprocess
import sys

from tcpstate_test import SKIP, WRAPPER, corpus_captures, fields, run_each, tcpstate_fields

# Protocols that quote other packets' headers and dissect them as Wireshark's "error packets"
# (pinfo->flags.in_error_pkt): TCP does not track them, and neither does tcpstate. sFlow does
# so for its sampled headers unless its analyze_samp_ip_headers preference is on.
ERROR_CARRIERS = {"icmp", "icmpv6", "sflow"}


def expected_items(protocols):
    """TCP layers of a frame, not counting those quoted inside an ICMP error or the like."""
    count, in_error = 0, False
    for proto in protocols.split(":"):
        if proto in ERROR_CARRIERS:
            in_error = True
        elif proto == "tcp" and not in_error:
            count += 1
    return count


def per_frame(verbose):
    """(frame number, protocols, number of TCP State items) for each frame. An item sits beside
    its TCP header's own: at the top level, or inside the subtree of what carried the IP packet
    (an 802.11 A-MSDU subframe, for one)."""
    frames = []
    for block in re.split(r"^(?=Frame \d+:)", verbose, flags=re.M):
        m = re.match(r"Frame (\d+):", block)
        if not m:
            continue
        protocols = re.search(r"\[Protocols in frame: ([^\]]*)\]", block)
        items = len(re.findall(r"^ *TCP State\b", block, flags=re.M))
        frames.append((int(m.group(1)), protocols.group(1) if protocols else "", items))
    return frames


def check_capture(plugin, capture, every_field):
    problems = []
    proc = subprocess.run([WRAPPER, plugin, capture, "-V"], capture_output=True, text=True)
    baseline = subprocess.run([WRAPPER, plugin, capture, "--disable-protocol", "tcpstate"],
                              capture_output=True).returncode
    if proc.returncode != baseline:
        problems.append(f"tshark exit {proc.returncode}, without the plugin {baseline}")
    for bad in ("Dissector bug", "dissector bug", "CRITICAL", "WARNING **"):
        if bad in proc.stdout or bad in proc.stderr:
            problems.append(f"'{bad}' in tshark's output")
    tcp_frames = 0
    for number, protocols, items in per_frame(proc.stdout):
        want = expected_items(protocols)
        tcp_frames += want > 0
        if items != want:
            problems.append(f"frame {number} ({protocols}): {items} TCP State items, want {want}")
    if fields(plugin, capture, every_field) != fields(plugin, capture, every_field, "-2"):
        problems.append("tcpstate fields differ between one-pass and two-pass")
    return tcp_frames, problems


def main():
    plugin, corpus = sys.argv[1:3]
    captures = corpus_captures(corpus)
    if captures is None:
        return SKIP
    every_field = tcpstate_fields(plugin)
    return run_each(captures, lambda capture: check_capture(plugin, capture, every_field),
                    "frames with TCP")


if __name__ == "__main__":
    sys.exit(main())
