#!/usr/bin/env python3
"""check_flow.py PLUGIN CAPTURE EXPECTED

The ladder in the GUI without the GUI: the arrows of the Flow Graph's "TCP State" flow type,
as `tshark -z flow,tcpstate,standard` prints them (Wireshark's own text dump of the items
the GUI draws), must be the ones written by hand in EXPECTED: per arrow, its direction
(-> from the left node, the first address seen, to the right one), the label above it and
the comment beside it.
"""
import re
import sys

from tcpstate_test import tshark

# Wireshark's dump writes a label within its arrow, 20 characters between two neighbouring
# nodes (NODE_CHARS_WIDTH in epan/sequence_analysis.c); the GUI draws it whole.
DUMP_LABEL_WIDTH = 20

# An arrow's line: "|         |(40001)  <------------------  (80)     |"
ARROW = re.compile(r"\((\d+)\)\s+(<?-+>?)\s+\((\d+)\)")


def read_expected(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f
                if line.strip() and not line.startswith("#")]


def arrows(dump):
    """[direction, label, comment] per item of Wireshark's dump: a line with the time, the
    label over the node columns and the comment after the last bar, then the arrow's line."""
    lines = [line for line in dump.splitlines() if line.startswith("|")]
    if len(lines) < 2 or not lines[0].startswith("|Time"):
        sys.exit(f"not a flow dump:\n{dump}")
    items = []
    body = lines[2:]
    for text, arrow in zip(body[0::2], body[1::2]):
        match = ARROW.search(arrow)
        if not match:
            sys.exit(f"no arrow in {arrow!r} (after {text!r})")
        _, middle, comment = re.match(r"\|([^|]*)\|(.*)\|([^|]*)$", text).groups()
        label = " ".join(middle.replace("|", " ").split())
        items.append(["->" if match.group(2).endswith(">") else "<-", label, comment.strip()])
    return items


def main():
    plugin, capture, expected_path = sys.argv[1:4]
    expected = [[arrow, label[:DUMP_LABEL_WIDTH], comment]
                for arrow, label, comment in read_expected(expected_path)]
    out, _ = tshark(plugin, capture, "-q", "-z", "flow,tcpstate,standard")
    got = arrows(out)
    problems = [f"  arrow {i + 1}: expected {want}\n           got      {have}"
                for i, (want, have) in enumerate(zip(expected, got)) if want != have]
    if len(expected) != len(got):
        problems.append(f"  {len(expected)} arrows expected, {len(got)} drawn")
    print("\n".join(problems) if problems else out, end="" if problems else "")
    print(f"{'FAILED' if problems else 'ok'}: {len(got)} arrows of {capture}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
