# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the capacity-planning scenarios through the routersim command. The gate
must fail exactly where capacity runs out, with a message that names the deployment, the
window and the figure, and pass where the runbook is safe.

Usage: e2e_capacity.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SOURCE, "scenarios")


class Capacity(unittest.TestCase):
    def simulate(self, name):
        self.tmp = tempfile.TemporaryDirectory()
        out = os.path.join(self.tmp.name, "out")
        proc = subprocess.run([ROUTERSIM, "run", os.path.join(SCENARIOS, name), "--out", out,
                               "--no-plots"], capture_output=True, text=True, timeout=300)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            return proc, json.load(f)

    def tearDown(self):
        if hasattr(self, "tmp"):
            self.tmp.cleanup()

    def check(self, report, prefix):
        found = [c for c in report["checks"] if c["name"].startswith(prefix)]
        self.assertEqual(len(found), 1, [c["name"] for c in report["checks"]])
        return found[0]

    def test_overload_is_diagnosed(self):
        proc, report = self.simulate("migration-overload.yaml")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertFalse(report["passed"])
        util = self.check(report, "max utilization 90.0%")
        self.assertFalse(util["passed"])
#Both deployments run out of capacity in the first window after the 20m step.
        for deployment in ("current-deployment", "new-deployment"):
            self.assertIn(f"{deployment}: utilization", util["detail"])
        self.assertIn("utilization 100.0% in [20m, 20m30s), the first of", util["detail"])
        p99 = self.check(report, "max p99 latency 2s")
        self.assertFalse(p99["passed"])
        self.assertIn("in [20m, 20m30s), the first of", p99["detail"])
        self.assertFalse(self.check(report, "max rejected requests 0")["passed"])
        self.assertIn("FAIL  max utilization 90.0%", proc.stdout)

    def test_safe_runbook_passes(self):
        proc, report = self.simulate("migration-capacity.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(all(c["passed"] for c in report["checks"]))
        loads = {l["deployment"].rsplit("/", 1)[1]: l for l in report["loads"]}
        self.assertEqual(set(loads), {"current-deployment", "new-deployment"})
        for load in loads.values():
            self.assertEqual(load["rejected"], 0)
            self.assertEqual(load["timed_out"], 0)
            self.assertLess(load["utilization"], 0.9)
            self.assertGreater(load["completed"], 0)
            self.assertLessEqual(load["p50_s"], load["p90_s"])
            self.assertLessEqual(load["p90_s"], load["p99_s"])
#Requests are conserved : every routed request reached a deployment's serving model.
        arrived = sum(l["arrived"] for l in loads.values())
        self.assertEqual(arrived, report["requests"]["routed"])
#Scaling up at 20m changes no weight until the 3 new replicas are ready 2 minutes
#later; the old deployment scales down at 23m.
        starts = [p["start_s"] for p in report["phases"]]
        self.assertNotIn(1200.0, starts)
        self.assertIn(1320.0, starts)
        self.assertIn(1380.0, starts)

    def test_autoscaler_follows_the_daily_cycle(self):
        proc, report = self.simulate("ab-autoscaled-daily.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        scaled = [e for e in report["events"] if e["command"].startswith("autoscaler: model-b")]
        ups = [e for e in scaled if "-> " in e["command"]]
        self.assertGreater(len(ups), 2)
#Each autoscaler change is a phase boundary of the router.
        starts = {p["start_s"] for p in report["phases"]}
        ready = [e["at_s"] for e in report["events"] if "ready after" in e["command"]]
        self.assertTrue(set(ready) <= starts)
        self.assertTrue(all(p["verdict"] != "fail" for p in report["phases"]))

    def test_trace_replay(self):
        proc, report = self.simulate("trace-replay.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        with open(os.path.join(SCENARIOS, "traces", "chat-10m.csv")) as f:
            lines = [l for l in f if l.strip() and not l.startswith("#")][1:]
        self.assertEqual(report["requests"]["total"], len(lines))
        public = sum(1 for l in lines if l.split(",")[1] == "chat-public")
        routed = {p["router"].rsplit("/", 1)[1]: p["requests"] for p in report["phases"]}
        self.assertEqual(routed["chat-public"], public)
        self.assertEqual(routed["chat"], len(lines) - public)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
