#!/usr/bin/env python3
"""Runs tshark with and without the tcpstate plugin on the benchmark captures and prints
the ratios. Started by bench/run.sh, which builds the plugin and writes the captures;
`bench/run.sh --help` lists the options.

"Without" is tshark with no tcpstate loaded at all: WIRESHARK_PLUGIN_DIR is an empty folder.
Wireshark ignores WIRESHARK_PLUGIN_DIR when the real user is root, so as root every tshark
runs as nobody (setpriv), with the plugin copied to a private folder nobody can read.

Each measurement is a series of pairs, "with" then "without", run one after the other (never
two at once); a pair gives one ratio, and the table shows the median ratio and the spread
(min - max) over the pairs. CPU is user + sys and peak RSS is ru_maxrss of the tshark
process (os.wait4), wall time is measured around it.
"""
import argparse
import collections
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

NOBODY = 65534
FIELDS_WITH = ["-T", "fields", "-e", "frame.number", "-e", "tcpstate.step",
               "-e", "tcpstate.client.state", "-e", "tcpstate.server.state"]
FIELDS_WITHOUT = ["-T", "fields", "-e", "frame.number", "-e", "tcp.flags"]
TARGETS = {"plain": {"cpu": 1.03, "wall": 1.03, "rss": 1.05},
           "fields": {"cpu": 1.05, "wall": 1.05}}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Tshark:
    """tshark with a given plugin folder, as nobody when we are root."""

    def __init__(self, work, plugin_so):
        self.work = work
        version = os.path.basename(os.path.dirname(os.path.dirname(plugin_so)))  # X.Y
        self.dirs = {"with": os.path.join(work, "plugins-with"),
                     "without": os.path.join(work, "plugins-none")}
        os.makedirs(os.path.join(self.dirs["with"], version, "epan"))
        os.makedirs(self.dirs["without"])
        shutil.copy(plugin_so, os.path.join(self.dirs["with"], version, "epan", "tcpstate.so"))
        self.home = os.path.join(work, "home")
        os.makedirs(self.home)
        self.out = os.path.join(work, "out")   # writable by nobody (callgrind files)
        os.makedirs(self.out)
        for root, dirs, files in os.walk(work):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        os.chmod(work, 0o755)
        os.chmod(self.out, 0o777)

    def argv(self, which, args, wrapper=()):
        env = ["env", "HOME=" + self.home, "WIRESHARK_PLUGIN_DIR=" + self.dirs[which]]
        cmd = env + list(wrapper) + ["tshark"] + list(args)
        if os.getuid() == 0:
            cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + cmd
        return cmd

    def output(self, which, args):
        proc = subprocess.run(self.argv(which, args), capture_output=True, text=True)
        return proc.stdout + proc.stderr

    def measure(self, which, args):
        """One run, stdout to /dev/null: cpu s, wall s, peak RSS KiB."""
        errpath = os.path.join(self.work, "stderr")
        with open(os.devnull, "wb") as devnull, open(errpath, "wb") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(self.argv(which, args), stdout=devnull, stderr=err)
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            with open(errpath) as f:
                sys.exit("tshark failed (%d): %s\n%s" % (proc.returncode, " ".join(args), f.read()))
        return {"cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime, "sys": ru.ru_stime,
                "wall": wall, "rss_kib": ru.ru_maxrss}


def check_loading(ts):
    """The plugin must be loaded in "with" runs and absent in "without" runs."""
    with_list = ts.output("with", ["-G", "plugins"])
    without_list = ts.output("without", ["-G", "plugins"])
    if "tcpstate.so" not in with_list:
        sys.exit("tcpstate.so is not loaded with WIRESHARK_PLUGIN_DIR=%s:\n%s" % (
            ts.dirs["with"], "\n".join(l for l in with_list.splitlines() if "extcap" not in l)))
    if "tcpstate" in without_list:
        sys.exit("tcpstate is loaded even with an empty WIRESHARK_PLUGIN_DIR (installed globally? "
                 "`make uninstall`):\n%s" % "\n".join(l for l in without_list.splitlines() if "tcpstate" in l))


def tree_items(ts, capture, packets=2000):
    """Protocol-tree items per packet with the plugin (-T pdml on the first packets): what
    -T fields has to build and walk."""
    pdml = ts.output("with", ["-r", capture, "-c", str(packets), "-T", "pdml"])
    names = re.findall(r'<field name="([^"]*)"', pdml)
    return {"all": len(names) / packets,
            "tcp": sum(1 for x in names if x.startswith("tcp.")) / packets,
            "tcpstate": sum(1 for x in names if x.startswith("tcpstate")) / packets}


def pairs(ts, n, args_with, args_without, label, second="without"):
    """n pairs of runs: tshark with the plugin, then `second` (by default without it)."""
    runs = []
    for i in range(n):
        w = ts.measure("with", args_with)
        wo = ts.measure(second, args_without)
        runs.append((w, wo))
        log("  %s pair %d/%d: with %.2fs cpu %.2fs wall %d MiB | without %.2fs cpu %.2fs wall %d MiB"
            % (label, i + 1, n, w["cpu"], w["wall"], w["rss_kib"] // 1024,
               wo["cpu"], wo["wall"], wo["rss_kib"] // 1024))
    return runs


def summarise(runs):
    out = {}
    for key, metric in (("cpu", "cpu"), ("wall", "wall"), ("rss", "rss_kib")):
        ratios = [w[metric] / wo[metric] for w, wo in runs]
        out[key] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
                    "with": statistics.median(w[metric] for w, _ in runs),
                    "without": statistics.median(wo[metric] for _, wo in runs)}
    return out


def read_counts(path):
    counts = collections.OrderedDict()
    with open(path) as f:
        for line in f:
            k, v = line.split()
            counts[k] = float(v) if "." in v else int(v)
    return counts


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    tshark = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"cpu": model, "cores": os.cpu_count(), "mem_gib": mem_kib / 1048576,
            "kernel": platform.release(), "tshark": tshark}


def git_describe(repo):
    try:
        rev = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "?"


# ---------------------------------------------------------------- callgrind

def parse_callgrind(path, plugin_marker="tcpstate.so"):
    """Self cost of every function, and for the plugin's functions the inclusive cost of each
    call they make, from a callgrind output file (one event, Ir)."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    self_cost = collections.Counter()          # (ob, fn) -> Ir
    calls = collections.defaultdict(collections.Counter)   # (ob, fn) -> {(cob, cfn): Ir}
    total = None
    ob = fn = None
    cob = cfn = None
    pending_call = False

    def name(kind, value):
        m = re.match(r"\((\d+)\)(?:\s+(.*))?$", value)
        if not m:
            return value
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), "?")

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending_call:
                    calls[(ob, fn)][(cob if cob is not None else ob, cfn)] += cost
                    pending_call = False
                    cob = None
                else:
                    self_cost[(ob, fn)] += cost
                continue
            key, _, value = line.partition("=")
            if key == "ob":
                ob = name("ob", value)
            elif key == "fn":
                fn = name("fn", value)
            elif key in ("fl", "fi", "fe"):
                name("fl", value)
            elif key == "cob":
                cob = name("ob", value)
            elif key in ("cfi", "cfl"):
                name("fl", value)
            elif key == "cfn":
                cfn = name("fn", value)
            elif key == "calls":
                pending_call = True
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split(":")[1].split()[0])

    plugin_objs = {o for o, _ in list(self_cost) + [k for v in calls.values() for k in v] if o and plugin_marker in o}
    own = {}            # plugin function -> [self, external callees]
    external = collections.Counter()
    tcp_call = 0
    for (o, f), cost in self_cost.items():
        if o in plugin_objs:
            own.setdefault(f.split("'")[0], [0, 0])[0] += cost
    for (o, f), callees in calls.items():
        if o not in plugin_objs or "register" in f or "handoff" in f:
            continue
        for (co, cf), cost in callees.items():
            if co in plugin_objs:
                continue            # counted in the callee's own entry
            cf = cf.split("'")[0]      # recursion levels are named f'2, f'3 ...
            if f.split("'")[0] == "dissect_tcp_and_track" and cf == "call_dissector_only":
                tcp_call += cost    # Wireshark's TCP dissector itself
                continue
            own.setdefault(f.split("'")[0], [0, 0])[1] += cost
            external[cf] += cost
    # Registration runs once at start-up: not part of what a packet costs.
    for f in [f for f in own if "register" in f or "handoff" in f]:
        del own[f]
    return {"total": total or sum(self_cost.values()), "own": own, "external": external,
            "tcp_call": tcp_call}


def callgrind(ts, capture, packets, mode, outdir):
    args_with = ["-r", capture] + (FIELDS_WITH if mode == "fields" else [])
    args_without = ["-r", capture] + (FIELDS_WITHOUT if mode == "fields" else [])
    result = {"packets": packets}
    for which, args in (("with", args_with), ("without", args_without)):
        # The whole capture, then its first packet alone: the difference is what the
        # packets cost, without start-up (registering every dissector and field).
        for part, extra in (("all", []), ("startup", ["-c", "1"])):
            out = os.path.join(ts.out, "callgrind.%s.%s.%s.out" % (mode, which, part))
            log("  callgrind %s, %s the plugin, %s..." % (mode, which, "%d packets" % packets if extra == [] else "start-up"))
            t0 = time.perf_counter()
            cmd = ts.argv(which, args + extra,
                          wrapper=["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out])
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if proc.returncode != 0:
                sys.exit("callgrind run failed:\n" + proc.stderr[-3000:])
            log("    %.0f s" % (time.perf_counter() - t0))
            kept = os.path.join(outdir, os.path.basename(out))
            shutil.copy(out, kept)
            if part == "all":
                result[which] = parse_callgrind(kept)
                result[which]["file"] = kept
            else:
                result[which]["startup"] = parse_callgrind(kept)["total"]
                os.unlink(kept)
    return result


# ---------------------------------------------------------------- report

def fmt_ratio_row(label, s, target):
    verdict = ""
    if target is not None:
        verdict = "ok" if s["median"] <= target else "MISSED"
    return "  %-28s %7.3f   %5.3f - %5.3f   %-7s %s" % (
        label, s["median"], s["min"], s["max"], "<= %.2f" % target if target else "", verdict)


def report(args, info, counts, results, cg):
    lines = []
    p = lines.append
    p("tcpstate benchmark, %s" % info["date"])
    m = info["machine"]
    p("machine : %s, %d cores, %.1f GiB RAM, Linux %s" % (m["cpu"], m["cores"], m["mem_gib"], m["kernel"]))
    p("tshark  : %s" % m["tshark"])
    p("plugin  : %s (git %s)" % (args.plugin, info["git"]))
    c = counts[args.packets]
    p("capture : %s packets, %s connections (%s), %s data segments, %.0f MB, "
      "%.0f s of traffic, up to %s connections open at once"
      % (f"{c['packets']:,}", f"{c['connections']:,}",
         ", ".join("%s %s" % (k, f"{c[k]:,}") for k in
                   ("four_way", "three_way", "server_first", "client_abort", "refused", "half_close")),
         f"{c['data_segments']:,}", c["frame_bytes"] / 1e6, c["capture_seconds"], f"{c['max_open_connections']:,}"))
    p("load    : %s before, %s after (other work on the machine skews wall and CPU times)"
      % (info["load_before"], info["load_after"]))
    p("")
    p("Ratios with/without the plugin: median over %d interleaved pairs, spread min - max." % args.pairs)
    p("")
    p("  %-28s %7s   %-13s   %s" % ("", "median", "min - max", "target"))
    pl = results["plain"]
    p("(a) tshark -r FILE > /dev/null")
    p(fmt_ratio_row("CPU (user+sys)", pl["cpu"], TARGETS["plain"]["cpu"]))
    p(fmt_ratio_row("wall", pl["wall"], TARGETS["plain"]["wall"]))
    p(fmt_ratio_row("peak RSS", pl["rss"], TARGETS["plain"]["rss"]))
    p("      medians: with %.2f s CPU, %.2f s wall, %.0f MiB; without %.2f s CPU, %.2f s wall, %.0f MiB"
      % (pl["cpu"]["with"], pl["wall"]["with"], pl["rss"]["with"] / 1024,
         pl["cpu"]["without"], pl["wall"]["without"], pl["rss"]["without"] / 1024))
    if "fields" in results:
        fl = results["fields"]
        p("(b) -T fields -e frame.number -e tcpstate.step -e tcpstate.client.state -e tcpstate.server.state")
        p("    vs -T fields -e frame.number -e tcp.flags without the plugin")
        p(fmt_ratio_row("CPU (user+sys)", fl["cpu"], None))
        p(fmt_ratio_row("wall", fl["wall"], None))
        p(fmt_ratio_row("peak RSS", fl["rss"], None))
        p("      medians: with %.2f s CPU, %.2f s wall, %.0f MiB; without %.2f s CPU, %.2f s wall, %.0f MiB"
          % (fl["cpu"]["with"], fl["wall"]["with"], fl["rss"]["with"] / 1024,
             fl["cpu"]["without"], fl["wall"]["without"], fl["rss"]["without"] / 1024))
        it = fl["items"]
        p("      tree items per packet (first 2,000 packets, -T pdml): %.1f in all with the plugin, "
          "of which tcpstate %.1f, tcp %.1f" % (it["all"], it["tcpstate"], it["tcp"]))
        fb = results["fields_loaded"]
        p("(b') the same two commands, both with the plugin loaded (what asking for the tcpstate")
        p("    fields costs beside asking for tcp.flags: the pair the -T fields target is read on)")
        p(fmt_ratio_row("CPU (user+sys)", fb["cpu"], TARGETS["fields"]["cpu"]))
        p(fmt_ratio_row("wall", fb["wall"], TARGETS["fields"]["wall"]))
    p("")
    p("(c) Memory the plugin keeps: peak RSS with - without, plain tshark -r, median over pairs")
    p("  %12s %12s %12s %12s %10s %11s %11s" % ("packets", "connections", "RSS without", "RSS with",
                                               "extra", "bytes/conn", "bytes/pkt"))
    pts = []
    for n in sorted(results["growth"]):
        g = results["growth"][n]
        cc = counts[n]
        extra = (g["rss"]["with"] - g["rss"]["without"]) * 1024
        pts.append((cc["packets"], cc["connections"], extra))
        p("  %12s %12s %8.1f MiB %8.1f MiB %6.1f MiB %11.0f %11.1f"
          % (f"{cc['packets']:,}", f"{cc['connections']:,}", g["rss"]["without"] / 1024,
             g["rss"]["with"] / 1024, extra / 1048576, extra / cc["connections"], extra / cc["packets"]))
    if len(pts) >= 2:
        xs = [x for x, _, _ in pts]
        ys = [y for _, _, y in pts]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        icpt = my - slope * mx
        worst = max(abs(y - (icpt + slope * x)) for x, y in zip(xs, ys))
        ppc = pts[-1][0] / pts[-1][1]
        p("  least-squares line: extra = %.1f MiB + %.1f bytes x packets (largest deviation %.1f MiB);"
          % (icpt / 1048576, slope, worst / 1048576))
        p("  at %.0f packets per connection that is %.0f bytes per connection, state and per-frame records together"
          % (ppc, slope * ppc))
    if cg:
        p("")
        p("(d) Instructions (callgrind on captures of the same kind, one run each; Wireshark seeds its hash")
        p("    maps at random, so a count varies by up to about 0.5% from run to run)")
        for mode, r in cg.items():
            w, wo, n = r["with"], r["without"], r["packets"]
            own_total = sum(s + e for s, e in w["own"].values())
            label = "tshark -r FILE" if mode == "plain" else "-T fields, tcpstate.* vs tcp.flags"
            p("  %s, %s packets:" % (label, f"{n:,}"))
            pw, pwo = (w["total"] - w["startup"]) / (n - 1), (wo["total"] - wo["startup"]) / (n - 1)
            p("    Ir with %s, without %s: ratio %.4f; start-up (-c 1) %s and %s"
              % (f"{w['total']:,}", f"{wo['total']:,}", w["total"] / wo["total"],
                 f"{w['startup']:,}", f"{wo['startup']:,}"))
            p("    per packet, start-up taken off: %.0f Ir with, %.0f without: ratio %.4f (what a huge capture tends to)"
              % (pw, pwo, pw / pwo))
            p("    the plugin's code and the Wireshark functions it calls: %s Ir = %.0f Ir per packet = %.2f%% of "
              "the per-packet Ir with it" % (f"{own_total:,}", own_total / n, 100.0 * own_total / n / pw))
            p("    (the rest of the difference per packet, %.0f Ir: the extra dispatch through the plugin's handle "
              "in ip.proto, tshark's output of the plugin's items, and run-to-run variation)" % (pw - pwo - own_total / n))
            p("    plugin functions (self + Wireshark functions they call, without the TCP dissector itself):")
            for f, (s, e) in sorted(w["own"].items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:8]:
                if s + e == 0:
                    continue
                p("      %14s Ir %5.1f%% of plugin  %-28s (self %s)" % (f"{s + e:,}", 100.0 * (s + e) / own_total, f, f"{s:,}"))
            p("    Wireshark functions the plugin calls (inclusive):")
            for f, cost in w["external"].most_common(8):
                p("      %14s Ir %5.1f%% of plugin  %s" % (f"{cost:,}", 100.0 * cost / own_total, f))
            p("    files: %s, %s (callgrind_annotate --inclusive=yes --tree=calling FILE)" % (w["file"], wo["file"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plugin", required=True, help="tcpstate.so, in a plugins/X.Y/epan/ folder")
    ap.add_argument("--dir", required=True, help="folder with the captures (cap-N.pcap, cap-N.counts)")
    ap.add_argument("--packets", type=int, required=True, help="packets of the full-size capture")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--growth-pairs", type=int, default=3, help="pairs on the 1/4 and 1/2 captures")
    ap.add_argument("--no-fields", action="store_true", help="skip measurement (b)")
    ap.add_argument("--callgrind-packets", type=int, default=0, help="plain tshark -r; 0: none")
    ap.add_argument("--callgrind-fields-packets", type=int, default=0, help="-T fields; 0: none")
    args = ap.parse_args()

    def cap(n):
        return os.path.join(args.dir, "cap-%d.pcap" % n)

    sizes = [args.packets // 4, args.packets // 2, args.packets]
    counts = {n: read_counts(os.path.join(args.dir, "cap-%d.counts" % n)) for n in sizes}
    info = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine(),
            "git": git_describe(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            "load_before": " ".join(open("/proc/loadavg").read().split()[:3])}

    work = tempfile.mkdtemp(prefix="tcpstate-bench-run.")
    try:
        ts = Tshark(work, args.plugin)
        check_loading(ts)
        results = {}
        full = cap(args.packets)
        log("warm-up (page cache), one run each")
        ts.measure("with", ["-r", full])
        ts.measure("without", ["-r", full])
        log("(a) plain tshark -r, %d pairs" % args.pairs)
        plain_runs = pairs(ts, args.pairs, ["-r", full], ["-r", full], "plain")
        results["plain"] = summarise(plain_runs)
        if not args.no_fields:
            log("(b) -T fields, %d pairs" % args.pairs)
            results["fields"] = summarise(pairs(ts, args.pairs, ["-r", full] + FIELDS_WITH,
                                                ["-r", full] + FIELDS_WITHOUT, "fields"))
            results["fields"]["items"] = tree_items(ts, full)
            # The pair the -T fields target is read on: the plugin loaded in both runs, so the ratio
            # is what asking for tcpstate's fields costs beside asking for tcp.flags.
            log("(b') -T fields, both with the plugin, %d pairs" % args.pairs)
            results["fields_loaded"] = summarise(pairs(ts, args.pairs, ["-r", full] + FIELDS_WITH,
                                                       ["-r", full] + FIELDS_WITHOUT, "fields, loaded",
                                                       second="with"))
        results["growth"] = {args.packets: results["plain"]}
        for n in sizes[:2]:
            log("(c) memory growth, %d packets, %d pairs" % (n, args.growth_pairs))
            ts.measure("with", ["-r", cap(n)])
            results["growth"][n] = summarise(pairs(ts, args.growth_pairs, ["-r", cap(n)], ["-r", cap(n)], "growth"))
        cg = {}
        if args.callgrind_packets:
            n = args.callgrind_packets
            cg["plain"] = callgrind(ts, cap(n), n, "plain", args.dir)
        if args.callgrind_fields_packets:
            n = args.callgrind_fields_packets
            cg["fields"] = callgrind(ts, cap(n), n, "fields", args.dir)
        info["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
        text = report(args, info, counts, results, cg)
        print(text)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        with open(os.path.join(args.dir, "results-%s.txt" % stamp), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(args.dir, "results-%s.json" % stamp), "w") as f:
            json.dump({"info": info, "args": vars(args), "counts": {str(k): v for k, v in counts.items()},
                       "results": {k: ({str(n): g for n, g in v.items()} if k == "growth" else v)
                                   for k, v in results.items()},
                       "callgrind": {m: {w: {"total": r[w]["total"], "startup": r[w]["startup"], "own": r[w]["own"],
                                             "external": dict(r[w]["external"].most_common(30))}
                                         for w in ("with", "without")} for m, r in cg.items()}}, f, indent=1)
        log("results saved in %s/results-%s.{txt,json}" % (args.dir, stamp))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
