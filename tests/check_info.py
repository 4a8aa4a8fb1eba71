#!/usr/bin/env python3
"""check_info.py PLUGIN CAPTURE EXPECTED

Where the step is in the Info column: EXPECTED (written by hand) gives, per frame, how its
Info column starts; the step goes first, where the eye lands and nothing cuts it off. With
-o tcpstate.info_column:FALSE no Info column may carry a step at all. One pass and two.
"""
import sys

from check_case import read_expected
from tcpstate_test import tshark


def infos(plugin, capture, *args):
    out, _ = tshark(plugin, capture, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info", *args)
    return dict(line.split("\t", 1) for line in out.splitlines())


def main():
    plugin, capture, expected_path = sys.argv[1:4]
    expected = read_expected(expected_path)
    ok = True
    for passes in ([], ["-2"]):
        got = infos(plugin, capture, *passes)
        for frame, start in expected:
            if not got.get(frame, "").startswith(start):
                ok = False
                print(f"FAIL {' '.join(passes) or 'one-pass'} frame {frame}: Info is '{got.get(frame)}', "
                      f"want it to start with '{start}'")
    labels = {start.split("] ")[0] + "]" for _, start in expected if start.startswith("[")}
    for frame, info in infos(plugin, capture, "-o", "tcpstate.info_column:FALSE").items():
        if any(label in info for label in labels):
            ok = False
            print(f"FAIL info_column:FALSE frame {frame}: Info still has a step: '{info}'")
    print(f"{'ok' if ok else 'FAILED'}: {len(expected)} Info columns of {capture}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
