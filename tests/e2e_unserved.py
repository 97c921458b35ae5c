# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: requests that were routed but not served, as every report shows them. A trace
counted by hand (one slot, 10 s of service, room for 2 waiting, a 5 s timeout, 30 s in 10 s
windows) loses 1 request to a full queue, 3 to timeouts and leaves 2 unfinished:

    1    A starts, done at 11            2  B waits, gives up at 7     3  C waits, gives up at 8
    4    X finds 2 waiting: rejected     8.5  D waits, starts at 11 (waited 2.5), done at 21
    14   G waits, gives up at 19         25   E starts, in service at 30   26  F waits at 30

Served latency is 10, 12.5, 10 s; callers saw those and 5, 5, 5 s.

Usage: e2e_unserved.py ROUTERSIM SOURCE_DIR
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROUTERSIM = os.path.abspath(sys.argv[1])

SCENARIO = """name: by-hand
account: acme
duration: 30s
window: 10s
deployments:
  - id: d
    replicas: 1
    serving: {{concurrency: 1, queue_limit: 2, timeout: 5s,
               service_time: {{distribution: deterministic, mean: 10s}}}}
routers:
  - {{id: r, deployments: [d]}}
traffic:
  - {{router: r, trace: {trace}}}
checks:
  capacity:
    - {{max_timed_out: 10, during: [5s, 15s]}}
"""
TRACE = "time\n1\n2\n3\n4\n8.5\n14\n25\n26\n"


class ByHand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="routersim-e2e-unserved-")
        trace = os.path.join(cls.tmp, "trace.csv")
        with open(trace, "w", encoding="utf-8") as f:
            f.write(TRACE)
        cls.scenario = os.path.join(cls.tmp, "by-hand.yaml")
        with open(cls.scenario, "w", encoding="utf-8") as f:
            f.write(SCENARIO.format(trace=trace))
        cls.out = os.path.join(cls.tmp, "out")
        cls.proc = subprocess.run([ROUTERSIM, "run", cls.scenario, "--out", cls.out,
                                   "--no-plots"], capture_output=True, text=True, timeout=120)
        with open(os.path.join(cls.out, "report.json"), encoding="utf-8") as f:
            cls.report = json.load(f)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", cls.tmp], check=True)

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8", newline="") as f:
            return f.read()

    def test_summary_line(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIn("Requests: 8 arrived, 8 routed, 0 failed at the router, 1 rejected, "
                      "3 timed out, 2 unfinished\n", self.proc.stdout)

    def test_report_json(self):
        req = self.report["requests"]
        self.assertEqual(req["unserved"], 6)
        self.assertEqual(req["unserved_by_reason"],
                         {"rejected": 1, "timed_out": 3, "unfinished": 2})
        self.assertEqual(req["total"], req["routed"] + req["failed"])
        load = self.report["loads"][0]
        self.assertEqual(load["arrived"],
                         load["completed"] + load["rejected"] + load["timed_out"]
                         + load["unfinished"])
        self.assertEqual(load["latency"]["count"], 3)
        self.assertAlmostEqual(load["latency"]["mean_s"], 32.5 / 3, places=6)
        self.assertAlmostEqual(load["latency"]["p50_s"], 10, delta=0.1)
        self.assertEqual(load["caller"]["count"], 6)
        self.assertAlmostEqual(load["caller"]["mean_s"], 47.5 / 6, places=6)
        self.assertAlmostEqual(load["caller"]["p50_s"], 5, delta=0.05)
        self.assertEqual(load["wait"]["p50_s"], 0)
        self.assertEqual(load["p99_s"], load["latency"]["p99_s"])
        # over a phase the most waiting is not measured: null, not -1
        for phase in self.report["phases"]:
            self.assertIsNone(phase["deployments"][0]["load"]["max_waiting"])
        # the check's whole interval, [5s, 15s): the first two windows
        (whole,) = self.report["interval_loads"]
        self.assertEqual(whole["check"], 0)
        self.assertEqual((whole["arrived"], whole["timed_out"], whole["unfinished"]), (6, 3, 1))

    def test_requests_csv(self):
        rows = list(csv.DictReader(self.read("requests.csv").splitlines()))
        self.assertEqual([(r["window_unserved"], r["window_rejected"], r["window_timed_out"],
                           r["window_unfinished"]) for r in rows],
                         [("3", "1", "2", "0"), ("1", "0", "1", "0"), ("2", "0", "0", "2")])
        self.assertEqual(sum(int(r["window_unserved"]) for r in rows),
                         self.report["requests"]["unserved"])

    def test_unserved_series_json(self):
        rows = self.report["timeseries"]["unserved"]
        self.assertEqual([(r["bin"], r["unserved"], r["unserved_by_reason"]) for r in rows],
                         [(0, 3, {"rejected": 1, "timed_out": 2, "unfinished": 0}),
                          (1, 1, {"rejected": 0, "timed_out": 1, "unfinished": 0}),
                          (2, 2, {"rejected": 0, "timed_out": 0, "unfinished": 2})])

    def test_load_csv(self):
        rows = list(csv.DictReader(self.read("load.csv").splitlines()))
        self.assertEqual([int(r["unfinished"]) for r in rows], [2, 1, 2])
        self.assertEqual([int(r["caller_count"]) for r in rows], [3, 2, 1])

    def test_people_and_ci_reports(self):
        line = "8 arrived, 8 routed, 0 failed at the router, 1 rejected, 3 timed out, 2 unfinished"
        md = self.read("report.md")
        self.assertIn(line, md)
        self.assertIn("| routed, not served: timed out | 3 |", md)
        self.assertIn("latency is that of served requests", md)
        self.assertIn(line, self.read("report.html"))
        props = {p.get("name"): p.get("value")
                 for p in ET.fromstring(self.read("junit.xml")).iter("property")}
        self.assertEqual(props["unserved"], "6")
        self.assertEqual(props["unserved_unfinished"], "2")
        self.assertEqual(props["requests"], line)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
