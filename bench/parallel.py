#!/usr/bin/env python3
"""The big-capture benchmark: scripts/tcpstate-parallel -j N against one tshark on the same capture.
Started by bench/run.sh --parallel, which builds the plugin and writes the capture
(`bench/run.sh --help`).

Both sides produce the connection table and the statistics tree
(-q -z tcpstate,conv,tsv -z tcpstate,tree). Runs alternate, one tshark then one
tcpstate-parallel, PAIRS times after a warm-up of each (the capture is then in the page
cache, as it is for both sides alike). Measured:
- wall time of each side, and the ratio per pair;
- peak RSS (ru_maxrss, os.wait4) of the one tshark, and of every worker's tshark (through
  tcpstate-parallel's TCPSTATE_TSHARK_PREFIX, which this script points at a wrapper that
  records it); the ratio is the largest worker's over the one tshark's;
- the split's own cost: tcpstate-parallel -v's phases (the filter passes, then the check
  and collection by tcpstate-shardmap, the shards, the merge), and one filter pass alone
  (tcpdump reading the whole capture, CPU and wall), which a one-pass splitter would pay once
  instead of once per shard.
The merged table must equal the one tshark's (every column but the stream index) and the
tree's counts too, or the run stops.
"""
import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

NOBODY = 65534
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(REPO, "scripts", "tcpstate-parallel")
REPORTS = ["-q", "-z", "tcpstate,conv,tsv", "-z", "tcpstate,tree"]
TARGETS = {"wall": 0.65, "rss": 0.60}

MAXRSS = r'''import os, subprocess, sys
out, cmd = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(cmd)
_, status, usage = os.wait4(p.pid, 0)
with open("%s.%d" % (out, p.pid), "w") as f:
    f.write("%d %.3f\n" % (usage.ru_maxrss, usage.ru_utime + usage.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
'''


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def as_nobody(cmd, env):
    if os.getuid() != 0:
        return ["env"] + [f"{k}={v}" for k, v in env.items()] + cmd
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "env"] + \
        [f"{k}={v}" for k, v in env.items()] + cmd


def wait_measured(proc):
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), usage


def single(work, plugins, capture, out):
    """One tshark: (wall s, peak RSS KiB, cpu s)."""
    cmd = as_nobody(["tshark", "-r", capture, *REPORTS],
                    {"HOME": work, "WIRESHARK_PLUGIN_DIR": plugins})
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        status, usage = wait_measured(proc)
        wall = time.perf_counter() - t0
    if status:
        sys.exit(f"tshark failed ({status})")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def parallel(work, plugin, capture, jobs, out):
    """tcpstate-parallel -j JOBS: (wall s, [(worker peak RSS KiB, cpu s)], phases)."""
    rss_dir = os.path.join(work, "rss")
    os.makedirs(rss_dir, exist_ok=True)
    os.chmod(rss_dir, 0o777)
    for f in os.listdir(rss_dir):
        os.unlink(os.path.join(rss_dir, f))
    wrapper = os.path.join(work, "maxrss.py")
    env = dict(os.environ, TCPSTATE_TSHARK_PREFIX=f"python3 {wrapper} {rss_dir}/worker")
    cmd = [TOOL, "-v", "-j", str(jobs), "--plugin", plugin, "--tmpdir", work, capture,
           *REPORTS]
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, env=env, text=False)
        wall = time.perf_counter() - t0
    err = proc.stderr.decode(errors="replace")
    if proc.returncode:
        sys.exit(f"tcpstate-parallel failed ({proc.returncode}):\n{err}")
    workers = []
    for f in os.listdir(rss_dir):
        with open(os.path.join(rss_dir, f)) as fh:
            rss, cpu = fh.read().split()
            workers.append((int(rss), float(cpu)))
    phases = {}
    m = re.search(r"in ([\d.]+) s \(filters ([\d.]+) s, check ([\d.]+) s\)", err)
    if m:
        phases["split"], phases["filters"], phases["check"] = map(float, m.groups())
    m = re.search(r"merged \d+ outputs in ([\d.]+) s; ([\d.]+) s in all", err)
    if m:
        phases["merge"], phases["all"] = map(float, m.groups())
    phases["shards"] = [float(x) for x in re.findall(r"done in ([\d.]+) s", err)]
    return wall, workers, phases


def one_pass(capture):
    """One filter pass of the split, alone: tcpdump reading the whole capture with shard 0 of
    2's filter, output discarded. (cpu s, wall s)."""
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    src = open(TOOL).read()
    scope = {"__file__": TOOL, "__name__": "tcpstate_parallel"}
    exec(compile(src, TOOL, "exec"), scope)
    bpf = scope["shard_filter"](2, 0)
    with open(os.devnull, "wb") as devnull:
        t0 = time.perf_counter()
        proc = subprocess.Popen(["tcpdump", "-r", capture, "--time-stamp-precision=nano",
                                 "-w", "-", bpf], stdout=devnull, stderr=subprocess.DEVNULL)
        status, usage = wait_measured(proc)
        wall = time.perf_counter() - t0
    return usage.ru_utime + usage.ru_stime, wall


def same_result(single_out, parallel_out):
    """The merged table equals the single one apart from the stream index; tree counts too."""
    def split(path):
        text = open(path).read()
        table = [line.split("\t")[1:] for line in text.splitlines() if "\t" in line]
        tree = re.findall(r"^( *\S.*?)\s{2,}(\d+)\s", text, flags=re.M)
        return table, tree
    return split(single_out) == split(parallel_out)


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--counts")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()

    work = os.path.join(args.dir, "parallel-work")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    plugins = os.path.join(work, "plugins")
    version = os.path.basename(os.path.dirname(os.path.dirname(args.plugin)))
    os.makedirs(os.path.join(plugins, version, "epan"), exist_ok=True)
    subprocess.run(["cp", args.plugin, os.path.join(plugins, version, "epan", "tcpstate.so")],
                   check=True)
    subprocess.run(["chmod", "-R", "a+rX", plugins], check=True)
    with open(os.path.join(work, "maxrss.py"), "w") as f:
        f.write(MAXRSS)
    os.chmod(os.path.join(work, "maxrss.py"), 0o644)
    one_out, par_out = os.path.join(work, "single.out"), os.path.join(work, "parallel.out")

    load_before = loadavg()
    log(f"== warm-up (load average {load_before})")
    single(work, plugins, args.capture, one_out)
    parallel(work, args.plugin, args.capture, args.jobs, par_out)
    if not same_result(one_out, par_out):
        sys.exit(f"the merged reports differ from one tshark's: compare {one_out} {par_out}")
    runs = []
    for i in range(args.pairs):
        s_wall, s_rss, s_cpu = single(work, plugins, args.capture, one_out)
        p_wall, workers, phases = parallel(work, args.plugin, args.capture, args.jobs, par_out)
        big = max(workers)
        runs.append({"single_wall": s_wall, "single_rss_kib": s_rss, "single_cpu": s_cpu,
                     "parallel_wall": p_wall, "workers": workers, "phases": phases,
                     "wall_ratio": p_wall / s_wall, "rss_ratio": big[0] / s_rss})
        log(f"== pair {i + 1}/{args.pairs}: one tshark {s_wall:.2f} s {s_rss / 1024:.0f} MiB; "
            f"-j {args.jobs} {p_wall:.2f} s, largest worker {big[0] / 1024:.0f} MiB "
            f"(load average {loadavg()})")
    pass_cpu, pass_wall = one_pass(args.capture)
    load_after = loadavg()

    med = lambda key: statistics.median(r[key] for r in runs)
    spread = lambda key: (min(r[key] for r in runs), max(r[key] for r in runs))
    phase = lambda key: statistics.median(r["phases"].get(key, 0.0) for r in runs)
    shard_times = [t for r in runs for t in r["phases"].get("shards", [])]
    cpu_info = open("/proc/cpuinfo").read()
    model = re.search(r"model name\s*:\s*(.*)", cpu_info)
    tshark_version = subprocess.run(["tshark", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0]
    counts = open(args.counts).read().split() if args.counts else []
    size = os.path.getsize(args.capture)
    lines = [
        f"tcpstate-parallel -j {args.jobs} against one tshark: {args.pairs} pairs, "
        f"-q -z tcpstate,conv,tsv -z tcpstate,tree",
        f"capture {args.capture}: {size / 1e6:.0f} MB, "
        + " ".join(f"{k} {v}" for k, v in zip(counts[::2], counts[1::2])
                   if k in ("packets", "connections")),
        f"machine: {model.group(1) if model else '?'}, {os.cpu_count()} cores; {tshark_version}; "
        f"load average {load_before} before, {load_after} after",
        "",
        f"{'':34}{'median':>8}   {'min - max':<15} target",
        f"{'wall, -j %d / one tshark' % args.jobs:34}{med('wall_ratio'):8.3f}   "
        f"{'%.3f - %.3f' % spread('wall_ratio'):<15} <= {TARGETS['wall']} "
        f"{'ok' if med('wall_ratio') <= TARGETS['wall'] else 'MISSED'}",
        f"{'peak RSS, largest worker / one':34}{med('rss_ratio'):8.3f}   "
        f"{'%.3f - %.3f' % spread('rss_ratio'):<15} <= {TARGETS['rss']} "
        f"{'ok' if med('rss_ratio') <= TARGETS['rss'] else 'MISSED'}",
        f"    one tshark: {med('single_wall'):.2f} s wall, {med('single_cpu'):.2f} s CPU, "
        f"{med('single_rss_kib') / 1024:.0f} MiB",
        f"    -j {args.jobs}: {med('parallel_wall'):.2f} s wall; split {phase('split'):.2f} s "
        f"(filter passes {phase('filters'):.2f} s, tcpstate-shardmap {phase('check'):.2f} s), "
        f"shards {min(shard_times, default=0):.2f} - {max(shard_times, default=0):.2f} s each, "
        f"merge {phase('merge'):.2f} s",
        f"    workers: " + "; ".join(
            f"{rss / 1024:.0f} MiB, {cpu:.2f} s CPU" for rss, cpu in sorted(runs[-1]["workers"])),
        f"    one filter pass alone (tcpdump over the whole capture): {pass_cpu:.2f} s CPU, "
        f"{pass_wall:.2f} s wall",
    ]
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(args.dir, f"parallel-{stamp}.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(args.dir, f"parallel-{stamp}.json"), "w") as f:
        json.dump({"runs": runs, "one_pass": {"cpu": pass_cpu, "wall": pass_wall},
                   "load": [load_before, load_after]}, f, indent=1)
    log(f"== saved {args.dir}/parallel-{stamp}.txt and .json")


if __name__ == "__main__":
    main()
