# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: `routersim srm` on observed counts and `routersim plan srm` on scenarios. The
bundled fair migration passes (exit 0) and the skewed one fails (exit 1) with the documented
report fields; bad files are refused with exit 2 and FILE:LINE:COL; expected shares come
from the file, --expected or --scenario.

Usage: e2e_srm.py ROUTERSIM SOURCE_DIR
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
COUNTS = os.path.join(SOURCE, "scenarios", "counts")


def routersim(*args):
    return subprocess.run([ROUTERSIM, *args], capture_output=True, text=True, timeout=600)


class Srm(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="routersim-e2e-srm-")

    def tearDown(self):
        self.tmp.cleanup()

    def srm(self, csv, *args, expect):
        out = os.path.join(self.tmp.name, "out")
        p = routersim("srm", csv, "--out", out, *args)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        with open(os.path.join(out, "report.json")) as f:
            return json.load(f), p, out

    def test_fair_passes(self):
        report, p, out = self.srm(os.path.join(COUNTS, "migration-fair.csv"), expect=0)
        self.assertTrue(report["passed"])
        self.assertEqual(report["alpha"], 0.001)
        self.assertEqual(report["concentration"], 100)
        self.assertEqual(report["deviation"], {"kind": "absolute", "shift": 0.01})
        chat = [ph for ph in report["phases"] if ph["router"] == "chat"]
        self.assertEqual([(ph["start_s"], ph["end_s"]) for ph in chat],
                         [(0, 600), (600, 1500), (1500, 2400), (2400, 3000)])
        both = chat[1]
        self.assertEqual([d["name"] for d in both["deployments"]], ["v1", "v2"])
        self.assertEqual([d["weight"] for d in both["deployments"]], [4, 1])
        self.assertEqual(both["df"], 1)
        self.assertFalse(both["sequential"]["crossed"])
        self.assertIsNone(both["sequential"]["crossed_at_s"])
        self.assertEqual(len(both["sequential"]["looks"]), 15)
        self.assertEqual(both["sequential"]["looks"][-1][1], both["requests"])
        power = both["power"]
        self.assertEqual((power["deployment"], power["from"]), ("v2", 0.2))
        self.assertAlmostEqual(power["to"], 0.21)
        self.assertAlmostEqual(power["rate_per_s"], both["requests"] / 900)
        self.assertAlmostEqual(power["needed_s"], power["needed_requests"] / power["rate_per_s"])
        self.assertIsNone(chat[0]["power"])
        self.assertIn("PASSED", p.stdout)
        for name in ("report.md", "junit.xml", "sequential.csv"):
            self.assertTrue(os.path.exists(os.path.join(out, name)), name)
        if shutil.which("gnuplot"):
            for name in ("sequential.png", "sequential.svg"):
                self.assertTrue(os.path.exists(os.path.join(out, name)), name)

    def test_skewed_fails(self):
        report, p, out = self.srm(os.path.join(COUNTS, "migration-skewed.csv"), expect=1)
        self.assertFalse(report["passed"])
        failed = [ph for ph in report["phases"] if not ph["passed"]]
        self.assertEqual([(ph["router"], ph["start_s"]) for ph in failed],
                         [("chat", 600), ("chat", 1500)])
        for ph in failed:
            self.assertEqual(ph["verdict"], "fail")
            self.assertTrue(ph["sequential"]["crossed"])
            self.assertGreaterEqual(ph["sequential"]["crossed_at_s"], ph["start_s"])
        with open(os.path.join(out, "junit.xml")) as f:
            self.assertIn('failures="2"', f.read())
        self.assertIn("FAILED", p.stdout)

    def test_expected_shares_given(self):
        csv = os.path.join(self.tmp.name, "c.csv")
        with open(csv, "w") as f:
            f.write("time,router,deployment,requests\n0,r,a,700\n0,r,b,300\n")
        report, _, out = self.srm(csv, "--expected", "a=0.7,b=0.3", "--no-plots", expect=0)
        self.assertFalse(os.path.exists(os.path.join(out, "sequential.png")))
        self.assertEqual(report["phases"][0]["chi2"], 0)
        report, _, _ = self.srm(csv, "--expected", "a=0.8,b=0.2", expect=1)
        self.assertAlmostEqual(report["phases"][0]["chi2"], 62.5)

    def test_expected_shares_from_a_scenario(self):
        # the docs' migration: 100/0 for 10m, then 80/20; counts per minute that follow it
        csv = os.path.join(self.tmp.name, "docs.csv")
        with open(csv, "w") as f:
            f.write("time,router,deployment,requests\n")
            for minute in range(20):
                new = 0 if minute < 10 else 120
                f.write(f"{60 * minute},my-router,current-deployment,{600 - new}\n")
                f.write(f"{60 * minute},my-router,new-deployment,{new}\n")
        scenario = os.path.join(SOURCE, "scenarios", "docs-migration.yaml")
        report, _, _ = self.srm(csv, "--scenario", scenario, expect=0)
        self.assertEqual([(ph["start_s"], ph["end_s"]) for ph in report["phases"]],
                         [(0, 600), (600, 1200)])
        self.assertEqual([d["expected_share"] for d in report["phases"][1]["deployments"]],
                         [0.8, 0.2])

    def test_bad_input(self):
        csv = os.path.join(self.tmp.name, "bad.csv")
        with open(csv, "w") as f:
            f.write("time,router,deployment,requests,replicas\n0,r,a,12x,1\n")
        p = routersim("srm", csv, "--out", os.path.join(self.tmp.name, "o"))
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{csv}:2:7: requests: expected a whole number", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "o")))
        for args in (["--alpha", "0"], ["--power", "1"], ["--expected", "a=1", "--scenario", "x"],
                     ["--deviation", "x"]):
            p = routersim("srm", os.path.join(COUNTS, "migration-fair.csv"), *args)
            self.assertEqual(p.returncode, 2, args)
        self.assertEqual(routersim("srm").returncode, 2)
        self.assertEqual(routersim("plan", "x").returncode, 2)

    def test_plan(self):
        p = routersim("plan", "srm", os.path.join(SOURCE, "scenarios", "ab-test.yaml"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("power", p.stdout)
        self.assertIn("80% power needs 40980 requests", p.stdout)
        p = routersim("plan", "srm", os.path.join(SOURCE, "scenarios", "ab-test.yaml"),
                      "--deviation", "0.001", "--power", "0.95")
        self.assertIn("UNDER-POWERED", p.stdout)
        # without flags, the scenario's checks.power; with correction: holm, alpha / m
        with open(os.path.join(SOURCE, "scenarios", "ab-test.yaml")) as f:
            text = f.read().replace("checks:\n", "checks:\n  correction: holm\n  power: "
                                    "{deviation: 0.02, target: 0.95}\n", 1)
        with tempfile.TemporaryDirectory(prefix="routersim-e2e-srm-") as tmp:
            scenario = os.path.join(tmp, "ab.yaml")
            with open(scenario, "w") as f:
                f.write(text)
            p = routersim("plan", "srm", scenario)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("alpha 0.0005 (Holm's strictest threshold), detecting the smallest share "
                      "moved by +2 percentage points, target power 95%", p.stdout)


def normal_tail(x):
    return 0.5 * math.erfc(x / math.sqrt(2))


def df1_power(n, effect, alpha=0.001):
    """Power of the 1-df test at alpha from the closed form: (Z + sqrt(lambda))^2 beyond the
    critical value z^2, where 2 Q(z) = alpha (bisection; at 0.001 the table's 10.8276)."""
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 2 * normal_tail(mid) > alpha else (lo, mid)
    z, shift = lo, math.sqrt(n * effect)
    return normal_tail(z - shift) + normal_tail(z + shift)


class RunReportPower(unittest.TestCase):
    """Every run report gives each phase's power against one point on its smallest share."""

    def test_ab_test_power_matches_the_closed_form(self):
        with tempfile.TemporaryDirectory(prefix="routersim-e2e-srm-") as tmp:
            out = os.path.join(tmp, "out")
            p = routersim("run", os.path.join(SOURCE, "scenarios", "ab-test.yaml"), "--out", out,
                          "--no-plots")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("80% power needs 40980 requests", p.stdout)
            with open(os.path.join(out, "report.json")) as f:
                report = json.load(f)
        for phase in report["phases"]:
            power = phase["power"]
            p0 = power["from"]
            effect = 0.01 ** 2 / (p0 * (1 - p0))
            self.assertAlmostEqual(power["power"], df1_power(phase["requests"], effect),
                                   places=9)
            n = power["needed_requests"]
            self.assertGreaterEqual(df1_power(n, effect), 0.8)
            self.assertLess(df1_power(n - 1, effect), 0.8)
            self.assertFalse(power["underpowered"])
            self.assertAlmostEqual(power["needed_s"],
                                   n * (phase["end_s"] - phase["start_s"]) / phase["requests"],
                                   places=6)

    def test_power_under_holm_is_at_alpha_over_m(self):
        with open(os.path.join(SOURCE, "scenarios", "ab-test.yaml")) as f:
            text = f.read().replace("checks:\n", "checks:\n  correction: holm\n", 1)
        with tempfile.TemporaryDirectory(prefix="routersim-e2e-srm-") as tmp:
            scenario = os.path.join(tmp, "ab.yaml")
            with open(scenario, "w") as f:
                f.write(text)
            out = os.path.join(tmp, "out")
            p = routersim("run", scenario, "--out", out, "--no-plots")
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "report.json")) as f:
                report = json.load(f)
        self.assertEqual(len(report["phases"]), 2)
        for phase in report["phases"]:
            power = phase["power"]
            effect = 0.01 ** 2 / (power["from"] * (1 - power["from"]))
            self.assertAlmostEqual(power["power"], df1_power(phase["requests"], effect, 0.0005),
                                   places=9)
            n = power["needed_requests"]
            self.assertGreaterEqual(df1_power(n, effect, 0.0005), 0.8)
            self.assertLess(df1_power(n - 1, effect, 0.0005), 0.8)

    def test_scenario_sets_deviation_target_and_reports_faults(self):
        with open(os.path.join(SOURCE, "scenarios", "ab-test.yaml")) as f:
            text = f.read()
        text = text.replace("checks:\n", "checks:\n  power: {relative_deviation: 0.1, "
                            "target: 0.95}\n  concentration: 10\n", 1)
        text += "faults:\n  - router: ab-test\n    sticky: {clients: 1000, fraction: 0.01}\n"
        with tempfile.TemporaryDirectory(prefix="routersim-e2e-srm-") as tmp:
            scenario = os.path.join(tmp, "ab.yaml")
            with open(scenario, "w") as f:
                f.write(text)
            out = os.path.join(tmp, "out")
            p = routersim("run", scenario, "--out", out, "--no-plots")
            self.assertIn(p.returncode, (0, 1), p.stderr)
            self.assertIn("Fault injected: router ab-test: sticky sessions: 1000 clients, 0.01 "
                          "of requests", p.stdout)
            with open(os.path.join(out, "report.json")) as f:
                report = json.load(f)
        self.assertEqual(report["faults"],
                         ["router ab-test: sticky sessions: 1000 clients, 0.01 of requests"])
        power = report["phases"][0]["power"]
        self.assertAlmostEqual(power["to"], 0.44)
        self.assertEqual(power["target_power"], 0.95)
        effect = 0.04 ** 2 / (0.4 * 0.6)
        n = power["needed_requests"]
        self.assertGreaterEqual(df1_power(n, effect), 0.95)
        self.assertLess(df1_power(n - 1, effect), 0.95)
        for bad in ("power: {deviation: 0.01, relative_deviation: 0.1}", "power: {target: 1}",
                    "concentration: 0", "power: {deviation: 0}"):
            with tempfile.TemporaryDirectory(prefix="routersim-e2e-srm-") as tmp:
                scenario = os.path.join(tmp, "bad.yaml")
                with open(scenario, "w") as f:
                    f.write(text.replace("checks:\n", f"checks:\n  {bad}\n", 1)
                            .replace("  power: {relative_deviation: 0.1, target: 0.95}\n"
                                     "  concentration: 10\n", "", 1))
                p = routersim("validate", scenario)
                self.assertEqual(p.returncode, 2, bad)
                self.assertRegex(p.stderr, r"bad.yaml:\d+:\d+: ", bad)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
