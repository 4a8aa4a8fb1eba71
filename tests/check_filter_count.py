#!/usr/bin/env python3
"""check_filter_count.py PLUGIN CAPTURE FILTER COUNT

Checks that FILTER matches exactly COUNT frames of CAPTURE, in one-pass and in two-pass
tshark: for what a capture must show beside its per-packet expected file (an expert item on
every truncated header, say).
"""
import sys

from tcpstate_test import tshark


def main():
    plugin, capture, display_filter, count = sys.argv[1:5]
    ok = True
    for passes in ([], ["-2"]):
        out, _ = tshark(plugin, capture, "-Y", display_filter, "-T", "fields",
                        "-e", "frame.number", *passes)
        got = len(out.split())
        mode = "two-pass" if passes else "one-pass"
        if got != int(count):
            ok = False
            print(f"FAIL {mode}: '{display_filter}' matches {got} frames, want {count}")
        else:
            print(f"ok {mode}: '{display_filter}' matches {got} frames")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
