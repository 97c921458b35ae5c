# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end over seeds: a bundled scenario's verdict is a promise, not a lucky draw. Every
scenario that promises to pass passes (exit 0) on each of seeds 1..50, and every one that
fails on purpose fails (exit 1, never an error) on each of them.

Usage: e2e_seeds.py ROUTERSIM SOURCE_DIR
"""
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SOURCE, "scenarios")
SEEDS = range(1, 51)
# Scenarios that demonstrate a failing gate; every other bundled scenario must pass.
# plan-capacity is under-provisioned as written (3 replicas for 4 busy ones): the input of
# `routersim plan capacity`, whose planned.yaml passes.
FAILS_ON_PURPOSE = {"ci-gate-fails", "migration-overload", "broken-router", "llm-chat-summarise",
                    "llm-balancers", "plan-capacity"}
WORKERS = 2


def run(scenario, seed, tmp):
    """Exit status of one run into a private folder (the command runs from there too, so
    nothing lands in the tree), and what failed: the failed checks and phases of its
    report.json, or the command's error."""
    work = tempfile.mkdtemp(dir=tmp)
    out = os.path.join(work, "out")
    proc = subprocess.run([ROUTERSIM, "run", scenario, "--seed", str(seed), "--out", out,
                           "--no-plots", "--quiet"],
                          cwd=work, capture_output=True, text=True, timeout=300)
    try:
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError):
        return proc.returncode, proc.stderr.strip()
    failed = [c["name"] for c in report.get("checks", []) if not c.get("passed", True)]
    failed += [f"phase {p.get('router')} [{p.get('start_s')}, {p.get('end_s')})"
               for p in report.get("phases", []) if p.get("verdict") == "fail"]
    return proc.returncode, "; ".join(failed)


class Seeds(unittest.TestCase):
    def test_verdicts_hold_on_every_seed(self):
        bundled = sorted(glob.glob(os.path.join(SCENARIOS, "*.yaml")))
        names = {os.path.splitext(os.path.basename(p))[0] for p in bundled}
        self.assertTrue(FAILS_ON_PURPOSE <= names, "a scenario listed as failing is missing")
        self.assertGreater(len(names - FAILS_ON_PURPOSE), 0)
        started = time.monotonic()
        wrong = []
        with tempfile.TemporaryDirectory() as tmp, \
                concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
            jobs = {pool.submit(run, path, seed, tmp): (path, seed)
                    for path in bundled for seed in SEEDS}
            for job in concurrent.futures.as_completed(jobs):
                path, seed = jobs[job]
                name = os.path.splitext(os.path.basename(path))[0]
                want = 1 if name in FAILS_ON_PURPOSE else 0
                status, failed = job.result()
                if status != want:
                    wrong.append(f"{name} seed {seed}: exit {status}, expected {want}: {failed}")
        print(f"{len(jobs)} runs in {time.monotonic() - started:.1f} s", file=sys.stderr)
        self.assertEqual(sorted(wrong), [], "\n" + "\n".join(sorted(wrong)))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
