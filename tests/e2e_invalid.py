# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: every kind of invalid scenario is refused by `routersim validate` and `run`
with exit status 2, nothing simulated, and an error that names FILE:LINE:COL and what was
expected. One test per case.

Usage: e2e_invalid.py ROUTERSIM SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile
import time
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])

BASE = """\
name: t
account: acme
duration: 10m
deployments:
  - id: a
    replicas: 2
  - id: b
    replicas: 1
routers:
  - id: r
    deployments: [a, b]
traffic:
  - router: r
    rate: 10/s
"""


def with_lines(replacements=None, append=""):
    """BASE with some lines (1-based) replaced, plus text appended."""
    lines = BASE.splitlines()
    for number, text in (replacements or {}).items():
        lines[number - 1] = text
    return "\n".join(lines) + "\n" + append


# name -> (scenario text or bytes, "LINE:COL", substring of the message)
CASES = {
    "router_without_deployments": (with_lines({11: "    deployments: []"}), "11:18",
                                   "at least one deployment"),
    "router_unknown_deployment": (with_lines({11: "    deployments: [a, c]"}), "10:5",
                                  "deployment \"c\" never exists in this scenario"),
    "router_single_region_deployment": (
        with_lines({6: "    region: us-iowa-1"}, ""), "10:5", "multi-region"),
    "duplicate_deployment_ids": (with_lines({7: "  - id: a"}), "7:5",
                                 "deployment \"a\" already exists"),
    "duplicate_router_ids": (BASE.replace("traffic:", "  - id: r\n    deployments: [a]\ntraffic:"),
                             "12:5", "router \"r\" already exists"),
    "negative_replicas": (with_lines({6: "    replicas: -1"}), "6:15", "replicas"),
    "min_above_max": (with_lines({6: "    min_replica_count: 3\n    max_replica_count: 2"}),
                      "5:5", "--min-replica-count (3) <= --max-replica-count (2)"),
    "unknown_key_typo": (with_lines({6: "    replica: 2"}), "6:5",
                         "unknown key \"replica\" in a deployment"),
    "unknown_top_level_key": (BASE + "seeds: 3\n", "15:1", "unknown key \"seeds\""),
    "missing_required_key": (BASE.replace("duration: 10m\n", ""), "1:1",
                             "missing the key \"duration\""),
    "event_after_duration": (BASE + "timeline:\n  - at: 11m\n    run: firectl router delete r\n",
                             "16:9", "within the scenario's duration"),
    "negative_event_time": (BASE + "timeline:\n  - at: -1s\n    run: firectl router delete r\n",
                            "16:9", "duration"),
    "unparsable_firectl": (BASE + "timeline:\n  - at: 1m\n    run: firectl router explode r\n",
                           "17:", "expected"),
    "not_firectl": (BASE + "timeline:\n  - at: 1m\n    run: kubectl scale r\n", "17:", "firectl"),
    "command_invalid_at_its_time": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl router delete r\n"
        "  - at: 2m\n    run: firectl router update r --deployments=a\n",
        "19:10", "router \"r\" does not exist at this time"),
    "unquoted_comma_in_flow_mapping": (
        BASE + "timeline:\n  - {at: 1m, run: firectl router update r --deployments=a,b}\n",
        "16:", "quote"),
    "delete_deployment_behind_router": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl deployment delete a\n", "17:10",
        "still behind router \"r\""),
    "traffic_to_unknown_router": (with_lines({13: "  - router: s"}), "13:5",
                                  "router \"s\" never exists in this scenario; "
                                  "did you mean \"r\"?"),
    "timeline_misspelled_router": (
        BASE.replace("id: r\n", "id: my-router\n").replace("router: r\n", "router: my-router\n")
        + "timeline:\n  - at: 1m\n    run: firectl router update my-ruoter --deployments=a\n",
        "17:10", "at 1m: router \"my-ruoter\" never exists in this scenario; "
        "did you mean \"my-router\"?"),
    "timeline_misspelled_deployment": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl router update r --deployments=a,bb\n",
        "17:10", "deployment \"bb\" never exists in this scenario; did you mean \"b\"?"),
    "timeline_unknown_name_without_a_near_one": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl deployment scale far-away --replica-count=1\n",
        "17:10", "deployment \"far-away\" never exists in this scenario\n"),
    "command_before_its_router_exists": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl router delete late\n"
        "  - at: 2m\n    run: firectl router create --router-id=late --deployments=a\n",
        "17:10", "router \"late\" does not exist at this time"),
    "bad_duration_unit": (with_lines({3: "duration: 10 minutes"}), "3:11", "duration"),
    "absurd_duration": (with_lines({3: "duration: 1e300"}), "3:11", "duration"),
    "absurd_replicas": (with_lines({6: "    replicas: 1e30"}), "6:15", "replicas"),
    "absurd_rate": (with_lines({14: "    rate: 1e20/s"}), "14:11", "rate"),
    "too_many_requests": (with_lines({3: "duration: 300d", 14: "    rate: 1000000/s"}), "13:5",
                          "requests"),
    "bad_id": (with_lines({5: "  - id: Model_A"}), "5:9", "id"),
    "display_name_too_long": (with_lines({11: "    deployments: [a, b]\n    display_name: " + "x" * 256}),
                              "12:19", "display_name: expected at most 255 bytes, got 256"),
    "display_name_control_character": (
        with_lines({11: '    deployments: [a, b]\n    display_name: "two\\nlines"'}), "12:19",
        "display_name: expected text without control characters"),
    "other_account_full_name": (with_lines({13: "  - router: accounts/other/routers/r"}),
                                "13:13", "acme"),
    "expect_shares_over_one": (
        BASE + "checks:\n  expect:\n    - router: r\n      share: {a: 0.7, b: 0.5}\n", "18:14",
        "add up to at most 1"),
    "expect_interval_backwards": (
        BASE + "checks:\n  expect:\n    - router: r\n      during: [5m, 1m]\n"
        "      share: {a: 0.5}\n", "18:15", "start < end"),
    "alpha_out_of_range": (BASE + "checks:\n  alpha: 1.5\n", "16:10", "alpha"),
    "malformed_yaml": ("name: t\naccount: [acme\nduration: 10m\n", "", "flow sequence"),
    "bad_indentation": ("name: t\n  account: acme\n", "2:10", "mapping values are not allowed"),
    "duplicate_key": (BASE + "name: again\n", "15:1", "duplicate key \"name\""),
    "empty_file": ("", "", "empty"),
    "comment_only_file": ("# nothing here\n", "", "empty"),
    "root_not_a_mapping": ("- a\n- b\n", "1:1", "mapping"),
    "binary_garbage": (bytes(range(256)) * 4, "", ""),
    "deep_nesting": ("a: " + "[" * 10000 + "]" * 10000 + "\n", "", "levels of nesting"),
    "alias_bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                   + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)},"
                             f" *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)),
                   "", "alias"),
    "two_documents": (BASE + "---\nname: u\n", "", "document"),
}


class Invalid(unittest.TestCase):
    pass


def make_test(text, position, message):
    def test(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "case.yaml")
            with open(path, "wb") as f:
                f.write(text if isinstance(text, bytes) else text.encode())
            for command in (["validate", path],
                            ["run", path, "--out", os.path.join(tmp, "out"), "--no-plots"]):
                started = time.monotonic()
                proc = subprocess.run([ROUTERSIM, *command], capture_output=True, timeout=60)
                stderr = proc.stderr.decode(errors="replace")
                self.assertLess(time.monotonic() - started, 10, "must not hang")
                self.assertEqual(proc.returncode, 2, stderr)
                self.assertEqual(proc.stdout, b"")
                self.assertTrue(stderr.startswith(f"routersim: {path}:{position}"), stderr)
                self.assertRegex(stderr, rf"^routersim: {path}:\d+:\d+: ")
                self.assertIn(message, stderr)
                self.assertEqual(stderr.count("\n"), 1, "one clear line")
            self.assertFalse(os.path.exists(os.path.join(tmp, "out")), "nothing written")
    return test


TRACE_SCENARIO = BASE.replace("    rate: 10/s\n", "    trace: trace.csv\n")


class InvalidTrace(unittest.TestCase):
    """A trace's problems point into the trace; a missing trace, at the scenario's line."""

    def refuse(self, trace, where, message):
        with tempfile.TemporaryDirectory() as tmp:
            scenario = os.path.join(tmp, "case.yaml")
            with open(scenario, "w") as f:
                f.write(TRACE_SCENARIO)
            if trace is not None:
                with open(os.path.join(tmp, "trace.csv"), "w") as f:
                    f.write(trace)
            proc = subprocess.run([ROUTERSIM, "validate", scenario], capture_output=True,
                                  text=True, timeout=60)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            expected_file = scenario if where.startswith("scenario") else os.path.join(tmp, "trace.csv")
            position = where.split(":", 1)[1]
            self.assertTrue(proc.stderr.startswith(f"routersim: {expected_file}:{position}: "),
                            proc.stderr)
            self.assertIn(message, proc.stderr)

    def test_missing_trace_points_at_the_scenario(self):
        self.refuse(None, "scenario:13:5", "expected a readable trace file")

    def test_bad_header_points_into_the_trace(self):
        self.refuse("tim\n1\n", "trace:1:1", "expected a column named time")

    def test_unknown_router_points_into_the_trace(self):
        self.refuse("time,router\n1,r\n2,nope\n", "trace:3:3",
                    "router \"nope\" never exists in this scenario")

    def test_out_of_order_points_into_the_trace(self):
        self.refuse("time\n5\n4\n", "trace:3:1", "time order")


for case, (text, position, message) in CASES.items():
    setattr(Invalid, "test_" + case, make_test(text, position, message))

if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
