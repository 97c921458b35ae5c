# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: `routersim plan capacity`. On M/M/c cases the planned count is the smallest
that Erlang C (computed here on its own) gives for the same check; the planned.yaml passes
`run --replications`; a budget that cannot hold the load is refused (exit 1, with the
reason) before any search, as is a latency limit below the service time's own quantile; bad
flags, and a cap on replications too small to ever show the pass rate, are usage errors
(exit 2).

Usage: e2e_plan_capacity.py ROUTERSIM SOURCE_DIR
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

LAMBDA, MEAN = 20.0, 0.5  # 20 requests/s, exponential service of 0.5 s: a = 10 Erlangs

# M/M/c: one slot per replica, exponential service, Poisson arrivals, no queue limit. The
# replica count in the file (20) is only where the pilot run measures the rate.
MMC = """name: mmc
account: acme
seed: 11
duration: 5m
window: 30s
deployments:
  - id: d
    replicas: 20
    serving: {{concurrency: 1, service_time: {{distribution: exponential, mean: {mean}s}}}}
routers:
  - {{id: r, deployments: [d]}}
traffic:
  - {{router: r, rate: {rate}/s}}
checks:
  warmup: 30s
  capacity:
    - {check}
      over: interval
"""


def erlang_c(c, a):
    """P(wait) in M/M/c with c servers and offered load a (Erlang C), from its closed form:
    (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a)))."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def wait(c, q):
    """The queue wait's mean (q None) or q-quantile in M/M/c: W > t with probability
    C e^{-(c mu - lambda) t}."""
    mu = 1 / MEAN
    pw, drain = erlang_c(c, LAMBDA / mu), c * mu - LAMBDA
    if q is None:
        return pw / drain
    return 0.0 if pw <= 1 - q else math.log(pw / (1 - q)) / drain


def smallest(meets):
    c = int(LAMBDA * MEAN) + 1
    while not meets(c):
        c += 1
    return c


def plan(tmp, text, *flags):
    path = os.path.join(tmp, "s.yaml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(tmp, "plan")
    proc = subprocess.run([ROUTERSIM, "plan", "capacity", path, "--out", out, *flags],
                          capture_output=True, text=True, timeout=600)
    return proc, out


def mmc(check):
    return MMC.format(mean=MEAN, rate=LAMBDA, check=check)


# A pass rate of 0.7 is shown after about 32 passing replications; 40 is the cap.
FAST = ("--pass-rate", "0.7", "--replications", "40", "--jobs", "2")


class ErlangC(unittest.TestCase):
    def check_answer(self, check, expected, then=None):
        with tempfile.TemporaryDirectory() as tmp:
            proc, out = plan(tmp, mmc(check), *FAST)
            self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
            with open(os.path.join(out, "plan.json")) as f:
                report = json.load(f)
            self.assertTrue(report["found"])
            self.assertEqual(report["deployments"][0]["planned"], expected, proc.stdout)
            # the answer passed and the count below it did not: both were run
            counts = {c["counts"]["d"]: c["verdict"] for c in report["candidates"]
                      if c["traffic_scale"] == 1}
            self.assertEqual(counts[expected], "pass")
            self.assertNotEqual(counts[expected - 1], "pass")
            if then:
                then(out)

    def test_mean_wait(self):
        # Erlang C: mean waits 0.11 s at 12 replicas, 0.047 s at 13
        expected = smallest(lambda c: wait(c, None) <= 0.08)
        self.assertEqual(expected, 13)

        def planned_passes(out):
            # planned.yaml, run with the plan's cap on replications, passes (the same seeds)
            proc = subprocess.run([ROUTERSIM, "run", os.path.join(out, "planned.yaml"),
                                   "--replications", "40", "--no-plots", "--quiet", "--out",
                                   os.path.join(out, "..", "check")],
                                  capture_output=True, text=True, timeout=600)
            self.assertEqual(proc.returncode, 0, proc.stderr)

        self.check_answer("max_mean_wait: 80ms", expected, planned_passes)

    def test_p99_wait(self):
        # Erlang C: p99 waits 0.95 s at 12 replicas, 0.56 s at 13
        expected = smallest(lambda c: wait(c, 0.99) <= 0.75)
        self.assertEqual(expected, 13)
        self.check_answer("max_p99_wait: 750ms", expected)

    def test_utilization(self):
        # M/M/c utilisation a / c: 0.833 at 12, 0.769 at 13
        expected = smallest(lambda c: LAMBDA * MEAN / c <= 0.8)
        self.assertEqual(expected, 13)
        self.check_answer("max_utilization: 0.8", expected)


class Refusals(unittest.TestCase):
    def test_budget_cannot_hold_the_load(self):
        # 10 replicas are busy on average: 8 cannot carry it at any pass rate
        with tempfile.TemporaryDirectory() as tmp:
            proc, out = plan(tmp, mmc("max_mean_wait: 80ms"), "--max-replicas", "8", *FAST)
            self.assertEqual(proc.returncode, 1, proc.stderr + proc.stdout)
            self.assertIn("cannot hold the load", proc.stdout)
            with open(os.path.join(out, "plan.json")) as f:
                report = json.load(f)
            self.assertFalse(report["found"])
            self.assertIn("cannot hold the load", report["reason"])
            self.assertEqual(report["candidates"], [])  # refused before searching
            self.assertFalse(os.path.exists(os.path.join(out, "planned.yaml")))

    def test_service_time_above_the_slo(self):
        # exponential service of mean 0.5 s: its own p99 is 0.5 ln 100 = 2.3 s > 2 s
        with tempfile.TemporaryDirectory() as tmp:
            proc, _ = plan(tmp, mmc("max_p99_latency: 2s"), *FAST)
            self.assertEqual(proc.returncode, 1, proc.stderr + proc.stdout)
            self.assertIn("service time's own p99 (2.303 s)", proc.stdout)

    def test_bad_flags(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.yaml")
            with open(path, "w") as f:
                f.write(mmc("max_mean_wait: 80ms"))
            for flags in (["--pass-rate", "1.5"], ["--confidence", "0"], ["--max-replicas", "0"],
                          ["--replications", "x"], ["--bogus"], ["--deployment", "nope"],
                          ["--jobs"], ["--replications", "8"]):
                proc = subprocess.run([ROUTERSIM, "plan", "capacity", path, *flags, "--out",
                                       os.path.join(tmp, "o")],
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 2, (flags, proc.stderr))
                self.assertTrue(proc.stderr.startswith("routersim: "), proc.stderr)
            for args in ([], [path, path]):
                proc = subprocess.run([ROUTERSIM, "plan", "capacity", *args],
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 2, (args, proc.stderr))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
