# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the JSON Schemas in docs/ (draft 2020-12) against what routersim reads and
writes, with Debian's python3-jsonschema. Both schemas are valid schemas; every bundled
scenario validates against docs/scenario.schema.json; the report.json of a run of every
bundled scenario validates against docs/report.schema.json; and every invalid scenario of
e2e_invalid.py, which the loader refuses, is refused by the scenario schema too, except
the listed ones whose rule a schema cannot express (each must still pass the schema, so the
list stays true).

Usage: e2e_schemas.py ROUTERSIM SOURCE_DIR
"""
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import jsonschema
import yaml

ROUTERSIM = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
DOCS = os.path.join(SOURCE, "docs")

# Invalid scenarios whose rule is beyond a schema: references between entries, times and
# intervals against the duration, sums, and what only a run of the timeline shows.
INEXPRESSIBLE = {
    "router_unknown_deployment": "a reference to another entry",
    "router_single_region_deployment": "the region of the deployment a router names",
    "duplicate_deployment_ids": "unique ids across entries",
    "duplicate_router_ids": "unique ids across entries",
    "min_above_max": "a comparison of two values",
    "event_after_duration": "a time against the duration",
    "unparsable_firectl": "the firectl grammar",
    "command_invalid_at_its_time": "the world at the event's time",
    "delete_deployment_behind_router": "the world at the event's time",
    "traffic_to_unknown_router": "a reference to another entry",
    "too_many_requests": "rate x duration summed",
    "other_account_full_name": "an account against the scenario's account",
    "expect_shares_over_one": "a sum of values",
    "expect_interval_backwards": "a comparison of two values",
    "duplicate_key": "duplicate mapping keys (JSON data keeps one of them)",
    "timeline_misspelled_deployment": "a reference to another entry",
    "timeline_misspelled_router": "a reference to another entry",
    "timeline_unknown_name_without_a_near_one": "a reference to another entry",
    "command_before_its_router_exists": "the world at the event's time",
}


def load_schema(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def invalid_cases():
    """e2e_invalid.py's CASES, imported as that test defines them."""
    spec = importlib.util.spec_from_file_location(
        "e2e_invalid", os.path.join(SOURCE, "tests", "e2e_invalid.py"))
    module = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, [sys.argv[0], ROUTERSIM, SOURCE]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = argv
    return module.CASES


def errors(validator, document):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


class ScenarioSchema(unittest.TestCase):
    validator = load_schema("scenario.schema.json")

    def test_bundled_scenarios_validate(self):
        paths = sorted(glob.glob(os.path.join(SOURCE, "scenarios", "*.yaml")))
        self.assertGreater(len(paths), 5)
        for path in paths:
            with open(path, encoding="utf-8") as f:
                self.assertEqual(errors(self.validator, yaml.safe_load(f)), [], path)

    def test_the_format_references_examples_validate(self):
        """Every YAML example of docs/scenario-format.md: a complete scenario as written, a
        fragment in place of the same sections of the first complete one (as e2e_docs loads
        them)."""
        with open(os.path.join(DOCS, "scenario-format.md"), encoding="utf-8") as f:
            text = f.read()
        fence = re.compile(r"^```([a-z]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
        first, checked = None, 0
        for m in fence.finditer(text):
            if m.group(1) != "yaml":
                continue
            line = text.count("\n", 0, m.start()) + 1
            block = yaml.safe_load(m.group(2))
            if not isinstance(block, dict):
                continue
            if "name" in block:
                first = first or block
                document = block
            else:
                self.assertIsNotNone(first, f"line {line}: a fragment before any scenario")
                document = dict(first, **block)
            self.assertEqual(errors(self.validator, document), [], f"scenario-format.md:{line}")
            checked += 1
        self.assertGreater(checked, 5)

    def test_what_the_loader_refuses_the_schema_refuses(self):
        accepted_by_schema = set()
        for name, (text, _, _) in invalid_cases().items():
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "case.yaml")
                with open(path, "wb") as f:
                    f.write(text if isinstance(text, bytes) else text.encode())
                proc = subprocess.run([ROUTERSIM, "validate", path], capture_output=True,
                                      timeout=60)
                self.assertEqual(proc.returncode, 2, name)
            try:
                document = yaml.safe_load(text)
            except (yaml.YAMLError, ValueError, RecursionError):
                continue  # not YAML to a YAML reader either: refused before any schema
            if not errors(self.validator, document):
                accepted_by_schema.add(name)
        expressible = accepted_by_schema - set(INEXPRESSIBLE)
        self.assertEqual(expressible, set(), "the schema accepts what the loader refuses")
        stale = {n for n in INEXPRESSIBLE if n in invalid_cases()} - accepted_by_schema
        self.assertEqual(stale, set(), "the schema refuses these now: drop them from the list")


class ReportSchema(unittest.TestCase):
    validator = load_schema("report.schema.json")

    def test_reports_of_every_bundled_scenario_validate(self):
        with tempfile.TemporaryDirectory() as tmp:
            for path in sorted(glob.glob(os.path.join(SOURCE, "scenarios", "*.yaml"))):
                out = os.path.join(tmp, os.path.basename(path))
                plots = [] if path.endswith("ab-test.yaml") else ["--no-plots"]
                proc = subprocess.run([ROUTERSIM, "run", path, "--quiet", "--out", out, *plots],
                                      capture_output=True, text=True, timeout=600)
                self.assertIn(proc.returncode, (0, 1), proc.stderr)
                with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
                    report = json.load(f)
                self.assertEqual(errors(self.validator, report), [], path)
                if not plots:
                    self.assertTrue(report["plots"] or "plots_note" in report)

    def test_format_version_is_the_writers(self):
        """The schema's format_version, the one report_json.h declares and the one a report
        carries are one number."""
        schema = self.validator.schema["properties"]["format_version"]["const"]
        with open(os.path.join(SOURCE, "reports", "report_json.h"), encoding="utf-8") as f:
            declared = int(re.search(r"#define REPORT_JSON_FORMAT_VERSION (\d+)", f.read()).group(1))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            subprocess.run([ROUTERSIM, "run", os.path.join(SOURCE, "scenarios", "ab-test.yaml"),
                            "--quiet", "--no-plots", "--out", out], check=True, timeout=600)
            with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
                emitted = json.load(f)["format_version"]
        self.assertEqual((schema, declared), (emitted, emitted))

class PlanSchemas(unittest.TestCase):
    """plan.json of `plan capacity` (docs/plan.schema.json) and of `plan migration`
    (docs/migration-plan.schema.json), each when a plan is found, with what its verdict hangs
    on, and when none is."""
    capacity = load_schema("plan.schema.json")
    migration = load_schema("migration-plan.schema.json")
    FAST = ["--pass-rate", "0.7", "--replications", "40", "--jobs", "2"]

    def plan(self, tmp, kind, path, *flags):
        out = os.path.join(tmp, kind + str(len(os.listdir(tmp))))
        proc = subprocess.run([ROUTERSIM, "plan", kind, path, *self.FAST, "--out", out, *flags],
                              capture_output=True, text=True, timeout=600)
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        with open(os.path.join(out, "plan.json"), encoding="utf-8") as f:
            return proc.returncode, json.load(f)

    def test_capacity(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.yaml")
            with open(os.path.join(SOURCE, "scenarios", "plan-capacity.yaml")) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text + "uncertainty:\n  traffic.0.profile.1.rate: {low: 30/s, high: 60/s}\n")
            rc, found = self.plan(tmp, "capacity", path)
            self.assertEqual(rc, 0)
            self.assertIsNotNone(found["uncertainty"])
            rc, none = self.plan(tmp, "capacity", path, "--max-replicas", "2")
            self.assertEqual(rc, 1)
            for report in (found, none):
                self.assertEqual(errors(self.capacity, report), [])
            # the schema is not vacuous: a report without its verdict is refused
            del found["found"]
            self.assertNotEqual(errors(self.capacity, found), [])

    def test_migration(self):
        small = os.path.join(SOURCE, "tests", "data", "plan-migration-small.yaml")
        flags = ["--router", "r", "--from", "v1", "--to", "v2", "--steps", "50,100"]
        with tempfile.TemporaryDirectory() as tmp:
            rc, holds = self.plan(tmp, "migration", small, *flags)
            self.assertEqual(rc, 0)
            self.assertIsNotNone(holds["uncertainty"])
            rc, none = self.plan(tmp, "migration", small, *flags, "--max-replicas", "2")
            self.assertEqual(rc, 1)
            for report in (holds, none):
                self.assertEqual(errors(self.migration, report), [])
            holds["steps"][0]["share"] = 2
            self.assertNotEqual(errors(self.migration, holds), [])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
