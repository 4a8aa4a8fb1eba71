#!/usr/bin/env python3
"""check_explain.py PLUGIN CAPTURE EXPLAIN

The explanations of a sample case's step packets (tcpstate.explain) must be the ones written
in EXPLAIN (frame, language, text) from the templates of docs/explanations.md, in English and
in Chinese (-o tcpstate.language:en, :zh); every step packet has one, and no other packet has.
Chinese also in two-pass tshark (check_case.py compares every field of both passes in
English).
"""
import sys

from tcpstate_test import fields

LANGUAGES = ("en", "zh")


def read_expected(path):
    rows = {lang: [] for lang in LANGUAGES}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                frame, lang, text = line.split("\t")
                rows[lang].append([frame, text])
    return rows


def main():
    plugin, capture, expected_path = sys.argv[1:4]
    expected = read_expected(expected_path)
    ok = True
    for lang, passes in (("en", ()), ("zh", ()), ("zh", ("-2",))):
        got = fields(plugin, capture, ["frame.number", "tcpstate.explain"],
                     "-Y", "tcpstate.step || tcpstate.explain", "-o", f"tcpstate.language:{lang}", *passes)
        want = sorted(expected[lang], key=lambda row: int(row[0]))
        if got != want:
            ok = False
            print(f"FAIL {lang} {'two-pass' if passes else 'one-pass'}:")
            for i in range(max(len(want), len(got))):
                w = want[i] if i < len(want) else None
                g = got[i] if i < len(got) else None
                if w != g:
                    print(f"  expected {w}\n  got      {g}")
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
