#!/usr/bin/env python3
"""check_reports.py PLUGIN CAPTURE...            the reports agree with the per-packet fields
   check_reports.py PLUGIN --corpus DIR          the same on every capture of DIR (skip if none)
   check_reports.py PLUGIN --generated GEN N C   the reports count what a generator made

The three -z reports (tcpstate,tree, tcpstate,conv,tsv, tcpstate,ladder) summarise what the
per-packet fields say, so on every capture they must agree with them: one conv row per
connection with its last packet's verdict and per-direction packet counts, one ladder line
per judged packet with its label and state changes, and as many steps in the tree as judged
packets. With --generated, GEN (tools/gen-capture) writes a capture of N packets and C
connections of known shapes, and the connection table must count exactly those shapes.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

from tcpstate_test import SKIP, corpus_captures, run_each, tshark

PER_PACKET = ["frame.number", "tcpstate.stream", "tcpstate.sender", "tcpstate.step",
              "tcpstate.client.state", "tcpstate.server.state", "tcpstate.conn_state",
              "tcpstate.history", "tcpstate.close_kind", "tcpstate.client.prev_state",
              "tcpstate.server.prev_state", "frame.time_epoch"]

TIME_WAIT_S = 60    # the TIME_WAIT preference's default


def judged_packets(plugin, capture):
    """One dict per judged TCP header, in frame order."""
    args = ["-Y", "tcpstate.sender", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"]
    for name in PER_PACKET:
        args += ["-e", name]
    out, _ = tshark(plugin, capture, *args)
    packets = []
    for line in out.splitlines():
        columns = [value.split("|") for value in line.split("\t")]
        layers = len(columns[1])
        for i in range(layers):
            packet = {name: (values[i] if i < len(values) else values[0])
                      for name, values in zip(PER_PACKET, columns)}
            packets.append(packet)
    return packets


def reports(plugin, capture):
    out, _ = tshark(plugin, capture, "-q", "-z", "tcpstate,tree", "-z", "tcpstate,conv,tsv",
                    "-z", "tcpstate,ladder")
    return out


def conv_rows(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("stream\tclient\t"))
    header = lines[start].split("\t")
    rows = []
    for line in lines[start + 1:]:
        if "\t" not in line:
            break
        rows.append(dict(zip(header, line.split("\t"))))
    return rows


LADDER_LINE = re.compile(r"^  (\S*)\s+(?:----|<---).*?[->]\s+(\S*)\s+(\d+) ?(.*)$")


def ladder_lines(text):
    """(client state shown, server state shown, frame, label) per arrow line."""
    return [m.groups() for m in map(LADDER_LINE.match, text.splitlines()) if m]


def is_copy(packet):
    return packet["tcpstate.step"].startswith("Duplicate of frame")


def final_state(stream_packets, role, latest):
    """An end's state after its connection's last packet; CLOSED, saying why, where its
    TIME_WAIT ended by the time of the capture's latest judged packet."""
    state = stream_packets[-1][f"tcpstate.{role}.state"]
    if state != "TIME_WAIT":
        return state
    entered = [p for p in stream_packets if p[f"tcpstate.{role}.state"] == "TIME_WAIT"
               and p[f"tcpstate.{role}.prev_state"] not in ("", "TIME_WAIT")]
    if entered and float(entered[-1]["frame.time_epoch"]) + TIME_WAIT_S <= latest:
        return "CLOSED (TIME_WAIT ended)"
    return state


def check_capture(plugin, capture):
    problems = []
    packets = judged_packets(plugin, capture)
    text = reports(plugin, capture)
    latest = max((float(p["frame.time_epoch"]) for p in packets), default=0)

    by_stream = collections.OrderedDict()
    for p in packets:
        by_stream.setdefault(p["tcpstate.stream"], []).append(p)
    rows = {row["stream"]: row for row in conv_rows(text)}
    if set(rows) != set(by_stream):
        problems.append(f"conv streams {sorted(rows)} != judged streams {sorted(by_stream)}")
    for stream, stream_packets in by_stream.items():
        row, last = rows.get(stream), stream_packets[-1]
        if not row:
            continue
        want = {
            "first_frame": stream_packets[0]["frame.number"],
            "conn_state": last["tcpstate.conn_state"],
            "history": last["tcpstate.history"],
            "close_kind": last["tcpstate.close_kind"] or "open",
            "client_state": final_state(stream_packets, "client", latest),
            "server_state": final_state(stream_packets, "server", latest),
            # a packet the capture holds twice counts once
            "c2s_packets": str(sum(p["tcpstate.sender"] == "client" and not is_copy(p) for p in stream_packets)),
            "s2c_packets": str(sum(p["tcpstate.sender"] == "server" and not is_copy(p) for p in stream_packets)),
        }
        for key, value in want.items():
            if row[key] != value:
                problems.append(f"conv stream {stream}: {key} {row[key]!r}, packets say {value!r}")

    arrows = ladder_lines(text)
    if len(arrows) != len(packets):
        problems.append(f"ladder has {len(arrows)} arrows for {len(packets)} judged packets")
    ladder_order = sorted(packets, key=lambda p: (list(by_stream).index(p["tcpstate.stream"]),
                                                  int(p["frame.number"])))
    for (client, server, frame, label), p in zip(arrows, ladder_order):
        # the states before are shown only on packets that change one
        changed = lambda role: (p[f"tcpstate.{role}.state"]
                                if p[f"tcpstate.{role}.prev_state"]
                                and p[f"tcpstate.{role}.state"] != p[f"tcpstate.{role}.prev_state"]
                                else "")
        want = (changed("client"), changed("server"), p["frame.number"], p["tcpstate.step"])
        if (client, server, frame, label.strip()) != want:
            problems.append(f"ladder line {(client, server, frame, label)} != packet {want}")

    steps = re.search(r"^Steps\s+(\d+)", text, flags=re.M)
    if not steps or int(steps.group(1)) != len(packets):
        problems.append(f"tree counts {steps and steps.group(1)} steps for {len(packets)} packets")
    return len(packets), problems


# What each generated shape must end as in the connection table.
SHAPE_VERDICT = {
    "four_way": ("four-way", "SF", "client"),
    "three_way": ("three-way", "SF", "client"),
    "server_first": ("four-way", "SF", "server"),
    "half_close": ("four-way", "SF", "client"),
    "client_abort": ("reset", "RSTO", "client"),
    "refused": ("refused", "REJ", "server"),
}


def check_generated(plugin, generator, packets, connections):
    with tempfile.TemporaryDirectory() as tmp:
        capture = os.path.join(tmp, "generated.pcap")
        made = subprocess.run([generator, "-n", packets, "-c", connections, "-o", capture],
                              capture_output=True, text=True, check=True).stdout
        counts = {k: int(v) for k, v in (line.split() for line in made.splitlines())
                  if v.isdigit()}
        out, _ = tshark(plugin, capture, "-q", "-z", "tcpstate,conv,tsv")
    rows = conv_rows(out)
    got = collections.Counter((r["close_kind"], r["conn_state"], r["closed_by"]) for r in rows)
    want = collections.Counter()
    for shape, verdict in SHAPE_VERDICT.items():
        want[verdict] += counts[shape]
    problems = []
    if len(rows) != counts["connections"]:
        problems.append(f"{len(rows)} connections in the table, {counts['connections']} made")
    if got != want:
        problems.append(f"table counts {dict(got)}, generator made {dict(want)}")
    return problems


def main():
    plugin = sys.argv[1]
    if sys.argv[2] == "--generated":
        problems = check_generated(plugin, *sys.argv[3:6])
        print("\n".join(problems) if problems else
              f"ok: the connection table counts the {sys.argv[5]} generated connections by shape")
        return 1 if problems else 0
    captures = sys.argv[2:]
    if captures[0] == "--corpus":
        captures = corpus_captures(captures[1])
        if captures is None:
            return SKIP
    return run_each(captures, lambda capture: check_capture(plugin, capture), "judged packets")


if __name__ == "__main__":
    sys.exit(main())
