#!/usr/bin/env python3
"""check_tree.py PLUGIN CAPTURE GROUP NODE COUNT [TSHARK_ARGS...]

The statistics tree (-z tcpstate,tree, Statistics > TCP State) counts COUNT under NODE in
GROUP ("Final client states", say), one pass and two.
"""
import sys

from tcpstate_test import tshark


def tree_count(text, group, node):
    """NODE's count within GROUP, or 0 if the tree does not list it."""
    in_group = False
    for line in text.splitlines():
        if not line.startswith(" "):
            in_group = line.startswith(group + "  ")
        elif in_group and line[1:].startswith(node + "  "):
            return int(line[1 + len(node):].split()[0])
    return 0


def main():
    plugin, capture, group, node, count, *args = sys.argv[1:]
    ok = True
    for passes in ([], ["-2"]):
        out, _ = tshark(plugin, capture, "-q", "-z", "tcpstate,tree", *args, *passes)
        got = tree_count(out, group, node)
        good = got == int(count)
        ok &= good
        print(f"{'ok  ' if good else 'FAIL'} {' '.join(passes) or 'one-pass'}: {group} / {node}: {got}, want {count}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
