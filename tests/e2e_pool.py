# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: pooled traffic (16 or more constant-rate entries) draws its arrivals on a
stream of its own, on a producer thread when a run expects 100,000 or more of them. What a
user relies on: the same seed gives the same reports, byte for byte, however many
replications run side by side (`--jobs 1`, `--jobs 2`: each replication's engine with its
own producer thread, on a 2-core machine), and the single run is replication 0's.

Usage: e2e_pool.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])

ROUTERS = 20


def scenario(path):
    # 20 pooled entries, 11,800 requests/s over 20 s: 236,000 expected, on the thread
    out = ["name: pooled", "account: acme", "seed: 11", "duration: 20s", "window: 2s",
           "deployments:"]
    out += [f"  - {{id: d{r}-{k}, replicas: {1 + k}}}" for r in range(ROUTERS) for k in range(2)]
    out.append("routers:")
    out += [f"  - {{id: r{r}, deployments: [d{r}-0, d{r}-1]}}" for r in range(ROUTERS)]
    out.append("traffic:")
    out += [f"  - {{router: r{r}, rate: {400 + 20 * r}/s}}" for r in range(ROUTERS)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


class Pool(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="routersim-pool-")
        cls.scenario = os.path.join(cls.tmp.name, "pooled.yaml")
        scenario(cls.scenario)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_cmd(self, name, *args):
        out = os.path.join(self.tmp.name, name)
        proc = subprocess.run([ROUTERSIM, "run", self.scenario, "--quiet", "--no-plots",
                               "--out", out, *args], capture_output=True, text=True,
                              timeout=300, check=False)
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        return out

    def read(self, folder, name):
        with open(os.path.join(folder, name), "rb") as f:
            return f.read()

    def test_same_reports_for_any_jobs(self):
        one = self.run_cmd("jobs1", "--replications", "4", "--jobs", "1")
        two = self.run_cmd("jobs2", "--replications", "4", "--jobs", "2")
        self.assertEqual(sorted(os.listdir(one)), sorted(os.listdir(two)))
        for name in sorted(os.listdir(one)):
            self.assertEqual(self.read(one, name), self.read(two, name), f"{name} differs")
        with open(os.path.join(one, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
        self.assertGreater(report["requests"]["total"], 200000)

    def test_single_runs_repeat(self):
        first = self.run_cmd("first")
        again = self.run_cmd("again")
        for name in ("report.json", "timeseries.csv", "requests.csv", "junit.xml"):
            self.assertEqual(self.read(first, name), self.read(again, name), f"{name} differs")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
