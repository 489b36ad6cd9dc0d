#!/usr/bin/env python3
"""The wizard's load as the admin sees it, measured in a real terminal (tmux, 120x40).

    python3 bench/wizard_tmux.py target/release/scc-onboard ROSTER.csv [RUNS]

Per run: a fresh `scc-onboard wizard ROSTER` in a private tmux server; once the Import step is
drawn, Enter is sent and the screen is polled until (1) the first data row's name is on the Fix
step and (2) the Fix header shows the full counts ("with errors", no "Loading"). Prints each
run and the medians. Polling costs a few ms per look, so the figures are upper bounds.
"""
import csv
import os
import subprocess
import sys
import tempfile
import time

binary, roster = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
with open(roster, encoding="utf-8-sig", newline="") as f:
    reader = csv.reader(f)
    next(reader)
    name = next(reader)[0][:20]
TMUX = ["tmux", "-L", "scc-wizard-bench"]


def pane():
    return subprocess.run(TMUX + ["capture-pane", "-p", "-t", "m"],
                          capture_output=True, text=True).stdout


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


firsts, fulls = [], []
for i in range(runs):
    d = tempfile.mkdtemp()
    # A server of its own per run: a killed server may still be exiting.
    TMUX[-1] = f"scc-wizard-bench-{os.getpid()}-{i}"
    subprocess.run(TMUX + ["new-session", "-d", "-s", "m", "-x", "120", "-y", "40",
                           f"cd {d} && XDG_DATA_HOME={d}/data exec {binary} wizard {roster} "
                           f"--session {d}/session.json"], check=True)
    deadline = time.time() + 30
    while "How the file is read" not in pane():
        if time.time() > deadline:
            sys.exit("the Import step did not appear:\n" + pane())
        time.sleep(0.01)
    time.sleep(0.3)
    t0 = time.perf_counter()
    subprocess.run(TMUX + ["send-keys", "-t", "m", "Enter"], check=True)
    first = full = None
    while full is None:
        p, t = pane(), time.perf_counter() - t0
        if first is None and name in p and "[Fix]" in p:
            first = t
        if first is not None and "with errors" in p and "Loading" not in p:
            full = t
        if t > 120:
            sys.exit("the load did not finish in 120 s:\n" + p)
    subprocess.run(TMUX + ["kill-server"], capture_output=True)
    firsts.append(first * 1e3)
    fulls.append(full * 1e3)
    print(f"run {i + 1}: first rows {first * 1e3:.0f} ms, full counts {full * 1e3:.0f} ms",
          flush=True)
print(f"median of {runs}: first rows {median(firsts):.0f} ms, full counts {median(fulls):.0f} ms")
