#!/usr/bin/env python3
"""Desktop start-up and idle-memory benchmark (DESIGN §8: cold start to tray ready ≤ 1.5 s,
idle memory of all processes ≤ 150 MB). Run it through scripts/bench-desktop.sh, which gives
it a display (Xvfb), a D-Bus session and a private HOME.

For each of N starts (a fresh RINGSIDE_HOME each time, so the app opens an empty queue and
starts its built-in demo org as a new user's first start does) it times, from the moment the
process is spawned:
  - "tray ready": the app's setup is done (demo org, intake, queue, tray icon);
  - "UI ready": the main window's page has loaded and sent its labels to the tray
    (`tray menu relabelled`), i.e. the window is up and talking to the backend.
After the last start it lets the app idle, then sums the memory of the app and every process
it started (WebKit's web and network processes): PSS (each shared page counted once across
them) and RSS, per process and in all. Prints percentiles; asserts nothing.
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

APP = os.environ.get("RINGSIDE_APP", "target/release/ringside-desktop")
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
IDLE_SECS = float(os.environ.get("BENCH_IDLE_SECS", "15"))
START_TIMEOUT_SECS = 60
MILESTONES = {"tray ready": "tray ready", "UI ready": "tray menu relabelled"}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[round((len(ordered) - 1) * p)]


def start_app(home):
    """Spawns the app; returns (process, {milestone: seconds after spawn} as it fills, an
    event set once every milestone was seen or the app's output ended)."""
    env = dict(os.environ, RINGSIDE_HOME=home, RUST_LOG="info")
    spawned = time.monotonic()
    process = subprocess.Popen(
        [APP], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seen = {}
    done = threading.Event()

    def read():
        for line in process.stderr:
            now = time.monotonic() - spawned
            for name, needle in MILESTONES.items():
                if name not in seen and needle in line:
                    seen[name] = now
            if len(seen) == len(MILESTONES):
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    return process, seen, done


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def descendants(pid):
    """pid and every process below it, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory_kib(pid):
    """(name, PSS KiB, RSS KiB) of one process, from smaps_rollup."""
    with open(f"/proc/{pid}/comm") as f:
        name = f.read().strip()
    pss = rss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    return name, pss, rss


def main():
    if not os.access(APP, os.X_OK):
        sys.exit(f"bench-desktop: {APP} is not built (cargo build --release -p ringside-desktop)")
    timings = {name: [] for name in MILESTONES}
    last = None
    for run in range(RUNS):
        home = tempfile.mkdtemp(prefix="ringside-bench-home-")
        process, seen, done = start_app(home)
        if not done.wait(START_TIMEOUT_SECS) or len(seen) < len(MILESTONES):
            stop(process)
            sys.exit(f"bench-desktop: start {run + 1} did not reach {sorted(set(MILESTONES) - set(seen))} in {START_TIMEOUT_SECS} s")
        for name, secs in seen.items():
            timings[name].append(secs * 1000)
        if run < RUNS - 1:
            stop(process)
        else:
            last = process
    print(f"app: {APP}; {RUNS} starts, each with a new RINGSIDE_HOME; load average {os.getloadavg()[0]:.2f}")
    for name, values in timings.items():
        print(
            f"start to {name}: p50 {statistics.median(values):.0f} ms, "
            f"p95 {percentile(values, 0.95):.0f} ms, max {max(values):.0f} ms"
        )
    time.sleep(IDLE_SECS)
    rows = []
    for pid in descendants(last.pid):
        try:
            rows.append((pid, *memory_kib(pid)))
        except OSError:
            continue
    stop(last)
    print(f"idle memory after {IDLE_SECS:.0f} s (app and the processes it started):")
    for pid, name, pss, rss in rows:
        print(f"  {name} (pid {pid}): PSS {pss / 1024:.1f} MiB, RSS {rss / 1024:.1f} MiB")
    print(
        f"  all: PSS {sum(r[2] for r in rows) / 1024:.1f} MiB, "
        f"RSS {sum(r[3] for r in rows) / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
