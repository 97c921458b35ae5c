# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: `routersim run FILE --replications N`. The reports are the same bytes for any
--jobs; replication i is the single run of its seed (splitmix64, computed here on its own);
--replications 1 is the plain run; the verdict rules and their exit statuses; bad flags are
usage errors (exit 2).

Usage: e2e_replications.py ROUTERSIM SOURCE_DIR
"""
import filecmp
import json
import math
import os
import pty
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

# A split checked with a tolerance about as wide as its noise: the expect check fails on
# roughly half of the seeds, so pass rates are neither 0 nor 1.
FLAKY = """name: flaky
account: acme
seed: 7
duration: 1m
window: 10s
deployments:
  - id: a
    replicas: 3
    serving: {concurrency: 2, service_time: {distribution: lognormal, mean: 100ms, cv: 0.5},
              queue_limit: 20, timeout: 2s}
  - id: b
    replicas: 1
routers:
  - {id: r, deployments: [a, b]}
traffic:
  - {router: r, rate: 20/s}
checks:
  expect:
    - {router: r, during: [0s, 1m], share: {a: 0.75, b: 0.25}, tolerance: 0.012}
"""


def splitmix64_seed(seed, i):
    """Replication i's seed as docs/scenario-format.md defines it."""
    if i == 0:
        return seed
    mask = (1 << 64) - 1
    z = (seed + i * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return (z ^ (z >> 31)) >> 1


def binomial_tail_ge(k, n, p):
    return sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(k, n + 1))


def clopper_pearson_lower(k, n, confidence):
    """Solves P(X >= k | p) = (1 - confidence) / 2 by bisection on the exact tail."""
    if k == 0:
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if binomial_tail_ge(k, n, mid) > (1 - confidence) / 2:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


# 4e6 requests a replication, about 0.1 s each in an optimised build on an idle machine: 25
# of them on one thread outlast, with margin, the second after which progress shows (at 1e6
# requests a replication the run took 0.8 s once the hot path got faster, and printed none).
BUSY = """name: busy
account: acme
duration: 40s
deployments:
  - {id: a, replicas: 3}
  - {id: b, replicas: 1}
routers:
  - {id: r, deployments: [a, b]}
traffic:
  - {router: r, rate: 100000/s}
"""


def run_on_terminal(args, cwd):
    """Run with stderr on a pseudo-terminal; return (exit status, what it wrote there)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode(errors="replace")


class Replications(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.scenario = os.path.join(cls.tmp.name, "flaky.yaml")
        with open(cls.scenario, "w", encoding="utf-8") as f:
            f.write(FLAKY)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_cmd(self, *args, scenario=None):
        work = tempfile.mkdtemp(dir=self.tmp.name)
        out = os.path.join(work, "out")
        proc = subprocess.run([ROUTERSIM, "run", scenario or self.scenario, "--out", out,
                               *args], cwd=work, capture_output=True, text=True, timeout=300)
        return proc, out

    def report(self, out):
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            return json.load(f)

    def assert_same_folder(self, a, b):
        cmp = filecmp.dircmp(a, b)
        self.assertEqual(cmp.left_only + cmp.right_only, [], "different files")
        for name in sorted(os.listdir(a)):
            with open(os.path.join(a, name), "rb") as fa, open(os.path.join(b, name), "rb") as fb:
                self.assertEqual(fa.read(), fb.read(), f"{name} differs")

    def test_same_bytes_for_any_jobs(self):
        outs = []
        for jobs in (1, 2, 7):
            proc, out = self.run_cmd("--replications", "9", "--jobs", str(jobs), "--no-plots")
            self.assertIn(proc.returncode, (0, 1), proc.stderr)
            outs.append((out, proc.stdout.replace(out, "OUT")))
        for out, stdout in outs[1:]:
            self.assert_same_folder(outs[0][0], out)
            self.assertEqual(outs[0][1], stdout)

    def test_replication_is_the_run_of_its_seed(self):
        proc, out = self.run_cmd("--replications", "4", "--seed", "11", "--no-plots")
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        rep = self.report(out)["replications"]
        rows = rep["rows"]
        self.assertEqual([r["seed"] for r in rows], [splitmix64_seed(11, i) for i in range(4)])
        totals = []
        for row in rows:
            single, single_out = self.run_cmd("--seed", str(row["seed"]), "--no-plots")
            report = self.report(single_out)
            self.assertEqual(single.returncode, 0 if row["passed"] else 1)
            self.assertEqual(report["passed"], row["passed"])
            self.assertEqual(report["requests"]["total"], row["total"])
            self.assertEqual(report["requests"]["unserved"], row["unserved"])
            totals.append(report["requests"]["total"])
        total = next(m for m in rep["metrics"] if m["name"] == "requests.total")
        self.assertAlmostEqual(total["mean"], sum(totals) / 4, places=6)
        self.assertEqual((total["min"], total["max"]), (min(totals), max(totals)))

    def test_one_replication_is_the_plain_run(self):
        plain, plain_out = self.run_cmd()
        one, one_out = self.run_cmd("--replications", "1")
        self.assertEqual(plain.returncode, one.returncode)
        self.assert_same_folder(plain_out, one_out)
        self.assertNotIn("replications", self.report(plain_out))

    def test_pass_rate_verdicts(self):
        proc, out = self.run_cmd("--replications", "30", "--no-plots")
        rep = self.report(out)["replications"]
        passes = sum(r["passed"] for r in rep["rows"])
        self.assertTrue(0 < passes < 30, f"{passes} of 30 passed: the scenario is not flaky")
        # every replication must pass by default
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(rep["verdict"], "fail")
        self.assertIn("Clopper-Pearson", proc.stdout)
        self.assertIn(f"passed: {passes} of 30", proc.stdout)
        failing = next(r for r in rep["rows"] if not r["passed"])
        self.assertIn(f"--seed {failing['seed']}", proc.stdout)
        lower = clopper_pearson_lower(passes, 30, 0.95)
        self.assertAlmostEqual(rep["passed"]["lower"], lower, places=9)
        # a required rate: passes exactly when the lower end reaches it (either side of it)
        for rate, want in ((lower - 0.01, 0), (lower + 0.01, 1)):
            proc, out = self.run_cmd("--replications", "30", "--no-plots", "--quiet",
                                     "--pass-rate", f"{rate:.6f}")
            self.assertEqual(proc.returncode, want, proc.stderr)
            self.assertEqual(self.report(out)["passed"], want == 0)
            if want:
                self.assertIn("pass rate's lower bound", proc.stderr)
        # the scenario's own rule, and the flag overriding it
        with_rule = os.path.join(self.tmp.name, "rule.yaml")
        with open(with_rule, "w", encoding="utf-8") as f:
            f.write(FLAKY + f"  pass_rate: {lower - 0.01:.6f}\n")
        proc, _ = self.run_cmd("--replications", "30", "--no-plots", scenario=with_rule)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc, _ = self.run_cmd("--replications", "30", "--no-plots", "--pass-rate", "0.99",
                               scenario=with_rule)
        self.assertEqual(proc.returncode, 1)

    def test_confidence_from_the_scenario_and_the_flag(self):
        with_conf = os.path.join(self.tmp.name, "confidence.yaml")
        with open(with_conf, "w", encoding="utf-8") as f:
            f.write(FLAKY + "  confidence: 0.8\n")
        for args, want in (([], 0.8), (["--confidence", "0.99"], 0.99)):
            proc, out = self.run_cmd("--replications", "10", "--no-plots", *args,
                                     scenario=with_conf)
            rep = self.report(out)["replications"]
            self.assertEqual(rep["rule"]["confidence"], want)
            passes = rep["passed"]["passes"]
            self.assertAlmostEqual(rep["passed"]["lower"],
                                   clopper_pearson_lower(passes, 10, want), places=9)

    def test_sequential(self):
        # every replication must pass: stops at the first failing one
        proc, out = self.run_cmd("--replications", "30", "--no-plots", "--sequential")
        rep = self.report(out)["replications"]
        self.assertEqual(proc.returncode, 1)
        self.assertTrue(rep["rule"]["sequential"])
        self.assertEqual(rep["requested"], 30)
        self.assertEqual(rep["run"], len(rep["rows"]))
        self.assertFalse(rep["rows"][-1]["passed"])
        self.assertTrue(all(r["passed"] for r in rep["rows"][:-1]))
        self.assertIn(f"of at most 30", proc.stdout)
        # a rate far below the true one is decided early and passes; the same --jobs-free
        proc1, out1 = self.run_cmd("--replications", "200", "--no-plots", "--sequential",
                                   "--pass-rate", "0.05", "--jobs", "1")
        proc2, out2 = self.run_cmd("--replications", "200", "--no-plots", "--sequential",
                                   "--pass-rate", "0.05", "--jobs", "3")
        self.assertEqual(proc1.returncode, 0, proc1.stderr)
        self.assert_same_folder(out1, out2)
        self.assertLess(self.report(out1)["replications"]["run"], 200)
        # a rate close to the true one cannot be decided within a small cap: exit 1, said so
        proc, out = self.run_cmd("--replications", "4", "--no-plots", "--sequential",
                                 "--pass-rate", "0.5")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(self.report(out)["replications"]["verdict"], "undecided")
        self.assertIn("undecided", proc.stdout)

    def test_bad_flags(self):
        cases = [
            (["--replications", "0"], "--replications"),
            (["--replications", "x"], "--replications"),
            (["--replications", "3", "--jobs", "0"], "--jobs"),
            (["--replications", "3", "--pass-rate", "1"], "--pass-rate"),
            (["--replications", "3", "--pass-rate", "0"], "--pass-rate"),
            (["--replications", "3", "--confidence", "1.5"], "--confidence"),
            (["--jobs", "2"], "--jobs needs --replications"),
            (["--sequential"], "--sequential needs --replications"),
            (["--replications", "1", "--pass-rate", "0.5"], "--replications 2 or more"),
        ]
        for args, message in cases:
            proc, out = self.run_cmd(*args)
            self.assertEqual(proc.returncode, 2, args)
            self.assertIn(message, proc.stderr, args)
            self.assertFalse(os.path.exists(out), args)
        proc = subprocess.run([ROUTERSIM, "validate", self.scenario, "--replications", "2"],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        bad = os.path.join(self.tmp.name, "bad.yaml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(FLAKY + "  pass_rate: 1.5\n")
        proc, _ = self.run_cmd("--replications", "2", scenario=bad)
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"bad\.yaml:\d+:\d+: pass_rate: expected")

    def test_progress_only_on_a_terminal(self):
        busy = os.path.join(self.tmp.name, "busy.yaml")
        with open(busy, "w", encoding="utf-8") as f:
            f.write(BUSY)
        work = tempfile.mkdtemp(dir=self.tmp.name)
        args = [ROUTERSIM, "run", busy, "--out", os.path.join(work, "out"), "--no-plots",
                "--jobs", "1", "--replications", "25"]
        status, written = run_on_terminal(args, work)
        self.assertEqual(status, 0)
        self.assertRegex(written, r"\r  replications \d+ of 25 ")
        self.assertTrue(written.endswith("\r\x1b[K"), repr(written[-40:]))
        # nothing with --quiet, nor when stderr is not a terminal
        status, written = run_on_terminal(args + ["--quiet"], work)
        self.assertEqual((status, written), (0, ""))
        proc = subprocess.run(args, capture_output=True, text=True, cwd=work, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))

    def test_report_schema(self):
        try:
            import jsonschema
        except ImportError:
            self.skipTest("python3-jsonschema is not installed")
        proc, out = self.run_cmd("--replications", "3", "--no-plots")
        with open(os.path.join(SOURCE, "docs", "report.schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator(schema).validate(self.report(out))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
