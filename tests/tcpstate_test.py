"""Shared helpers for the tests that run tshark with the tcpstate plugin."""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(HERE, "tshark-plugin.sh")

# The columns of tests/cases/*.expected, and the fields that fill them.
CASE_FIELDS = ["frame.number", "tcpstate.stream", "tcpstate.sender", "tcpstate.step",
               "tcpstate.client.state", "tcpstate.server.state", "tcpstate.inferred",
               "tcpstate.conn_state", "tcpstate.history", "tcpstate.close_kind",
               "tcpstate.anomaly"]

SKIP = 77   # ctest's SKIP_RETURN_CODE


def private_copy(plugin, folder):
    """A copy of the plugin for this run (plugins/X.Y/epan/tcpstate.so, as the wrapper wants),
    so that a rebuild of the build tree meanwhile does not change what is tested."""
    version = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(plugin))))
    dest = os.path.join(folder, "plugins", version, "epan", "tcpstate.so")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copy2(plugin, dest)
    return dest


def corpus_captures(corpus):
    """The captures of the public corpus beside the repository, or None (and a SKIP message)
    where it is absent: it sits beside the repository on the project's machines, not in a
    user's clone."""
    if not os.path.isdir(corpus):
        print(f"SKIP: no public capture corpus at {corpus} (it sits beside the repository "
              "on the project's machines, not in a user's clone)")
        return None
    return [os.path.join(corpus, f) for f in sorted(os.listdir(corpus))
            if f.endswith((".pcap", ".pcapng"))]


def run_each(captures, check, what):
    """Run check(capture) -> (count, problems) on each capture; print a line each and the
    closing 'N passed, M failed'; return the exit status."""
    failed = 0
    for capture in captures:
        count, problems = check(capture)
        print(f"{'FAIL' if problems else 'ok  '} {os.path.basename(capture)}: {count} {what}")
        for p in problems[:10]:
            print(f"     {p}")
        failed += bool(problems)
    print(f"{len(captures) - failed} passed, {failed} failed")
    return 1 if failed else 0


def tshark(plugin, capture, *args, check=True):
    """Run tshark with the plugin on a capture; return (stdout, stderr)."""
    proc = subprocess.run([WRAPPER, plugin, capture, *args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.exit(f"tshark failed ({proc.returncode}) on {capture}:\n{proc.stderr}")
    return proc.stdout, proc.stderr


def tcpstate_fields(plugin):
    """Every tcpstate.* field the plugin registers."""
    out, _ = tshark(plugin, "-", "-G", "fields")
    return sorted(line.split("\t")[2] for line in out.splitlines()
                  if line.startswith("F\t") and line.split("\t")[2].startswith("tcpstate."))


def fields(plugin, capture, names, *extra):
    """One row per frame, one list of values (comma-joined occurrences) per field."""
    args = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
    for name in names:
        args += ["-e", name]
    out, _ = tshark(plugin, capture, *args, *extra)
    return [[_bool01(value) for value in line.split("\t")] for line in out.splitlines()]


def _bool01(value):
    """Booleans as 1/0: tshark 4.0 prints them so, 4.4 prints True/False."""
    return ",".join({"True": "1", "False": "0"}.get(v, v) for v in value.split(","))
