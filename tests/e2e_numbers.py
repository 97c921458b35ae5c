# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the numbers a run prints keep their meaning. A tiny share or duration is
printed with its significant digits, never as 0; durations read the same on stdout and in
report.md, in the syntax a scenario accepts.

Usage: e2e_numbers.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])


class Run(unittest.TestCase):
    """One scenario, written to a private temporary folder, run with --no-plots."""
    text = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        path = os.path.join(cls.tmp, "case.yaml")
        with open(path, "w") as f:
            f.write(cls.text)
        out = os.path.join(cls.tmp, "out")
        cls.proc = subprocess.run([ROUTERSIM, "run", path, "--out", out, "--no-plots"],
                                  capture_output=True, text=True, timeout=120)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            cls.report = json.load(f)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            cls.md = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)


class TinyDuration(Run):
    text = """name: tiny
account: acme
duration: 0.0000001
deployments:
  - {id: a, replicas: 1}
routers:
  - {id: r, deployments: [a]}
traffic:
  - {router: r, rate: 10/s}
checks:
  expect:
    - router: r
      share: {a: 1}
"""

    def test_json_keeps_it(self):
        self.assertEqual(self.report["duration_s"], 1e-7)

    def test_summary_and_markdown_say_it(self):
        self.assertIn("expect r share during [0,0.0000001]", self.proc.stdout)
        self.assertIn("0.0000001s simulated", self.proc.stdout)
        self.assertIn("0.0000001s", self.md)


class TinyShare(Run):
    # 1 replica in 100,000: an expected share of 0.00001, checked within 0.000001.
    text = """name: tiny-share
account: acme
seed: 3
duration: 100s
deployments:
  - {id: a, replicas: 99999}
  - {id: b, replicas: 1}
routers:
  - {id: r, deployments: [a, b]}
traffic:
  - {router: r, rate: 2000/s}
checks:
  expect:
    - router: r
      share: {b: 0.00001}
      tolerance: 0.000001
"""

    def test_check_detail_shows_the_digits(self):
        b = self.report["phases"][0]["deployments"][1]["observed"]
        n = self.report["phases"][0]["requests"]
        observed = "%.7f" % (b / n)
        self.assertIn(f"b {observed} (expected 0.0000100 +- 0.000001, {b} of {n} requests)",
                      self.proc.stdout)
        self.assertNotIn("0.0000 (expected 0.0000", self.proc.stdout)

    def test_check_name_keeps_every_digit(self):
        self.assertIn("expect r share during [0,100]", self.proc.stdout)

    def test_percentages_keep_their_digits(self):
        # The expected share, 0.001 %, in the phase table of the summary and of report.md.
        self.assertRegex(self.proc.stdout, r"\b0\.00100%")
        self.assertIn("0.00100%", self.md)


class SameDurationsEverywhere(Run):
    # A phase boundary at 127.5 s and a run of 26 hours: one syntax on stdout and in the
    # report, the one a scenario is written in.
    text = """name: long
account: acme
duration: 26h
window: 1h
deployments:
  - {id: a, replicas: 1}
  - {id: b, replicas: 1}
routers:
  - {id: r, deployments: [a]}
traffic:
  - {router: r, rate: 0.01/s}
timeline:
  - at: 127.5s
    run: firectl router update r --deployments=a,b
"""

    def test_stdout_and_markdown_agree(self):
        for interval in ("[0s, 2m7.5s)", "[2m7.5s, 1d2h)"):
            self.assertIn(interval, self.proc.stdout)
            self.assertIn(interval, self.md)

    def test_printed_durations_read_back(self):
        for token in ("2m7.5s", "1d2h"):
            scenario = self.text.replace("duration: 26h", f"duration: {token}").replace(
                "  - at: 127.5s\n    run: firectl router update r --deployments=a,b\n",
                "").replace("timeline:\n", "").replace("window: 1h\n", "")
            path = os.path.join(self.tmp, "back.yaml")
            with open(path, "w") as f:
                f.write(scenario)
            proc = subprocess.run([ROUTERSIM, "validate", path], capture_output=True, text=True,
                                  timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
