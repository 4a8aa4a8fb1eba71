#!/usr/bin/env python3
"""valgrind.py PLUGIN CAPTURE... [--jobs N]

Runs tshark with the plugin under valgrind's memcheck on each capture, twice: one pass with
the tree and the three reports (-V -z tcpstate,tree -z tcpstate,conv -z tcpstate,ladder),
and two passes (-2) with the same. Fails on any memcheck error (invalid read or write, use
of uninitialised memory, bad free, definite leak) whose stack passes through the plugin:
a frame in tcpstate.so or in one of its source files. Errors of Wireshark and its libraries
alone are counted and shown, but are not the plugin's. valgrind writes XML, read here; no
suppression file is needed.

It takes 5 to 10 s a run (60 runs on the 30 samples: about 5 minutes on 2 cores), so it is
not in the default ctest set: `make valgrind`, or ctest -C valgrind -R valgrind.
Exit status: 0 no error of the plugin, 1 errors, 77 (ctest's skip) without valgrind.
"""
import argparse
import collections
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from tcpstate_test import private_copy

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(HERE, "tshark-plugin.sh")
SKIP = 77
ERROR_EXIT = 99     # valgrind's exit status when it found errors (any, ours or not)

REPORTS = ["-z", "tcpstate,tree", "-z", "tcpstate,conv", "-z", "tcpstate,ladder"]
MODES = [["-V"] + REPORTS, ["-2", "-V"] + REPORTS]
PLUGIN_SOURCES = ("packet-tcpstate.c", "tcpstate-core.c", "tcpstate-reports.c", "plugin.c")


def plugin_frame(frame):
    obj = frame.findtext("obj") or ""
    return os.path.basename(obj) == "tcpstate.so" or (frame.findtext("file") or "") in PLUGIN_SOURCES


def describe(error):
    what = error.findtext("xwhat/text") or error.findtext("what") or ""
    lines = [f"{error.findtext('kind')}: {what}"]
    for stack in error.iter("stack"):
        for frame in list(stack.iter("frame"))[:12]:
            where = frame.findtext("fn") or frame.findtext("ip")
            if frame.findtext("file"):
                where += f" ({frame.findtext('file')}:{frame.findtext('line')})"
            else:
                where += f" ({os.path.basename(frame.findtext('obj') or '?')})"
            lines.append(f"      {'>' if plugin_frame(frame) else ' '} {where}")
        lines.append("      ---")
    return "\n".join(lines)


def run(plugin, capture, mode, xml_dir, index):
    xml_file = os.path.join(xml_dir, f"run-{index}.xml")
    prefix = ("valgrind --tool=memcheck --error-exitcode=%d --leak-check=full "
              "--show-leak-kinds=definite --errors-for-leak-kinds=definite --num-callers=40 "
              "--xml=yes --xml-file=%s" % (ERROR_EXIT, xml_file))
    start = time.monotonic()
    proc = subprocess.run([WRAPPER, plugin, capture, *mode], capture_output=True,
                          env=dict(os.environ, TSHARK_PREFIX=prefix))
    elapsed = time.monotonic() - start
    problems, others = [], collections.Counter()
    if proc.returncode not in (0, ERROR_EXIT):
        problems.append(f"tshark exited {proc.returncode}: "
                        f"{proc.stderr.decode(errors='replace')[:1000]}")
    if b"TCP State" not in proc.stdout:
        problems.append("no TCP State item in the output: the plugin did not run")
    try:
        root = ET.parse(xml_file).getroot()
    except (OSError, ET.ParseError) as e:
        problems.append(f"no valgrind report ({e})")
        return capture, mode, problems, others, elapsed
    for error in root.iter("error"):
        if any(plugin_frame(f) for f in error.iter("frame")):
            problems.append(describe(error))
        else:
            others[error.findtext("kind")] += 1
    return capture, mode, problems, others, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("plugin")
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("SKIP: valgrind is not installed (Debian: apt-get install valgrind)")
        return SKIP

    start = time.monotonic()
    failed = 0
    others_total = collections.Counter()
    runs = [(c, m) for c in args.captures for m in MODES]
    with tempfile.TemporaryDirectory(prefix="tcpstate-valgrind.", dir="/tmp") as xml_dir, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        os.chmod(xml_dir, 0o1777)       # tshark runs as nobody when the tests run as root
        plugin = private_copy(args.plugin, xml_dir)
        futures = [pool.submit(run, plugin, c, m, xml_dir, i) for i, (c, m) in enumerate(runs)]
        for future in futures:
            capture, mode, problems, others, elapsed = future.result()
            others_total += others
            name = f"{os.path.basename(capture)} {' '.join(mode[:2])}"
            if problems:
                failed += 1
                print(f"FAIL {name}: {len(problems)} errors")
                for problem in problems[:5]:
                    print("    " + problem)
                if len(problems) > 5:
                    print(f"    ... and {len(problems) - 5} more")
            else:
                print(f"ok   {name} ({elapsed:.0f} s; {sum(others.values())} errors outside the plugin)")
    kinds = ", ".join(f"{n} {kind}" for kind, n in others_total.most_common())
    print(f"valgrind: {len(runs)} runs, {failed} with errors of the plugin; errors in Wireshark "
          f"and its libraries alone: {kinds or 'none'}; {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
