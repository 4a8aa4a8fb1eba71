#!/usr/bin/env python3
"""check_conv.py PLUGIN CAPTURE EXPECTED [TSHARK_ARGS...]

The connection table (-z tcpstate,conv,tsv[,FILTER]) of one capture against rows written by
hand: EXPECTED's first line (after '#' comments) names the columns it checks, each further
line is one connection, in the table's order. The first of TSHARK_ARGS may be ",FILTER", the
report's filter; the rest go to tshark as they are (-o NAME:VALUE, say).
"""
import sys

from check_case import compare, read_expected
from check_reports import conv_rows
from tcpstate_test import tshark


def main():
    plugin, capture, expected_path, *args = sys.argv[1:]
    report_filter = args.pop(0) if args and args[0].startswith(",") else ""
    header, *expected = read_expected(expected_path)
    ok = True
    for passes in ([], ["-2"]):
        out, _ = tshark(plugin, capture, "-q", "-z", f"tcpstate,conv,tsv{report_filter}", *args, *passes)
        got = [[row[name] for name in header] for row in conv_rows(out)]
        ok &= compare(expected, got, "two-pass (-2)" if passes else "one-pass")
    print(f"{'ok' if ok else 'FAILED'}: {len(expected)} connections of {capture}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
