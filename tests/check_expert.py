#!/usr/bin/env python3
"""check_expert.py PLUGIN CAPTURE GROUP SUMMARY COUNT

What Analyze > Expert Information and `tshark -z expert` list: COUNT items of GROUP whose
summary starts with SUMMARY, under the protocol "TCP State", in every view: one-pass tshark
without a protocol tree, with one (a display filter), and two-pass (-2). tcpstate's items
must never appear under another protocol.
"""
import re
import sys

from tcpstate_test import tshark

ROW = re.compile(r"^\s+(\d+)\s+(\S+)\s+(.+?)\s{2}(\S.*)$")


def expert_rows(plugin, capture, *args):
    """(frequency, group, protocol, summary) of each row of -z expert."""
    out, _ = tshark(plugin, capture, "-q", "-z", "expert,chat", *args)
    return [(int(m[1]), m[2], m[3].strip(), m[4]) for m in map(ROW.match, out.splitlines()) if m]


def main():
    plugin, capture, group, summary, count = sys.argv[1:6]
    ok = True
    for view, args in (("no tree", []), ("tree", ["-Y", "tcp"]), ("two-pass", ["-2"])):
        rows = [r for r in expert_rows(plugin, capture, *args) if r[1] == group and r[3].startswith(summary)]
        ours = sum(freq for freq, _, proto, _ in rows if proto == "TCP State")
        elsewhere = sorted({proto for _, _, proto, _ in rows if proto != "TCP State"})
        good = ours == int(count) and not elsewhere
        ok &= good
        print(f"{'ok  ' if good else 'FAIL'} {view}: {ours} {group} '{summary}' under TCP State"
              f" (want {count}){', also under ' + ', '.join(elsewhere) if elsewhere else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
