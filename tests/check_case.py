#!/usr/bin/env python3
"""check_case.py PLUGIN CAPTURE EXPECTED

Tells one story: the per-packet steps, states and verdicts the plugin shows for a capture
must be the ones written by hand in EXPECTED (frame, stream, sender, step, client, server,
inferred, conn_state, history, close_kind, anomalies), in one-pass tshark and in two-pass
tshark (-2), and every tcpstate field must come out the same in both passes.
"""
import sys

from tcpstate_test import CASE_FIELDS, fields, tcpstate_fields


def read_expected(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                rows.append(line.split("\t"))
    return rows


def observed(plugin, capture, *passes):
    rows = []
    anomalies = CASE_FIELDS.index("tcpstate.anomaly")
    for row in fields(plugin, capture, CASE_FIELDS, "-Y", "tcp", *passes):
        row[anomalies] = ",".join(sorted(filter(None, row[anomalies].split(","))))
        rows.append([value if value else "-" for value in row])
    return rows


def compare(expected, got, what):
    problems = []
    for i in range(max(len(expected), len(got))):
        want = expected[i] if i < len(expected) else None
        have = got[i] if i < len(got) else None
        if want != have:
            problems.append(f"  expected {want}\n  got      {have}")
    if problems:
        print(f"FAIL {what}: {len(problems)} packet(s) differ")
        print("\n".join(problems))
    return not problems


def main():
    plugin, capture, expected_path = sys.argv[1:4]
    expected = read_expected(expected_path)
    ok = compare(expected, observed(plugin, capture), "one-pass")
    ok &= compare(expected, observed(plugin, capture, "-2"), "two-pass (-2)")

    every_field = tcpstate_fields(plugin)
    one_pass = fields(plugin, capture, every_field)
    two_pass = fields(plugin, capture, every_field, "-2")
    if one_pass != two_pass:
        ok = False
        print("FAIL: tcpstate fields differ between one-pass and two-pass tshark")
        for a, b in zip(one_pass, two_pass):
            if a != b:
                print(f"  one-pass {a}\n  two-pass {b}")
    print(f"{'ok' if ok else 'FAILED'}: {len(expected)} packets of {capture}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
