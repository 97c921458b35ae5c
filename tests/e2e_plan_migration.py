# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: `routersim plan migration` on the bundled scenario and on variants of it. What
a user relies on: the runbook shifts the router only once new replicas are ready (also when
cold starts take longer than a fixed wait would allow), the old deployment leaves the router
before it scales to zero and is deleted last, the planned scenario passes `run
--replications`, a budget that cannot hold the load is refused with a reason (exit 1), and
bad flags exit 2.

Usage: e2e_plan_migration.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])
SCENARIO = os.path.join(sys.argv[2], "scenarios", "plan-migration.yaml")
ARGS = ["--router", "chat-router", "--from", "chat-v1", "--to", "chat-v2"]
# The rule is cheaper than the default (0.9) and the same for the plan and the check of it.
RULE = ["--pass-rate", "0.8", "--replications", "200", "--jobs", "2"]


def plan(scenario, out, *extra):
    return subprocess.run([ROUTERSIM, "plan", "migration", scenario, *ARGS, *RULE,
                           "--out", out, *extra], capture_output=True, text=True)


def serving_only_variant(folder, cold_start):
    """The bundled scenario with chat-v2 described only by its serving model (a new
    deployment) and the given cold start."""
    with open(SCENARIO, encoding="utf-8") as f:
        text = f.read()
    head, tail = text.split("  - id: chat-v2\n", 1)
    serving = tail[tail.index("    serving:\n") + len("    serving:\n"):tail.index("\nrouters:")]
    serving = "\n".join(line[2:] for line in serving.splitlines())
    text = head + "\nserving:\n  chat-v2:\n" + serving + "\n" + tail[tail.index("routers:"):]
    text = text.replace("cold_start: 3m", "cold_start: " + cold_start)
    path = os.path.join(folder, "variant.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class PlanMigration(unittest.TestCase):
    def check_plan(self, out, cold_start_s):
        with open(os.path.join(out, "plan.json"), encoding="utf-8") as f:
            p = json.load(f)
        self.assertTrue(p["holds"])
        events = [(e["at_s"], e["run"]) for e in p["events"]]
        # Every share the ratio gives is reported, and within half a point of the share asked.
        for s in p["steps"][:-1]:
            self.assertAlmostEqual(s["share"], s["to_replicas"] /
                                   (s["from_replicas"] + s["to_replicas"]))
            self.assertLessEqual(abs(s["share"] - s["share_asked"]), 0.005 + 1e-12)
        # No shift before the new replicas are ready: after a line adding replicas at t, the
        # next line that shifts traffic (the router, or the old deployment shrinking) comes
        # strictly after t + the cold start.
        grown, old = None, 8
        for at, line in events:
            count = re.search(r"--min-replica-count=(\d+)", line)
            if "chat-v2" in line and ("create" in line or "update chat-v2" in line):
                grown = at
            elif "update chat-v1" in line and int(count.group(1)) > old:
                grown = at
            elif grown is not None and ("router update" in line or "update chat-v1" in line):
                self.assertGreater(at, grown + cold_start_s, line)
                grown = None
            if "update chat-v1" in line:
                old = int(count.group(1))
        # The old deployment leaves the router, then scales to zero, then is deleted, last.
        lines = [line for _, line in events]
        leave = lines.index("firectl router update chat-router --deployments=chat-v2")
        zero = lines.index("firectl deployment update chat-v1 --min-replica-count=0 "
                           "--max-replica-count=0")
        self.assertLess(leave, zero)
        self.assertEqual(lines[-1], "firectl deployment delete chat-v1")
        self.assertLess(events[leave][0], events[zero][0])
        # runbook.sh has the same lines, with sleeps adding up to the plan's time.
        with open(os.path.join(out, "runbook.sh"), encoding="utf-8") as f:
            runbook = f.read()
        self.assertEqual([l for l in runbook.splitlines() if l.startswith("firectl")], lines)
        slept = sum(float(s) for s in re.findall(r"^sleep (\S+)", runbook, re.M))
        self.assertAlmostEqual(slept, events[-1][0] - events[0][0])
        # The planned scenario passes a replicated run under the same rule.
        run = subprocess.run([ROUTERSIM, "run", os.path.join(out, "planned.yaml"), *RULE,
                              "--sequential", "--quiet", "--no-plots",
                              "--out", os.path.join(out, "..", "run")],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        for name in ("plan.md", "plan.html", "report.json", "split-chat-router.svg"):
            self.assertTrue(os.path.exists(os.path.join(out, name)), name)
        return p

    def test_bundled_plan_holds(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "plan")
            r = plan(SCENARIO, out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.check_plan(out, 180)

    def test_cold_start_longer_than_a_fixed_wait(self):
        # The runbook waited 4 minutes; with 6-minute cold starts the plan waits more.
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "plan")
            r = plan(serving_only_variant(d, "6m"), out)
            self.assertEqual(r.returncode, 0, r.stderr)
            p = self.check_plan(out, 360)
            self.assertTrue(p["events"][0]["run"].startswith(
                "firectl deployment create accounts/my-account/models/llama-v3p1-8b "
                "--deployment-id=chat-v2"))

    def test_refused_when_the_budget_cannot_hold_the_load(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "plan")
            r = plan(SCENARIO, out, "--max-replicas", "5")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("no plan holds within 5 replicas", r.stderr)
            with open(os.path.join(out, "plan.json"), encoding="utf-8") as f:
                self.assertFalse(json.load(f)["holds"])
            self.assertFalse(os.path.exists(os.path.join(out, "runbook.sh")))

    def test_bad_flags(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "plan")
            for extra in (["--steps", "50,10,100"], ["--steps", "10,50"], ["--minimise", "fast"],
                          ["--pass-rate", "2"], ["--max-replicas", "0"], ["--bogus"]):
                r = plan(SCENARIO, out, *extra)
                self.assertEqual(r.returncode, 2, extra)
                self.assertTrue(r.stderr.startswith("routersim: "), r.stderr)
            r = subprocess.run([ROUTERSIM, "plan", "migration", SCENARIO, "--from", "chat-v1",
                                "--to", "chat-v2"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("--router", r.stderr)
            r = subprocess.run([ROUTERSIM, "plan", "migration", SCENARIO, *ARGS[:4], "--to",
                                "nope", "--out", out], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("nope", r.stderr)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
