# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: verdicts a CI can read. Each check in report.json carries its value, limit,
margin, unit and the window that decided it; the JUnit cases say that window; a phase's
split test and its capacity verdict are reported apart; during a cold start the reports
show the split asked for beside the one the ready replicas gave.

migration-overload.yaml at its own seed: at 20m new-deployment is asked for 4 replicas
(3 still starting for 2 minutes) and current-deployment for 1, so the router splits 50/50
over one ready replica each where 20/80 was asked, and both run at 100% utilisation in
[20m, 20m30s): the first window over the 90% limit, by 10 points.

Usage: e2e_verdicts.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIO = os.path.join(SOURCE, "scenarios", "migration-overload.yaml")
FIELDS = {"name", "passed", "status", "kind", "key", "value", "limit", "margin", "unit",
          "start_s", "end_s", "deployment", "detail"}


class Verdicts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "out")
        cls.proc = subprocess.run([ROUTERSIM, "run", SCENARIO, "--out", cls.out, "--no-plots"],
                                  capture_output=True, text=True, timeout=300)
        with open(os.path.join(cls.out, "report.json"), encoding="utf-8") as f:
            cls.report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def check(self, key):
        found = [c for c in self.report["checks"] if c["key"] == key]
        self.assertEqual(len(found), 1, [c["key"] for c in self.report["checks"]])
        return found[0]

    def test_format_version(self):
        self.assertEqual(self.proc.returncode, 1, self.proc.stderr)
        self.assertEqual(self.report["format_version"], 2)
        self.assertEqual(next(iter(self.report)), "format_version")

    def test_every_check_is_machine_readable(self):
        for c in self.report["checks"]:
            self.assertLessEqual(FIELDS, set(c), c["name"])
            self.assertIn(c["status"], ("pass", "fail", "too_few_requests"))
            self.assertEqual(c["passed"], c["status"] != "fail")
            self.assertIn(c["unit"], ("fraction", "s", "requests", "share"))
            self.assertLessEqual(c["start_s"], c["end_s"])
            if c["value"] is not None:
                self.assertAlmostEqual(c["margin"], c["limit"] - c["value"], places=9)
            if c["kind"] == "capacity":
                self.assertIn(c["over"], ("window", "interval"))

    def test_utilization_decided_by_its_first_window_over_the_limit(self):
        util = self.check("max_utilization")
        self.assertEqual(util["status"], "fail")
        self.assertEqual(util["unit"], "fraction")
        self.assertAlmostEqual(util["value"], 1.0, places=9)
        self.assertEqual(util["limit"], 0.9)
        self.assertAlmostEqual(util["margin"], -0.1, places=9)
        self.assertEqual((util["start_s"], util["end_s"]), (1200, 1230))
        self.assertEqual(util["deployment"], "accounts/my-account/deployments/current-deployment")
        self.assertEqual((util["from_s"], util["to_s"], util["over"]), (0, 2400, "window"))
        self.assertGreater(util["breaches"], 0)

    def test_counts_are_checked_over_the_run(self):
        failed = self.check("max_failed_requests")
        self.assertEqual((failed["value"], failed["limit"], failed["margin"]), (0, 0, 0))
        self.assertEqual((failed["start_s"], failed["end_s"]), (0, 2400))
        rejected = self.check("max_rejected")
        self.assertEqual(rejected["status"], "fail")
        self.assertGreater(rejected["value"], 0)
        self.assertEqual(rejected["margin"], -rejected["value"])

    def test_split_and_capacity_apart(self):
        phases = {p["start_s"]: p for p in self.report["phases"]}
        overload = phases[1200]
        self.assertEqual(overload["verdict"], "pass")
        self.assertEqual(overload["test_verdict"], "pass")
        self.assertEqual(overload["capacity"], "fail")
        self.assertTrue(overload["capacity_failed"].startswith("max utilization 90.0%"))
        self.assertNotEqual(phases[0]["capacity"], "fail")
        md = self.read("report.md")
        self.assertIn("| Split test | Capacity |", md)
        self.assertIn("| pass | **FAIL**: max utilization 90.0%", md)
        self.assertIn("### Capacity checks", md)
        self.assertIn("\nCapacity checks\n", self.proc.stdout)

    def test_asked_split_beside_the_ready_one(self):
        overload = next(p for p in self.report["phases"] if p["start_s"] == 1200)
        deps = {d["name"].rsplit("/", 1)[1]: d for d in overload["deployments"]}
        self.assertEqual((deps["new-deployment"]["replicas"],
                          deps["new-deployment"]["wanted_replicas"]), (1, 4))
        self.assertEqual(deps["new-deployment"]["expected_share"], 0.5)
        self.assertEqual(deps["new-deployment"]["intended_share"], 0.8)
        self.assertEqual(deps["current-deployment"]["intended_share"], 0.2)
        md = self.read("report.md")
        self.assertIn("| 1 / 1 (4 asked) | 50.00% (20.00% asked) / 50.00% (80.00% asked) |", md)
        self.assertIn("50.00% (80.00% asked)", self.proc.stdout)

    def test_junit_cases_say_when(self):
        suite = ET.parse(os.path.join(self.out, "junit.xml")).getroot().find("testsuite")
        cases = {c.get("name"): c for c in suite.findall("testcase")}
        util = cases[self.check("max_utilization")["name"]]
        self.assertTrue(util.get("classname").endswith(".capacity"))
        failure = util.find("failure")
        self.assertIn("value 100.0%, limit 90.0%, margin -10.0% (fraction), decided in "
                      "[20m, 20m30s)", failure.text)
        failed = cases["max_failed_requests"]
        self.assertTrue(failed.get("classname").endswith(".checks"))
        self.assertIn("decided in [0s, 40m)", failed.find("system-out").text)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
