# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: `routersim replay RECORDING --scenario FILE`. The bundled recording, made by
the bundled scenario itself with a seed none of the replications use, is explained (exit 0);
the same scenario with a wrong concurrency or a wrong cold start is flagged (exit 1); the
reports are written; bad recordings and mismatched windows are refused with their place.

Usage: e2e_replay.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RECORDING = os.path.join(SOURCE, "scenarios", "replay", "scale-up-recording.csv")
SCENARIO = os.path.join(SOURCE, "scenarios", "replay", "scale-up.yaml")


class Replay(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def replay(self, *extra, recording=RECORDING, out="out"):
        out = os.path.join(self.dir, out)
        p = subprocess.run([ROUTERSIM, "replay", recording, "--scenario", SCENARIO,
                            "--jobs", "2", "--no-plots", "--out", out, *extra],
                           capture_output=True, text=True)
        report = None
        if os.path.exists(os.path.join(out, "replay.json")):
            with open(os.path.join(out, "replay.json")) as f:
                report = json.load(f)
        return p, report

    def figures(self, report):
        return {f["figure"]: f for f in report["figures"]}

    def test_own_output_is_explained(self):
        p, report = self.replay()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("EXPLAINED: the model explains the recording", p.stdout)
        self.assertTrue(report["explained"])
        self.assertEqual(report["replications"], 99)
        self.assertAlmostEqual(report["outside_rate"], 2 / 100)
        figures = self.figures(report)
        self.assertEqual(sorted(figures), ["p50", "p90", "p99", "ready", "utilization"])
        for name, f in figures.items():
            self.assertEqual(f["windows"], 40, name)  # 20 minutes of 30-second windows
            self.assertLessEqual(f["outside"], f["allowed"], name)
        # the replications' median is close to what was recorded
        self.assertLess(figures["utilization"]["mape_percent"], 5)
        self.assertEqual(figures["ready"]["mape_percent"], 0)
        self.assertEqual(len(report["windows"]), 40)
        self.assertEqual(sorted(os.listdir(os.path.join(self.dir, "out"))),
                         ["replay.html", "replay.json", "replay.md"])

    def test_wrong_concurrency_is_flagged(self):
        p, report = self.replay("--set", "deployments.llm.serving.concurrency=6")
        self.assertEqual(p.returncode, 1, p.stderr)
        figures = self.figures(report)
        self.assertFalse(report["explained"])
        self.assertFalse(figures["utilization"]["explained"])
        self.assertGreater(figures["utilization"]["mape_percent"], 20)  # 8/6 - 1 = 33 %

    def test_wrong_cold_start_is_flagged(self):
        p, report = self.replay("--set", "deployments.llm.serving.cold_start=6m")
        self.assertEqual(p.returncode, 1, p.stderr)
        figures = self.figures(report)
        # ready replicas differ in the 8 windows from 12m to 16m, and utilisation with them
        self.assertEqual(figures["ready"]["outside"], 8)
        self.assertFalse(figures["ready"]["explained"])
        self.assertFalse(figures["utilization"]["explained"])

    def test_bad_input(self):
        bad = os.path.join(self.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write("time,deployment,requests,replicas\n0,llm,10,3\n30,llm,x,3\n")
        p, _ = self.replay(recording=bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn(bad + ":3:", p.stderr)
        with open(bad, "w") as f:
            f.write("time,deployment,requests,replicas\n0,llm,10,3\n60,llm,10,3\n")
        p, _ = self.replay(recording=bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn("windows of 60s, but the scenario", p.stderr)
        with open(bad, "w") as f:
            f.write("time,deployment,requests,replicas\n0,llm,10,3\n30,llm,10,3\n1200,llm,10,3\n")
        p, _ = self.replay(recording=bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn(bad + ":4:1: time 1200", p.stderr)
        with open(bad, "w") as f:
            f.write("time,deployment,requests,replicas\n0,other,10,3\n30,other,10,3\n")
        p, _ = self.replay(recording=bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn("deployment other of the metrics is not in the scenario", p.stderr)
        p = subprocess.run([ROUTERSIM, "replay", RECORDING], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("expected --scenario FILE", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out")))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
