#!/usr/bin/env python3
"""fuzz.py [--long | --count N] [--plugin ASAN_PLUGIN] [--build-dir DIR] [--jobs N] ...

Corrupts the sample captures (and the public corpus in ../shared/pcaps-public, when it is
there) with editcap's fuzzing options, and runs tshark on each corrupted capture with the
plugin built with AddressSanitizer and UndefinedBehaviorSanitizer. tshark itself is not
instrumented: the sanitizer runtimes the plugin links are preloaded into it.

Each corrupted capture is one case, numbered from 0; case i is fully determined by i and
--seed (default 1): the capture (i modulo the number of captures), editcap's byte error
rate (-E) and seed (--seed), the bytes spared at the start of each packet (-o: none, a
14-byte Ethernet header, Ethernet + IPv4 headers) and, on some cases, a snaplen (-s) that
cuts TCP headers short. tshark then runs in one of four ways, so that the tree, the Info
column, the three -z reports and the second pass are all exercised:
  -V -z tcpstate,tree -z tcpstate,conv -z tcpstate,ladder
  -2 -V
  -q -z tcpstate,tree -z tcpstate,conv -z tcpstate,ladder
  -2 -q -z tcpstate,tree -z tcpstate,conv -z tcpstate,ladder

A case fails on a crash (a signal, or ASan's abort), a sanitizer report ("ERROR:
AddressSanitizer", "runtime error:"), a "Dissector bug" naming TCP State, or a hang (no exit
within --timeout seconds). Each failure prints the commands that reproduce it, and the
corrupted capture is kept in BUILD_DIR/fuzz-failures/.

Modes: the default (ctest's "fuzz") runs 400 cases, about 2 minutes on 2 cores; --long
(make fuzz-long) runs 40 variants of each capture: 2,840 cases with the 71 captures here
(30 samples, 41 public). Without --plugin the ASan plugin is configured and built in
--build-dir (default: build-asan in the source tree; ctest and make fuzz-long use
BUILD/asan). Exit status: 0 all passed, 1 failures, 77 (ctest's skip) when the sanitizer
runtime is not installed.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from tcpstate_test import private_copy

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
WRAPPER = os.path.join(HERE, "tshark-plugin.sh")
SKIP = 77

SHORT_CASES = 400
LONG_VARIANTS = 40          # per capture: 71 captures give 2,840 cases

RATES = ["0.001", "0.005", "0.02", "0.05", "0.2"]      # editcap -E, per byte
OFFSETS = [0, 14, 34]                                   # editcap -o
SNAPLENS = [34, 40, 46, 54, 60, 70]                     # editcap -s, on every third case
REPORTS = ["-z", "tcpstate,tree", "-z", "tcpstate,conv", "-z", "tcpstate,ladder"]
MODES = [["-V"] + REPORTS, ["-2", "-V"], ["-q"] + REPORTS, ["-2", "-q"] + REPORTS]

ASAN_OPTIONS = "detect_leaks=0:abort_on_error=1:symbolize=1"
UBSAN_OPTIONS = "print_stacktrace=1:halt_on_error=1"
REPORT_PATTERNS = ["ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "AddressSanitizer:DEADLYSIGNAL"]


def skip(message):
    print(f"SKIP: {message}")
    sys.exit(SKIP)


def sanitizer_runtime_of(plugin):
    """The libasan and libubsan the plugin links, in the order LD_PRELOAD needs them."""
    out = subprocess.run(["ldd", plugin], capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"\s*lib(a|ub)san\.so\S*\s+=>\s+(.*?)\s*(\(0x[0-9a-f]+\))?$", line)
        if m:
            found[m.group(1)] = m.group(2)
    if "a" not in found:
        sys.exit(f"{plugin} is not built with AddressSanitizer (cmake -DTCPSTATE_SANITIZE=ON)")
    missing = [v for v in found.values() if not os.path.isabs(v)]
    if missing:
        skip(f"the sanitizer runtime {plugin} links is not installed (ldd: "
             f"{', '.join(l.strip() for l in out.splitlines() if 'san.so' in l)})")
    return [found["a"]] + ([found["ub"]] if "ub" in found else [])


def build_plugin(build_dir):
    """Configure and build the sanitized plugin; skip when the compiler has no sanitizers."""
    cc = os.environ.get("CC", "cc")
    probe = subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True, text=True)
    if probe.returncode != 0 or not os.path.isabs(probe.stdout.strip()) \
            or not os.path.exists(probe.stdout.strip()):
        skip(f"the AddressSanitizer runtime (libasan.so) of {cc} is not installed "
             "(Debian: apt-get install libasan8 libubsan1, or gcc's own)")
    steps = [["cmake", "-S", SOURCE, "-B", build_dir, "-DTCPSTATE_SANITIZE=ON"],
             ["cmake", "--build", build_dir, "--target", "tcpstate", "-j", str(os.cpu_count() or 1)]]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True,
                              env=dict(os.environ, MAKEFLAGS=""))
        if proc.returncode != 0:
            sys.exit(f"building the sanitized plugin failed: {' '.join(step)}\n"
                     f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    plugins = [os.path.join(root, f) for root, _, files in os.walk(os.path.join(build_dir, "plugins"))
               for f in files if f == "tcpstate.so"]
    if not plugins:
        sys.exit(f"no plugins/X.Y/epan/tcpstate.so in {build_dir}")
    return plugins[0]


def captures(corpus):
    found = sorted(os.path.join(SOURCE, "sample-pcaps", f)
                   for f in os.listdir(os.path.join(SOURCE, "sample-pcaps"))
                   if f.endswith((".pcap", ".pcapng")))
    if os.path.isdir(corpus):
        found += sorted(os.path.join(corpus, f) for f in os.listdir(corpus)
                        if f.endswith((".pcap", ".pcapng")))
    return found


def case_plan(i, files, base_seed):
    """What case i does: (capture, editcap options, tshark options)."""
    capture = files[i % len(files)]
    variant = i // len(files)
    seed = base_seed * 1000003 + i
    editcap = ["-E", RATES[(variant + i) % len(RATES)], "--seed", str(seed),
               "-o", str(OFFSETS[(variant // len(RATES) + i) % len(OFFSETS)])]
    if (variant + i) % 3 == 2:
        editcap += ["-s", str(SNAPLENS[(variant + i // 3) % len(SNAPLENS)])]
    return capture, editcap, MODES[(variant + i // 2) % len(MODES)]


def tshark_env(preload):
    return dict(os.environ, TSHARK_PRELOAD=" ".join(preload), ASAN_OPTIONS=ASAN_OPTIONS,
                UBSAN_OPTIONS=UBSAN_OPTIONS)


def run_tshark(plugin, capture, args, env, timeout):
    """(returncode or None on timeout, stdout, stderr); a hang kills the whole group."""
    proc = subprocess.Popen([WRAPPER, plugin, capture, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        # Kill tshark but not the wrapper, which then removes its private folder.
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if int(pid) != proc.pid and os.getpgid(int(pid)) == proc.pid:
                    os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        return None, out, err


def problems_of(rc, out, err, timeout):
    text_err = err.decode(errors="replace")
    text_out = out.decode(errors="replace")
    found = []
    if rc is None:
        found.append(f"hang: no exit within {timeout} s")
    elif rc < 0 or rc >= 128:
        found.append(f"crash: exit status {rc}")
    for pattern in REPORT_PATTERNS:
        if pattern in text_err:
            ours = "tcpstate" in text_err or "packet-tcpstate" in text_err
            found.append(f"sanitizer report '{pattern}' "
                         f"({'stack names tcpstate' if ours else 'stack does not name tcpstate'})")
            break
    for line in (text_out + text_err).splitlines():
        if re.search(r"[Dd]issector bug.*(TCP State|tcpstate)", line):
            found.append(f"dissector bug: {line.strip()[:200]}")
            break
    return found, text_err


def run_case(i, files, args, plugin, env, tmp):
    capture, editcap, mode = case_plan(i, files, args.seed)
    corrupted = os.path.join(tmp, f"case-{i}{os.path.splitext(capture)[1]}")
    ec = subprocess.run(["editcap", *editcap, capture, corrupted], capture_output=True, text=True)
    if ec.returncode != 0:
        return i, [f"editcap failed: {ec.stderr.strip()}"], capture, editcap, mode, "", None, 0
    rc, out, err = run_tshark(plugin, corrupted, mode, env, args.timeout)
    problems, text_err = problems_of(rc, out, err, args.timeout)
    # How much the plugin had to judge: TCP State items in the tree, or the report's count.
    if "-V" in mode:
        judged = len(re.findall(rb"^TCP State(?!:\s*$)", out, flags=re.M))   # not the report title
    else:
        m = re.search(rb"^Steps\s+(\d+)", out, flags=re.M)
        judged = int(m.group(1)) if m else 0
    kept = None
    if problems:
        os.makedirs(args.failures, exist_ok=True)
        kept = os.path.join(args.failures, os.path.basename(corrupted))
        shutil.copy(corrupted, kept)
    os.unlink(corrupted)
    return i, problems, capture, editcap, mode, text_err, kept, judged


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--long", action="store_true", help=f"{LONG_VARIANTS} variants per capture")
    ap.add_argument("--count", type=int, help=f"number of cases (default {SHORT_CASES})")
    ap.add_argument("--first", type=int, default=0, help="first case number (default 0)")
    ap.add_argument("--case", type=int, action="append", help="run only this case (repeatable)")
    ap.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    ap.add_argument("--plugin", help="a tcpstate.so built with -DTCPSTATE_SANITIZE=ON")
    ap.add_argument("--build-dir", default=os.path.join(SOURCE, "build-asan"))
    ap.add_argument("--corpus", default=os.path.join(SOURCE, "..", "shared", "pcaps-public"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=int, default=60, help="seconds per tshark run (default 60)")
    args = ap.parse_args()
    args.failures = os.path.join(args.build_dir, "fuzz-failures")

    for tool in ("tshark", "editcap", "ldd"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed")
    built = os.path.abspath(args.plugin) if args.plugin else build_plugin(args.build_dir)
    preload = sanitizer_runtime_of(built)
    env = tshark_env(preload)
    files = captures(args.corpus)
    if not os.path.isdir(args.corpus):
        print(f"note: no public corpus at {args.corpus}; fuzzing the sample captures only")

    tmp_holder = tempfile.TemporaryDirectory(prefix="tcpstate-fuzz.")
    tmp = tmp_holder.name
    plugin = private_copy(built, tmp)

    # The harness is worth nothing if the plugin did not load: one clean run must show it.
    sample = os.path.join(SOURCE, "sample-pcaps", "http-client-close.pcap")
    rc, out, err = run_tshark(plugin, sample, ["-V"], env, args.timeout)
    if rc != 0 or b"TCP State" not in out:
        sys.exit(f"the sanitized plugin does not work on an intact capture (exit {rc}):\n"
                 f"{err.decode(errors='replace')[-3000:]}")

    if args.case:
        cases = args.case
    else:
        count = args.count or (LONG_VARIANTS * len(files) if args.long else SHORT_CASES)
        cases = range(args.first, args.first + count)
    print(f"fuzz: {len(cases)} corrupted captures from {len(files)} captures, "
          f"{args.jobs} jobs, plugin {built}, preloading {' '.join(preload)}", flush=True)

    start = time.monotonic()
    failures = done = judged_cases = judged_total = 0
    with tmp_holder, concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_case, i, files, args, plugin, env, tmp) for i in cases]
        for future in concurrent.futures.as_completed(futures):
            i, problems, capture, editcap, mode, text_err, kept, judged = future.result()
            done += 1
            judged_cases += judged > 0
            judged_total += judged
            ext = os.path.splitext(capture)[1]
            if problems:
                failures += 1
                print(f"FAIL case {i}: {'; '.join(problems)}\n"
                      f"  capture:   {capture}\n"
                      f"  corrupted: {kept}\n"
                      f"  reproduce: editcap {' '.join(editcap)} {capture} /tmp/case{ext}\n"
                      f"             TSHARK_PRELOAD='{' '.join(preload)}' "
                      f"ASAN_OPTIONS={ASAN_OPTIONS} UBSAN_OPTIONS={UBSAN_OPTIONS} \\\n"
                      f"             {WRAPPER} {built} /tmp/case{ext} {' '.join(mode)}\n"
                      f"  or:        {sys.argv[0]} --plugin {built} --seed {args.seed} --case {i}\n"
                      f"  stderr (end):\n"
                      + "\n".join("    " + line for line in text_err[-4000:].splitlines()),
                      flush=True)
            elif done % 100 == 0:
                print(f"  {done}/{len(cases)} done, {failures} failed, "
                      f"{time.monotonic() - start:.0f} s", flush=True)
    elapsed = time.monotonic() - start
    print(f"fuzz: {len(cases)} corrupted captures, {failures} failed "
          f"(crashes, sanitizer reports, hangs), {elapsed:.0f} s; the plugin judged "
          f"{judged_total} TCP headers, in {judged_cases} of the captures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
