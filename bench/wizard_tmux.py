#!/usr/bin/env python3
"""The wizard's load as the admin sees it, measured in a real terminal (tmux, 120x40), paired
with `validate` on the same file.

    python3 bench/wizard_tmux.py target/release/scc-onboard ROSTER.csv [RUNS]

Per run: `scc-onboard validate ROSTER > /dev/null` is timed, then a fresh `scc-onboard wizard
ROSTER` runs in a private tmux server; once the Import step is drawn, Enter is sent and the
screen is polled until (1) the first data row's name is on the Fix step and (2) the Fix header
shows the full counts ("with errors", no "Loading"). Then the wizard's resident memory is read
from /proc. Prints each run, the medians, and the median of the per-run ratios full / validate.
The screen is read through a tmux control-mode client every 2 ms (a look costs a fraction of a
millisecond), so the wizard's figures are upper bounds by about that much.
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


class Looker:
    """Reads the pane through a tmux control-mode client: a look is one command on a pipe
    (a fraction of a millisecond), where a `tmux capture-pane` process per look took a few
    milliseconds of CPU that a two-core machine's load then lacked."""

    def __init__(self):
        self.client = subprocess.Popen(
            TMUX + ["-C", "attach-session", "-f", "no-output,ignore-size", "-t", "m"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.command("refresh-client")  # the attach's own reply comes first

    def command(self, line):
        self.client.stdin.write(line + "\n")
        self.client.stdin.flush()
        out, inside = [], False
        while True:
            reply = self.client.stdout.readline()
            if not reply:
                sys.exit("the tmux control client ended")
            if reply.startswith("%begin"):
                inside = True
            elif reply.startswith(("%end", "%error")) and inside:
                return "".join(out)
            elif inside:
                out.append(reply)

    def pane(self):
        return self.command("capture-pane -p -t m")

    def close(self):
        self.client.stdin.close()
        self.client.wait()


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def validate_ms():
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        # Exit code 1 only says the roster has problems.
        subprocess.run([binary, "validate", roster], stdout=null)
    return (time.perf_counter() - t0) * 1e3


def resident_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


file_mb = os.path.getsize(roster) / 2**20
firsts, fulls, validates, ratios, rss = [], [], [], [], []
for i in range(runs):
    validates.append(validate_ms())
    d = tempfile.mkdtemp()
    # A server of its own per run: a killed server may still be exiting.
    TMUX[-1] = f"scc-wizard-bench-{os.getpid()}-{i}"
    subprocess.run(TMUX + ["new-session", "-d", "-s", "m", "-x", "120", "-y", "40",
                           f"cd {d} && XDG_DATA_HOME={d}/data exec {binary} wizard {roster} "
                           f"--session {d}/session.json"], check=True)
    pid = subprocess.run(TMUX + ["display-message", "-p", "-t", "m", "#{pane_pid}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    look = Looker()
    pane = look.pane
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
        # A short pause between looks, so that looking takes next to no CPU from the load.
        time.sleep(0.002)
        if t > 120:
            sys.exit("the load did not finish in 120 s:\n" + p)
    # Settled: whatever the wizard does after drawing the counts (the forms' facts) is done.
    time.sleep(2)
    rss.append(resident_mb(pid))
    look.close()
    subprocess.run(TMUX + ["kill-server"], capture_output=True)
    firsts.append(first * 1e3)
    fulls.append(full * 1e3)
    ratios.append(fulls[-1] / validates[-1])
    print(f"run {i + 1}: validate {validates[-1]:.0f} ms; wizard first rows {firsts[-1]:.0f} ms, "
          f"full counts {fulls[-1]:.0f} ms ({ratios[-1]:.2f}x), resident {rss[-1]:.0f} MiB "
          f"({rss[-1] / file_mb:.2f}x the file)", flush=True)
print(f"median of {runs}: validate {median(validates):.0f} ms; first rows {median(firsts):.0f} ms, "
      f"full counts {median(fulls):.0f} ms, full / validate {median(ratios):.2f}x, resident "
      f"{median(rss):.0f} MiB = {median(rss) / file_mb:.2f}x the file ({file_mb:.0f} MiB)")
