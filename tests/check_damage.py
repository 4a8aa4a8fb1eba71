#!/usr/bin/env python3
"""check_damage.py PLUGIN [--kinds KINDS] [--max-cases N] [--jobs N] [--report] CAPTURE...

Damages real captures the four ways real captures are damaged, and checks that the states
tcpstate infers from the evidence come out as in the complete capture
(docs/steps-and-states.md, "When the capture is not complete"):

  loss     every frame of the capture deleted in turn: a lost frame that a later frame proves
           (by the doc's rules E1 to E4, read here from the complete capture alone), or that
           is no step, leaves every connection's final states as in the complete capture. The
           losses no later frame can prove are counted by the doc's rules U1 to U5.
  oneway   only the client's segments, then only the server's: the state of the end that
           sent each packet, as in the complete capture (97% is the target: the doc lists
           what one direction cannot prove)
  twice    the capture merged with a copy of itself 1 ms later: every original packet keeps
           its step, states and anomalies, and no copy raises an anomaly
  swap     each SYN+ACK and FIN moved after the ACK that answers it (the ACK captured first):
           every connection's final states as in the complete capture (not in a simultaneous
           close, where the early ACK reads as a three-way close's: the doc's U5)

The complete capture's own tcpstate output serves only to find the connections, roles and
answering ACKs; what is compared is the damaged capture's output against the complete one.
Without --report, exits 1 when a check fails (loss: any provable loss with other final
states; twice, swap: any difference; oneway: below 97%). With --report, prints the figures
and exits 0. Captures are read as classic pcap (pcapng is converted with editcap).
"""
import argparse
import concurrent.futures
import os
import struct
import subprocess
import sys
import tempfile

from tcpstate_test import SKIP, private_copy, tshark

FIELDS = ["frame.number", "tcpstate.stream", "tcpstate.sender", "tcpstate.step",
          "tcpstate.client.state", "tcpstate.server.state", "tcpstate.anomaly",
          "tcpstate.close_kind", "tcpstate.missed", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
          "tcp.len"]
SHIFT = 0.001       # the copy of "twice": 1 ms later
ONE_WAY_TARGET = 0.97


def read_pcap(path, tmp):
    """(header bytes, [record bytes]) of a capture, converted to classic pcap if need be."""
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        converted = os.path.join(tmp, "converted.pcap")
        subprocess.run(["editcap", "-F", "pcap", path, converted], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = converted
    data = open(path, "rb").read()
    little = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    endian = "<" if little else ">"
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    records, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        records.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], records, endian, nano


def shifted(record, endian, nano, seconds):
    sec, frac, incl, orig = struct.unpack(endian + "IIII", record[:16])
    unit = 1_000_000_000 if nano else 1_000_000
    total = sec * unit + frac + round(seconds * unit)
    return struct.pack(endian + "IIII", total // unit, total % unit, incl, orig) + record[16:]


def timestamp(record, endian):
    sec, frac, _, _ = struct.unpack(endian + "IIII", record[:16])
    return sec, frac


def write_pcap(path, header, records):
    with open(path, "wb") as f:
        f.write(header)
        for r in records:
            f.write(r)


def observe(plugin, path):
    """{frame: row dict} of what tcpstate shows for each judged frame."""
    args = ["-T", "fields", "-E", "occurrence=f"]
    for name in FIELDS:
        args += ["-e", name]
    out, _ = tshark(plugin, path, *args, check=False)
    rows = {}
    for line in out.splitlines():
        values = line.split("\t")
        if len(values) != len(FIELDS) or not values[2]:
            continue
        row = dict(zip(FIELDS, values))
        rows[int(row["frame.number"])] = row
    return rows


def final_states(rows, frame_map, conn_of):
    """{connection: (client, server)} after each connection's last judged frame; frame_map
    takes a frame of the damaged capture to the complete capture's."""
    final = {}
    for frame in sorted(rows):
        original = frame_map.get(frame)
        if original in conn_of:
            final[conn_of[original]] = (rows[frame]["tcpstate.client.state"], rows[frame]["tcpstate.server.state"])
    return final


def proof_of_loss(lost, rows, frames_of, conn_of):
    """What proves the loss of a frame, by the doc's rules, from the complete capture alone:
    None when a later frame does (or the frame is no step, so its loss must change nothing),
    else the rule under which nothing does (U1 to U5)."""
    row = rows[lost]
    step = row["tcpstate.step"].replace("Retransmission of ", "")
    if not step or step.startswith("Duplicate"):
        # A plain segment proves nothing itself, but its ACK number may be what showed where
        # the other end stood, when a later ACK one past it proves that end's missed FIN (E3)
        anchors = [f for f in frames_of[conn_of[lost]] if f > lost and "FIN" in rows[f]["tcpstate.missed"]
                   and rows[f]["tcpstate.sender"] == row["tcpstate.sender"]
                   and int(rows[f]["tcp.ack_raw"] or 0) == (int(row["tcp.ack_raw"] or 0) + 1) % 2**32]
        return "U4" if anchors else None
    if step.startswith("Reset"):
        return "U3"
    me = row["tcpstate.sender"]
    later = []
    for f in frames_of[conn_of[lost]]:
        if f <= lost:
            continue
        if flags(rows[f]) & RST:
            break   # a reset ends what the ends' segments can prove
        later.append(f)
    if not [f for f in frames_of[conn_of[lost]] if f > lost]:
        return "U1"
    if "Wave 4/4" in step:
        return "U2"
    conn_steps = [rows[f]["tcpstate.step"] for f in frames_of[conn_of[lost]]]
    if ("Wave" in step and any("simultaneous close" in s for s in conn_steps)) \
            or ("Handshake 1/3" in step and any("Simultaneous open" in s for s in conn_steps)):
        return "U5"     # which end was first is what the lost segment told
    mine = [f for f in later if rows[f]["tcpstate.sender"] == me]
    theirs = [f for f in later if rows[f]["tcpstate.sender"] != me]
    if step.startswith(("Handshake 3/3", "Wave 2/4")):
        # its sender's next segment carries the same acknowledgement; for Handshake 3/3 the
        # server's data or plain ACK proves it too (E2)
        if mine or (step.startswith("Handshake 3/3")
                    and any(not flags(rows[f]) & (SYN | RST) for f in theirs)):
            return None
        return "U2"
    if step.startswith("Handshake 2/3"):
        # E1: the client's next segment with an ACK (and the server's own later SYN+ACK), when
        # the client was still connecting (not a second SYN+ACK to an established client)
        earlier = [f for f in frames_of[conn_of[lost]] if f < lost]
        other = "client" if me == "server" else "server"
        if earlier and rows[earlier[-1]][f"tcpstate.{other}.state"] != "SYN_SENT":
            return "U4"
        return None if mine or any(flags(rows[f]) & ACK and not flags(rows[f]) & SYN for f in theirs) else "U4"
    if step.startswith("Handshake 1/3"):
        # the SYN+ACK that answers it starts the connection without it
        return None if any(flags(rows[f]) & SYN for f in theirs) else "U4"
    if flags(row) & FIN:
        fin = (seq(row) + int(row["tcp.len"] or 0)) % 2**32
        before = [f for f in frames_of[conn_of[lost]] if f < lost and rows[f]["tcpstate.sender"] == me]
        if any(int(rows[f]["tcp.len"] or 0) and seq_after(seq(rows[f]) + int(rows[f]["tcp.len"]), fin)
               for f in before):
            return "U4"     # its sender's data went past the FIN's number before it
        for f in later:
            r = rows[f]
            if r["tcpstate.sender"] == me:
                if flags(r) & FIN and (seq(r) + int(r["tcp.len"] or 0)) % 2**32 == fin:
                    return None     # the same FIN again
                if seq(r) == (fin + 1) % 2**32 and not int(r["tcp.len"] or 0) and not flags(r) & (SYN | FIN):
                    return None     # E4
                if int(r["tcp.len"] or 0) and (seq(r) + int(r["tcp.len"])) % 2**32 != fin:
                    return "U4"     # data past its FIN: the FIN's number is no longer one past
            elif flags(r) & ACK and int(r["tcp.ack_raw"]) == (fin + 1) % 2**32:
                # E3, when the capture showed where the FIN's sender stood: an earlier segment
                # of it, or an earlier ACK of the end that proves the FIN
                shown = before or any(flags(rows[g]) & ACK for g in frames_of[conn_of[lost]]
                                      if g < f and rows[g]["tcpstate.sender"] != me)
                return None if shown else "U4"
        return "U4"
    return None


FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


def flags(row):
    return int(row["tcp.flags"], 16) if row["tcp.flags"] else 0


def seq_after(a, b):
    return 0 < (a - b) % 2**32 < 2**31


def seq(row):
    return int(row["tcp.seq_raw"] or 0)


class Case:
    """One capture, complete, and the damaged versions made of it."""

    def __init__(self, plugin, path, tmp):
        self.plugin, self.path, self.tmp = plugin, path, tmp
        self.header, self.records, self.endian, self.nano = read_pcap(path, tmp)
        self.complete_path = os.path.join(tmp, "complete.pcap")
        write_pcap(self.complete_path, self.header, self.records)
        self.rows = observe(plugin, self.complete_path)
        self.conn_of = {f: r["tcpstate.stream"] for f, r in self.rows.items()}
        self.frames_of = {}
        for f in sorted(self.rows):
            self.frames_of.setdefault(self.conn_of[f], []).append(f)
        identity = {f: f for f in self.rows}
        self.final = final_states(self.rows, identity, self.conn_of)

    def run(self, name, frames):
        """Write the capture of these complete-capture frames (1-based, in this order; a float
        is a copy shifted by SHIFT), run tcpstate on it; returns (rows, {damaged: original})."""
        path = os.path.join(self.tmp, name + ".pcap")
        records, frame_map = [], {}
        for f in frames:
            if isinstance(f, float):
                records.append(shifted(self.records[int(f) - 1], self.endian, self.nano, SHIFT))
            else:
                records.append(self.records[f - 1])
                frame_map[len(records)] = f
        write_pcap(path, self.header, records)
        rows = observe(self.plugin, path)
        os.unlink(path)
        return rows, frame_map


def every_frame(case):
    return list(range(1, len(case.records) + 1))


def check_loss(case, max_cases):
    """[(frame, rule or None, differs)] for the frames deleted."""
    frames = sorted(case.rows)
    if max_cases and len(frames) > max_cases:
        step = len(frames) / max_cases
        frames = sorted({frames[int(i * step)] for i in range(max_cases)})
    results = []
    for lost in frames:
        rows, frame_map = case.run(f"loss-{lost}", [f for f in every_frame(case) if f != lost])
        final = final_states(rows, frame_map, case.conn_of)
        conn = case.conn_of[lost]
        differs = final.get(conn) != case.final.get(conn) and conn in final
        others = any(final.get(c) != s for c, s in case.final.items() if c != conn and c in final)
        results.append((lost, proof_of_loss(lost, case.rows, case.frames_of, case.conn_of),
                        differs or others))
    return results


def check_one_way(case):
    """(right, total, [problems]) for the sender's own state, client-only then server-only."""
    right = total = 0
    problems = []
    for role in ("client", "server"):
        kept = [f for f in every_frame(case) if case.rows.get(f, {}).get("tcpstate.sender", role) == role]
        rows, frame_map = case.run(f"oneway-{role}", kept)
        for frame, row in rows.items():
            original = frame_map.get(frame)
            if original not in case.rows:
                continue
            want_row = case.rows[original]
            sender = want_row["tcpstate.sender"]
            want = want_row[f"tcpstate.{sender}.state"]
            got = row[f"tcpstate.{row['tcpstate.sender']}.state"]
            total += 1
            if got == want:
                right += 1
            else:
                problems.append(f"{role} only: frame {original} ({want_row['tcpstate.step'] or 'no step'}): "
                                f"{sender} {got}, complete {want}")
    return right, total, problems


def same_label(value):
    """A duplicate's label names a frame number, which merging the copies in renumbers."""
    return "Duplicate" if value.startswith("Duplicate of frame") else value


def check_twice(case):
    """(packets compared, [problems])"""
    # The copies interleave with the originals by time, as mergecap would merge them.
    order = sorted([(timestamp(r, case.endian), 0, i + 1) for i, r in enumerate(case.records)]
                   + [(timestamp(shifted(r, case.endian, case.nano, SHIFT), case.endian), 1, i + 1)
                      for i, r in enumerate(case.records)])
    frames = [f if copy == 0 else float(f) for _, copy, f in order]
    rows, frame_map = case.run("twice", frames)
    problems = []
    compared = 0
    for frame, row in rows.items():
        original = frame_map.get(frame)
        if original is None:
            if row["tcpstate.anomaly"]:
                problems.append(f"copy in frame {frame}: anomaly {row['tcpstate.anomaly']}")
            continue
        want = case.rows.get(original)
        if not want:
            continue
        compared += 1
        for field in ("tcpstate.step", "tcpstate.client.state", "tcpstate.server.state", "tcpstate.anomaly"):
            if same_label(row[field]) != same_label(want[field]):
                problems.append(f"frame {original}: {field} {row[field]!r}, complete {want[field]!r}")
    return compared, problems


def check_swap(case):
    """(swaps, [problems]): each ACK step moved before the SYN+ACK or FIN it answers (the last
    one of the other end before it)."""
    problems = []
    swaps = 0
    for ack_frame, row in sorted(case.rows.items()):
        step = row["tcpstate.step"]
        if "Retransmission" in step or not step.startswith(("Handshake 3/3", "Wave 2/4", "Wave 2+3/4", "Wave 4/4")):
            continue
        wanted = SYN if step.startswith("Handshake") else FIN
        earlier = [f for f in case.frames_of[case.conn_of[ack_frame]] if f < ack_frame
                   and case.rows[f]["tcpstate.sender"] != row["tcpstate.sender"]
                   and flags(case.rows[f]) & wanted]
        if not earlier:
            continue
        answered = earlier[-1]
        if any("simultaneous close" in case.rows[f]["tcpstate.step"] for f in case.frames_of[case.conn_of[ack_frame]]):
            continue    # U5: the ACK captured first reads as a three-way close's, as the doc says
        frames = [f for f in every_frame(case) if f != ack_frame]
        frames.insert(frames.index(answered), ack_frame)
        rows, frame_map = case.run(f"swap-{ack_frame}", frames)
        final = final_states(rows, frame_map, case.conn_of)
        swaps += 1
        for conn, states in case.final.items():
            if final.get(conn) != states:
                problems.append(f"frame {ack_frame} before {answered}: connection {conn} ends "
                                f"{final.get(conn)}, complete {states}")
    return swaps, problems


def check_capture(plugin, path, kinds, max_cases):
    with tempfile.TemporaryDirectory(prefix="tcpstate-damage.") as tmp:
        os.chmod(tmp, 0o755)
        case = Case(plugin, path, tmp)
        result = {"capture": os.path.basename(path)}
        if "loss" in kinds:
            result["loss"] = check_loss(case, max_cases)
        if "oneway" in kinds:
            result["oneway"] = check_one_way(case)
        if "twice" in kinds:
            result["twice"] = check_twice(case)
        if "swap" in kinds:
            result["swap"] = check_swap(case)
        return result


def summarise(results, report):
    ok = True
    totals = {"provable": 0, "provable_wrong": 0, "unprovable": {}, "unprovable_wrong": 0,
              "oneway_right": 0, "oneway_total": 0, "twice": 0, "twice_problems": 0, "swaps": 0,
              "swap_problems": 0}
    for r in results:
        lines = []
        if "loss" in r:
            for frame, rule, differs in r["loss"]:
                if rule:
                    totals["unprovable"][rule] = totals["unprovable"].get(rule, 0) + 1
                    totals["unprovable_wrong"] += differs
                else:
                    totals["provable"] += 1
                    totals["provable_wrong"] += differs
                    if differs:
                        lines.append(f"loss of frame {frame}: final states differ, and a later frame proves it")
        if "oneway" in r:
            right, total, problems = r["oneway"]
            totals["oneway_right"] += right
            totals["oneway_total"] += total
            lines += problems
        if "twice" in r:
            compared, problems = r["twice"]
            totals["twice"] += compared
            totals["twice_problems"] += len(problems)
            lines += problems
        if "swap" in r:
            swaps, problems = r["swap"]
            totals["swaps"] += swaps
            totals["swap_problems"] += len(problems)
            lines += problems
        print(f"{'ok  ' if not lines else 'note' if report else 'FAIL'} {r['capture']}")
        for line in lines[:12]:
            print(f"     {line}")
        if len(lines) > 12:
            print(f"     ... {len(lines) - 12} more")
    t = totals
    if t["provable"] or t["unprovable"]:
        rules = ", ".join(f"{k} {v}" for k, v in sorted(t["unprovable"].items())) or "none"
        print(f"loss: {t['provable'] - t['provable_wrong']} of {t['provable']} provable losses end in the "
              f"complete capture's final states; unprovable by rule: {rules} "
              f"({t['unprovable_wrong']} of them end differently)")
        ok &= t["provable_wrong"] == 0
    if t["oneway_total"]:
        share = t["oneway_right"] / t["oneway_total"]
        print(f"oneway: the sender's own state right at {t['oneway_right']} of {t['oneway_total']} packets "
              f"({100 * share:.1f}%, target {100 * ONE_WAY_TARGET:.0f}%)")
        ok &= share >= ONE_WAY_TARGET
    if t["twice"]:
        print(f"twice: {t['twice']} original packets compared, {t['twice_problems']} differences")
        ok &= t["twice_problems"] == 0
    if t["swaps"]:
        print(f"swap: {t['swaps']} ACKs moved before the segment they answer, "
              f"{t['swap_problems']} connections end differently")
        ok &= t["swap_problems"] == 0
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("plugin")
    ap.add_argument("captures", nargs="*")
    ap.add_argument("--corpus", help="a folder of captures instead (skip if absent)")
    ap.add_argument("--kinds", default="loss,oneway,twice,swap")
    ap.add_argument("--max-cases", type=int, default=0, help="at most this many losses per capture")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--report", action="store_true", help="print the figures, never fail")
    args = ap.parse_intermixed_args()
    captures = list(args.captures)
    if args.corpus:
        if not os.path.isdir(args.corpus):
            print(f"SKIP: no capture folder {args.corpus}")
            return SKIP
        captures += [os.path.join(args.corpus, f) for f in sorted(os.listdir(args.corpus))
                     if f.endswith((".pcap", ".pcapng"))]
    kinds = set(args.kinds.split(","))
    with tempfile.TemporaryDirectory(prefix="tcpstate-damage-plugin.") as tmp:
        plugin = private_copy(args.plugin, tmp)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda c: check_capture(plugin, c, kinds, args.max_cases), captures))
    ok = summarise(results, args.report)
    return 0 if ok or args.report else 1


if __name__ == "__main__":
    sys.exit(main())
