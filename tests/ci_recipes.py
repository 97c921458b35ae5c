# SPDX-License-Identifier: GPL-3.0-or-later
"""The CI recipes of docs/ci.md, exercised: the GitHub Actions job's and the GitLab CI job's
commands, read from the document, run as the CI would run them against a staged install of
routersim, in a private repository with scenarios. The install commands are checked for
shell syntax only (the install tests cover the install itself).

Usage: ci_recipes.py STAGED_BINDIR SOURCE_DIR
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import jsonschema
import yaml

BINDIR = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])


def recipes():
    with open(os.path.join(SOURCE, "docs", "ci.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```yaml\n(.*?)```", f.read(), re.S)
    docs = [yaml.safe_load(b) for b in blocks]
    github = [d for d in docs if "jobs" in d]
    gitlab = [d for d in docs if "jobs" not in d]
    assert len(github) == 1 and len(gitlab) == 1, "expected one job for each CI"
    return github[0]["jobs"]["routersim"], gitlab[0]["routersim"]


class Repository:
    """A private checkout with scenarios/ and the staged routersim first on PATH."""

    def __init__(self, scenarios, extra=None):
        self.dir = tempfile.mkdtemp(prefix="routersim-ci-")
        os.mkdir(os.path.join(self.dir, "scenarios"))
        for name in scenarios:
            shutil.copy(os.path.join(SOURCE, "scenarios", name), os.path.join(self.dir, "scenarios"))
        for name, text in (extra or {}).items():
            with open(os.path.join(self.dir, "scenarios", name), "w", encoding="utf-8") as f:
                f.write(text)
        self.env = dict(os.environ, PATH=BINDIR + os.pathsep + os.environ["PATH"])

    def run(self, script):
        """One CI step: bash -e -o pipefail, as both CIs run a script."""
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                              cwd=self.dir, env=self.env, capture_output=True, text=True)

    def found(self, pattern):
        return sorted(glob.glob(os.path.join(self.dir, pattern)))

    def reports_valid(self):
        """Every report.json the gate wrote validates against docs/report.schema.json."""
        with open(os.path.join(SOURCE, "docs", "report.schema.json"), encoding="utf-8") as f:
            validator = jsonschema.Draft202012Validator(json.load(f))
        reports = self.found("routersim-out/*/report.json")
        for path in reports:
            with open(path, encoding="utf-8") as f:
                errors = [e.message for e in validator.iter_errors(json.load(f))]
            assert not errors, f"{path}: {errors}"
        return len(reports)

    def close(self):
        shutil.rmtree(self.dir)


PASSING = ["ab-test.yaml", "stable-alias.yaml"]


class GitHubActions(unittest.TestCase):
    def setUp(self):
        self.job, _ = recipes()
        self.steps = self.job["steps"]

    def gate(self, repo):
        """The job's run steps after the install, in order, stopping at the first failure
        (later steps without an `if` are skipped, as GitHub does). Returns its exit status."""
        install = [s for s in self.steps if s.get("name") == "Install routersim"]
        self.assertEqual(len(install), 1)
        for step in self.steps[self.steps.index(install[0]) + 1:]:
            if "run" not in step:
                continue
            out = repo.run(step["run"])
            if out.returncode != 0:
                return out.returncode
        return 0

    def uploads(self):
        junit = [s for s in self.steps if "action-junit-report" in s.get("uses", "")]
        artifact = [s for s in self.steps if "upload-artifact" in s.get("uses", "")]
        self.assertEqual((len(junit), len(artifact)), (1, 1))
        for step in junit + artifact:
            self.assertIn("!cancelled()", step.get("if", ""), "uploads must run on failure too")
        return junit[0]["with"]["report_paths"], artifact[0]["with"]["path"]

    def test_install_commands_parse(self):
        install = [s for s in self.steps if s.get("name") == "Install routersim"][0]["run"]
        self.assertIn("cmake --install", install)
        out = subprocess.run(["bash", "-n", "-c", install], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_gate_passes_and_uploads(self):
        repo = Repository(PASSING)
        try:
            self.assertEqual(self.gate(repo), 0)
            junit, html = self.uploads()
            self.assertEqual(len(repo.found(junit)), 2)
            self.assertEqual(len(repo.found(html)), 2)
        finally:
            repo.close()

    def test_gate_fails_on_a_failed_check_and_still_uploads(self):
        repo = Repository(PASSING + ["ci-gate-fails.yaml"])
        try:
            self.assertEqual(self.gate(repo), 1)
            junit, html = self.uploads()
            self.assertEqual(len(repo.found(junit)), 3)
            self.assertEqual(len(repo.found(html)), 3)
            self.assertEqual(repo.reports_valid(), 3)
            failed = [p for p in repo.found(junit) if "<failure" in open(p, encoding="utf-8").read()]
            self.assertEqual([os.path.basename(os.path.dirname(p)) for p in failed], ["ci-gate-fails"])
        finally:
            repo.close()

    def test_gate_fails_on_an_invalid_scenario_before_running(self):
        repo = Repository(PASSING, {"typo.yaml": "name: typo\nduraton: 10m\n"})
        try:
            self.assertEqual(self.gate(repo), 2)
            self.assertEqual(repo.found("routersim-out"), [])
        finally:
            repo.close()


class GitLabCI(unittest.TestCase):
    def setUp(self):
        _, self.job = recipes()

    def gate(self, repo):
        """The job's script, line after line in one shell that stops at a failure."""
        out = repo.run("\n".join(self.job["script"]))
        return out.returncode

    def uploads(self):
        artifacts = self.job["artifacts"]
        self.assertEqual(artifacts["when"], "always")
        return artifacts["reports"]["junit"], artifacts["paths"]

    def test_install_commands_parse(self):
        before = self.job["before_script"]
        self.assertTrue(any("cmake --install" in c for c in before))
        for command in before:
            out = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, command + ": " + out.stderr)

    def test_gate_passes_and_uploads(self):
        repo = Repository(PASSING)
        try:
            self.assertEqual(self.gate(repo), 0)
            junit, paths = self.uploads()
            self.assertEqual(len(repo.found(junit)), 2)
            self.assertEqual(sum(len(repo.found(p)) for p in paths), 2)
        finally:
            repo.close()

    def test_gate_fails_on_a_failed_check_and_still_uploads(self):
        repo = Repository(PASSING + ["ci-gate-fails.yaml"])
        try:
            self.assertEqual(self.gate(repo), 1)
            junit, paths = self.uploads()
            self.assertEqual(len(repo.found(junit)), 3)
            self.assertEqual(sum(len(repo.found(p)) for p in paths), 3)
            self.assertEqual(repo.reports_valid(), 3)
        finally:
            repo.close()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
