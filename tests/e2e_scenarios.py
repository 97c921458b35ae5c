# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: every bundled scenario through the routersim command, checking the exit
status CI relies on and the report contents a user reads.

Usage: e2e_scenarios.py ROUTERSIM SOURCE_DIR
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SOURCE, "scenarios")


def run(*args, cwd=None):
    return subprocess.run([ROUTERSIM, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def poisson_ok(observed, mean, sigmas=5):
    """A Poisson count within `sigmas` standard deviations of its mean."""
    return abs(observed - mean) <= sigmas * math.sqrt(mean)


class Scenario(unittest.TestCase):
    """Runs one scenario into a temporary folder and loads its report.json."""

    def simulate(self, name, *extra):
        self.tmp = tempfile.TemporaryDirectory()
        out = os.path.join(self.tmp.name, "out")
        proc = run("run", os.path.join(SCENARIOS, name), "--out", out, "--no-plots", *extra)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            return proc, json.load(f)

    def tearDown(self):
        if hasattr(self, "tmp"):
            self.tmp.cleanup()

    def assert_consistent(self, report):
        req = report["requests"]
        self.assertEqual(req["total"], req["routed"] + req["failed"])
        self.assertEqual(req["failed"], sum(req["failed_by_reason"].values()))
        self.assertEqual(req["routed"], sum(p["requests"] for p in report["phases"]))
        for phase in report["phases"]:
            self.assertEqual(phase["requests"], sum(d["observed"] for d in phase["deployments"]))
            shares = [d["expected_share"] for d in phase["deployments"]]
            self.assertAlmostEqual(sum(shares), 1.0, places=12)


class DocsMigration(Scenario):
    def test_exit_status_and_phases(self):
        proc, report = self.simulate("docs-migration.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(report["passed"])
        self.assertEqual(report["scenario"], "docs-migration")
        self.assertEqual(report["seed"], 42)
        self.assertEqual(report["duration_s"], 2400.0)
        self.assert_consistent(report)
        # The docs' steps, by hand: 4 -> 4:1 -> 1:4 -> 0:4 -> new only.
        expected = [
            (0, 600, {"current-deployment": (4, 1.0)}),
            (600, 1200, {"current-deployment": (4, 0.8), "new-deployment": (1, 0.2)}),
            (1200, 1800, {"current-deployment": (1, 0.2), "new-deployment": (4, 0.8)}),
            (1800, 2100, {"current-deployment": (0, 0.0), "new-deployment": (4, 1.0)}),
            (2100, 2400, {"new-deployment": (4, 1.0)}),
        ]
        phases = report["phases"]
        self.assertEqual(len(phases), len(expected))
        for phase, (start, end, deps) in zip(phases, expected):
            self.assertEqual(phase["router"], "accounts/my-account/routers/my-router")
            self.assertEqual((phase["start_s"], phase["end_s"]), (start, end))
            got = {d["name"].rsplit("/", 1)[1]: (d["replicas"], d["expected_share"])
                   for d in phase["deployments"]}
            self.assertEqual(set(got), set(deps))
            for name, (replicas, share) in deps.items():
                self.assertEqual(got[name][0], replicas)
                self.assertAlmostEqual(got[name][1], share, places=12)
            self.assertTrue(poisson_ok(phase["requests"], 100 * (end - start)))
            self.assertIn(phase["verdict"], ("pass",))
        # A deployment at 0 replicas gets nothing.
        self.assertEqual(phases[3]["deployments"][0]["observed"], 0)
        self.assertEqual(report["requests"]["failed"], 0)
        self.assertTrue(all(c["passed"] for c in report["checks"]))
        names = [c["name"] for c in report["checks"]]
        self.assertIn("expect my-router share during [1200,1800]", names)
        self.assertIn("max_failed_requests", names)

    def test_timeline_is_recorded(self):
        _, report = self.simulate("docs-migration.yaml")
        events = report["events"]
        self.assertEqual([e["at_s"] for e in events], [600, 600, 1200, 1200, 1800, 2100])
        self.assertTrue(events[1]["command"].startswith("firectl router update my-router"))

    def test_seed_override_and_reproducibility(self):
        _, a = self.simulate("docs-migration.yaml", "--seed", "5")
        _, b = self.simulate("docs-migration.yaml", "--seed", "5")
        _, c = self.simulate("docs-migration.yaml", "--seed", "6")
        self.assertEqual(a["seed"], 5)
        self.assertEqual(a, b)
        self.assertNotEqual(a["requests"]["total"], c["requests"]["total"])


class AbTest(Scenario):
    def test_split_follows_replicas(self):
        proc, report = self.simulate("ab-test.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assert_consistent(report)
        first, second = report["phases"]
        self.assertEqual([d["expected_share"] for d in first["deployments"]], [0.6, 0.4])
        self.assertEqual([d["expected_share"] for d in second["deployments"]], [0.5, 0.5])
        self.assertEqual(first["end_s"], 1800.0)
        for phase in (first, second):
            self.assertEqual(phase["df"], 1)
            # Pearson's statistic recomputed from the reported counts, independently.
            n = phase["requests"]
            chi2 = sum((d["observed"] - n * d["expected_share"]) ** 2 / (n * d["expected_share"])
                       for d in phase["deployments"])
            self.assertAlmostEqual(phase["chi2"], chi2, places=6)
            self.assertAlmostEqual(phase["p_value"], math.erfc(math.sqrt(chi2 / 2)), places=9)


class StableAlias(Scenario):
    def test_swap_without_failures(self):
        proc, report = self.simulate("stable-alias.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assert_consistent(report)
        self.assertEqual(report["requests"]["failed"], 0)
        first, second = report["phases"]
        self.assertEqual([d["name"] for d in first["deployments"]],
                         ["accounts/my-account/deployments/v1"])
        self.assertEqual([d["name"] for d in second["deployments"]],
                         ["accounts/my-account/deployments/v2"])
        self.assertEqual(second["deployments"][0]["replicas"], 2)
        self.assertEqual(first["verdict"], "pass")
        self.assertEqual(first["df"], 0)


class CiGateFails(Scenario):
    def test_deleted_router_fails_the_gate(self):
        proc, report = self.simulate("ci-gate-fails.yaml")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertFalse(report["passed"])
        self.assert_consistent(report)
        failed = report["requests"]["failed_by_reason"]
        # 5/s for the 10 minutes after the deletion, all router_not_found.
        self.assertTrue(poisson_ok(failed["router_not_found"], 5 * 600), failed)
        self.assertEqual(failed["no_replicas"], 0)
        self.assertEqual(failed["forbidden"], 0)
        check = [c for c in report["checks"] if c["name"] == "max_failed_requests"][0]
        self.assertFalse(check["passed"])
        self.assertIn("FAIL", proc.stdout)


class CommandLine(unittest.TestCase):
    def test_help_and_version(self):
        proc = run("--help")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("Usage: routersim run FILE...", proc.stdout)
        proc = run("--version")
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout, r"^routersim \d+\.\d+\.\d+\n$")

    def test_bad_usage_exits_2(self):
        for args in ([], ["simulate"], ["run"], ["run", "--bogus", "x.yaml"],
                     ["run", "--seed", "abc", "x.yaml"], ["run", "--seed"]):
            proc = run(*args)
            self.assertEqual(proc.returncode, 2, args)
            self.assertTrue(proc.stderr.startswith("routersim: "), proc.stderr)

    def test_validate(self):
        files = [os.path.join(SCENARIOS, f) for f in sorted(os.listdir(SCENARIOS))
                 if f.endswith(".yaml")]
        proc = run("validate", *files)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.count(": ok: "), len(files))

    def test_default_folder_and_several_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            proc = run("run", os.path.join(SCENARIOS, "ab-test.yaml"), "--no-plots", "--quiet",
                       cwd=tmp)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout, "")
            self.assertTrue(os.path.isfile(os.path.join(tmp, "out", "ab-test", "report.json")))
            proc = run("run", os.path.join(SCENARIOS, "ab-test.yaml"),
                       os.path.join(SCENARIOS, "ci-gate-fails.yaml"), "--out",
                       os.path.join(tmp, "many"), "--no-plots")
            self.assertEqual(proc.returncode, 1)  # the worst of 0 and 1
            for name in ("ab-test", "ci-gate-fails"):
                self.assertTrue(os.path.isfile(os.path.join(tmp, "many", name, "report.json")))

    def test_unwritable_output_leaves_no_report(self):
        with tempfile.TemporaryDirectory() as tmp:
            blocker = os.path.join(tmp, "file")
            open(blocker, "w").close()
            proc = run("run", os.path.join(SCENARIOS, "ab-test.yaml"), "--no-plots",
                       "--out", os.path.join(blocker, "out"))
            self.assertEqual(proc.returncode, 3, proc.stderr)
            self.assertIn("cannot", proc.stderr)
            self.assertFalse(os.path.exists(os.path.join(blocker, "out")))

    def test_invalid_scenario_simulates_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.yaml")
            with open(bad, "w") as f:
                f.write("name: x\n")
            proc = run("run", os.path.join(SCENARIOS, "ab-test.yaml"), bad, "--out",
                       os.path.join(tmp, "out"), "--no-plots")
            self.assertEqual(proc.returncode, 2)
            self.assertIn(bad + ":1:1:", proc.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "out")))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
