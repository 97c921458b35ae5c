# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: reuse and overrides. A scenario written with anchors, aliases and merge keys
gives the same report.json as the same scenario written out by hand; `--set key.path=value`
gives the same report.json as the file edited by hand, and a bad override is refused before
anything is simulated, with an error that names it.

Usage: e2e_overrides.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import jsonschema

ROUTERSIM = os.path.abspath(sys.argv[1])
with open(os.path.join(sys.argv[2], "docs", "report.schema.json"), encoding="utf-8") as schema:
    REPORT_SCHEMA = jsonschema.Draft202012Validator(json.load(schema))

HEAD = """\
name: reuse
account: acme
seed: 5
duration: 20m
"""

EXPANDED = HEAD + """\
deployments:
  - id: a
    model: accounts/acme/models/m
    replicas: 3
    serving: {concurrency: 4, service_time: {distribution: exponential, mean: 50ms}}
  - id: b
    model: accounts/acme/models/m
    replicas: 2
    serving: {concurrency: 4, service_time: {distribution: exponential, mean: 50ms}}
routers:
  - id: r
    deployments: [a, b]
traffic:
  - router: r
    rate: 40/s
timeline:
  - {at: 10m, scale: {deployment: b, replicas: 3}}
checks:
  expect:
    - {router: r, during: [0s, 10m], share: {a: 0.6, b: 0.4}, tolerance: 0.02}
    - {router: r, during: [10m, 20m], share: {a: 0.5, b: 0.5}, tolerance: 0.02}
  capacity:
    - {max_utilization: 0.9, deployment: a}
    - {max_utilization: 0.9, deployment: b}
"""

WITH_ANCHORS = HEAD + """\
deployments:
  - &a
    id: a
    model: accounts/acme/models/m
    replicas: 3
    serving: &serving {concurrency: 4, service_time: {distribution: exponential, mean: 50ms}}
  - <<: *a
    id: b
    replicas: 2
routers:
  - id: r
    deployments: [a, b]
traffic:
  - router: r
    rate: 40/s
timeline:
  - {at: 10m, scale: {deployment: b, replicas: 3}}
checks:
  expect:
    - &expect {router: r, during: [0s, 10m], share: {a: 0.6, b: 0.4}, tolerance: 0.02}
    - {<<: *expect, during: [10m, 20m], share: {a: 0.5, b: 0.5}}
  capacity:
    - &limit {max_utilization: 0.9, deployment: a}
    - {<<: *limit, deployment: b}
"""


def run(tmp, name, text, *args):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    proc = subprocess.run([ROUTERSIM, "run", path, "--quiet", "--no-plots", "--out", out, *args],
                          capture_output=True, text=True, timeout=300)
    report = None
    if os.path.exists(os.path.join(out, "report.json")):
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
        REPORT_SCHEMA.validate(report)
        report.pop("source")
    return proc, report


class Reuse(unittest.TestCase):
    def test_anchors_and_merge_keys_equal_the_scenario_written_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            expanded, want = run(tmp, "expanded", EXPANDED)
            anchored, got = run(tmp, "anchored", WITH_ANCHORS)
            self.assertEqual(expanded.returncode, 0, expanded.stderr)
            self.assertEqual(anchored.returncode, 0, anchored.stderr)
            self.assertEqual(len(want["checks"]), 4)  # 2 expect, 2 capacity
            self.assertEqual(got, want)


def validate(tmp, text, *args):
    path = os.path.join(tmp, "case.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    proc = subprocess.run([ROUTERSIM, "validate", path, *args], capture_output=True, text=True,
                          timeout=60)
    return path, proc


class Overrides(unittest.TestCase):
    def test_set_equals_the_file_edited_by_hand(self):
        edited = EXPANDED.replace("    replicas: 2\n", "    replicas: 4\n").replace(
            "    rate: 40/s\n", "    rate: 30/s\n").replace("{deployment: b, replicas: 3}",
                                                          "{deployment: b, replicas: 1}")
        self.assertNotEqual(edited, EXPANDED)
        with tempfile.TemporaryDirectory() as tmp:
            by_hand, want = run(tmp, "edited", edited)
            overridden, got = run(tmp, "overridden", EXPANDED,
                                  "--set", "deployments.b.replicas=4",
                                  "--set", "traffic.0.rate=99/s",  # the last one wins
                                  "--set", "traffic.0.rate=30/s",
                                  "--set", "timeline.0.scale.replicas=1")
            self.assertEqual(overridden.returncode, by_hand.returncode, overridden.stderr)
            self.assertEqual(got, want)

    def test_set_adds_a_key(self):
        with tempfile.TemporaryDirectory() as tmp:
            _, proc = validate(tmp, EXPANDED, "--set", "window=1m")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            edited = EXPANDED.replace("duration: 20m\n", "duration: 20m\nwindow: 1m\n")
            _, want = run(tmp, "edited", edited)
            _, got = run(tmp, "overridden", EXPANDED, "--set", "window=1m")
            self.assertEqual(got["window_s"], 60)
            self.assertEqual(got, want)

    def test_errors_name_the_override(self):
        cases = [
            (["--set", "traffic.0.rate=fast"], ": --set traffic.0.rate=fast: rate: expected a rate"),
            (["--set", "deployments.c.replicas=1"],
             ": --set deployments.c.replicas=1: expected an index or the id of an item"),
            (["--set", "traffic.3.rate=1/s"], ": --set traffic.3.rate=1/s: expected an index below 1"),
            (["--set", "checks.alfa=0.1"], ": --set checks.alfa=0.1: unknown key \"alfa\""),
            (["--set", "deployments.a.replicas=-1"], ": --set deployments.a.replicas=-1: "),
            (["--set", "window=1m", "--set", "duration=[1"],
             ": --set duration=[1: expected a YAML value after '='"),
            # found once the file is read (the YAML tree is gone then): still named
            (["--set", "traffic.0={router: nope, rate: 1/s}"],
             ": --set traffic.0={router: nope, rate: 1/s}: router \"nope\" never exists"),
        ]
        with tempfile.TemporaryDirectory() as tmp:
            for args, message in cases:
                for command in ("validate", "run"):
                    path = os.path.join(tmp, "case.yaml")
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(EXPANDED)
                    out = os.path.join(tmp, "out")
                    proc = subprocess.run([ROUTERSIM, command, path, *args, "--out", out],
                                          capture_output=True, text=True, timeout=60)
                    self.assertEqual(proc.returncode, 2, proc.stderr)
                    self.assertTrue(proc.stderr.startswith(f"routersim: {path}{message}"),
                                    proc.stderr)
                    self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
                    self.assertFalse(os.path.exists(out), "nothing simulated")

    def test_malformed_set_is_bad_usage(self):
        with tempfile.TemporaryDirectory() as tmp:
            _, proc = validate(tmp, EXPANDED, "--set", "replicas")
            self.assertEqual(proc.returncode, 2)
            self.assertIn("--set replicas: expected KEY.PATH=VALUE", proc.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
