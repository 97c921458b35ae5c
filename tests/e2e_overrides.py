# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: reuse and overrides. A scenario written with anchors, aliases and merge keys
gives the same report.json as the same scenario written out by hand.

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


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
