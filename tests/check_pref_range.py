#!/usr/bin/env python3
"""check_pref_range.py PLUGIN CAPTURE

An absurd preference value gets one rule wherever it is read: a TIME_WAIT above 86400 s or a
duplicate window above 60000 ms is used as that maximum, with a warning that says so. Here in
tshark (the warning on standard error); tests/check_gui.sh shows the same warning box in the
GUI for a preferences file that holds the value (what Wireshark's Preferences dialog saves).
CAPTURE must put an end in TIME_WAIT: its tcpstate.time_wait_until with 99999 must be the one
with 86400.
"""
import sys

from tcpstate_test import tshark

CASES = [
    ("tcpstate.time_wait:99999",
     "TCP State: a TIME_WAIT of 99999 s is out of range (0 to 86400 s); using 86400 s."),
    ("tcpstate.duplicate_window:4000000000",
     "TCP State: a duplicate window of 4000000000 ms is out of range (0 to 60000 ms); using 60000 ms."),
]


def time_wait_ends(plugin, capture, value):
    out, _ = tshark(plugin, capture, "-o", f"tcpstate.time_wait:{value}", "-Y",
                    "tcpstate.time_wait_until", "-T", "fields", "-e", "tcpstate.time_wait_until")
    return out.split("\n")


def main():
    plugin, capture = sys.argv[1:3]
    ok = True
    for option, message in CASES:
        _, err = tshark(plugin, capture, "-o", option, "-c", "1")
        if message not in err:
            print(f"FAIL: -o {option}: expected the warning\n  {message}\ngot on stderr:\n{err}")
            ok = False
    clamped, at_most = time_wait_ends(plugin, capture, 99999), time_wait_ends(plugin, capture, 86400)
    if clamped != at_most or clamped == time_wait_ends(plugin, capture, 60) or not clamped[0]:
        print(f"FAIL: TIME_WAIT ends with 99999: {clamped}; with 86400: {at_most}")
        ok = False
    if ok:
        print(f"OK: out-of-range preferences are used as their maximum, with a warning; TIME_WAIT ends {clamped[0]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
