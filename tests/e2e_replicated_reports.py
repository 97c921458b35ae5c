# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: what a replicated run (--replications N) writes for people and CI, on
scenarios whose outcome is known: a broken router fails its phase test in every replication,
the docs' migration passes in every one. The figures are checked against values computed
here, independently: Clopper-Pearson ends in closed form when all or none pass, seeds by
SplitMix64, means and standard deviations from replications.csv, t-intervals with Student's
quantiles from the standard table. Without --replications nothing changes.

Usage: e2e_replicated_reports.py ROUTERSIM SOURCE_DIR
"""
import csv
import html.parser
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SOURCE, "scenarios")
JUNIT_XSD = os.path.join(SOURCE, "tests", "junit.xsd")

# Student's t quantile t(0.975; df) from the standard table (e.g. NIST/SEMATECH e-Handbook,
# table 1.3.6.7.2): the 95 % interval's factor.
T975 = {3: 3.182446305, 4: 2.776445105}


def run(*args, cwd=None):
    return subprocess.run([ROUTERSIM, "run", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def splitmix_seed(seed, index):
    """replicate.h's seed of replication `index`, from SplitMix64's definition."""
    if index == 0:
        return seed
    mask = (1 << 64) - 1
    z = (seed + index * 0x9E3779B97F4A7C15) & mask
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & mask
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & mask
    z ^= z >> 31
    return z >> 1


def percent(x):
    return "%.2f%%" % (100 * x)


def number(cell):
    """A figure of the reports' tables back as a number ("89,856.8" -> 89856.8)."""
    return float(cell.replace(",", ""))


def md_row(md, first_cell):
    """The cells of the markdown table row whose first cell is first_cell."""
    for line in md.splitlines():
        if line.startswith("| %s |" % first_cell):
            return [c.strip() for c in line.strip("|").split(" | ")]
    raise AssertionError("no row %r in report.md" % first_cell)


class Tables(html.parser.HTMLParser):
    """The rows of report.html's tables by table id, and whether the page holds a section."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.ids, self.table, self.row = {}, set(), None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "table":
            self.table = attrs.get("id")
            self.rows[self.table] = []
        elif tag == "tr" and self.table:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.row.append("")

    def handle_endtag(self, tag):
        if tag == "tr" and self.row is not None:
            self.rows[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.row:
            self.row[-1] += data


class Replicated(unittest.TestCase):
    scenario, replications, extra = None, 0, ()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.out = os.path.join(cls.tmp, "out")
        # one thread: what is tested here is the reports, not the threads (e2e_replications)
        cls.proc = run(os.path.join(SCENARIOS, cls.scenario), "--replications",
                       str(cls.replications), "--jobs", "1", "--out", cls.out, "--quiet",
                       *cls.extra)
        with open(os.path.join(cls.out, "replications.csv"), encoding="utf-8", newline="") as f:
            cls.rows = list(csv.DictReader(f))
        with open(os.path.join(cls.out, "report.md"), encoding="utf-8") as f:
            cls.md = f.read()
        with open(os.path.join(cls.out, "report.html"), encoding="utf-8") as f:
            cls.html = f.read()
        cls.page = Tables()
        cls.page.feed(cls.html)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def junit(self):
        path = os.path.join(self.out, "junit.xml")
        proc = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, path],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return ET.parse(path).getroot().find("testsuite")

    def assert_rows_and_seeds(self, seed, passed):
        n = self.replications
        self.assertEqual([int(r["index"]) for r in self.rows], list(range(n)))
        self.assertEqual([int(r["seed"]) for r in self.rows],
                         [splitmix_seed(seed, i) for i in range(n)])
        self.assertEqual({r["passed"] for r in self.rows}, {"1" if passed else "0"})
        table = self.page.rows["replicated-rows"][1:]
        self.assertEqual([(int(r[0]), int(r[1])) for r in table],
                         [(int(r["index"]), int(r["seed"])) for r in self.rows])
        self.assertEqual(md_row(self.md, "1")[1], self.rows[1]["seed"])

    def assert_mean_sd_interval(self, first_cell, column):
        """A figure's row in report.md against its values in replications.csv."""
        values = [int(r[column]) for r in self.rows]
        n = len(values)
        mean = sum(values) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        half = T975[n - 1] * sd / math.sqrt(n)
        cells = md_row(self.md, first_cell)
        low, high = (number(x) for x in cells[3].strip("[]").split(", "))
        self.assertAlmostEqual(number(cells[1]), mean, delta=0.051)
        self.assertAlmostEqual(number(cells[2]), sd, delta=0.051)
        self.assertAlmostEqual(low, mean - half, delta=0.051)
        self.assertAlmostEqual(high, mean + half, delta=0.051)
        self.assertEqual((number(cells[4]), number(cells[5])), (min(values), max(values)))
        self.assertEqual(int(cells[6]), n)

    def assert_self_contained(self):
        proc = subprocess.run(["xmllint", "--noout", os.path.join(self.out, "report.html")],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for attribute, _ in re.findall(r'([\w:]+)="(https?://[^"]*)"', self.html):
            self.assertTrue(attribute.startswith("xmlns"), attribute)
        for pattern in ("<script", "<link", "<img", "<iframe", "@import", "url(http"):
            self.assertNotIn(pattern, self.html)


class BrokenRouterFailsEveryReplication(Replicated):
    scenario, replications = "broken-router.yaml", 4

    def test_verdict_and_rate(self):
        self.assertEqual(self.proc.returncode, 1, self.proc.stderr)
        self.assertIn("**FAILED**: 4 of 4 replications failed; every one must pass\n", self.md)
        self.assertIn("## Replications\n", self.md)
        # none of 4: the upper end is 1 - (0.025)^(1/4), in closed form
        upper = percent(1 - 0.025 ** (1 / 4))
        self.assertEqual(upper, "60.24%")
        self.assertIn("- **Passed:** 0 of 4 replications, pass rate 0.00%% [0.00%%, %s]" % upper,
                      self.md)
        self.assertEqual(md_row(self.md, "split of canary-router from 0s"),
                         ["split of canary-router from 0s", "0 of 4",
                          "0.00%% [0.00%%, %s]" % upper, "0", "**FAIL**"])
        tests = self.page.rows["replicated-tests"]
        self.assertEqual(tests[1], ["split of canary-router from 0s", "0 of 4",
                                    "0.00%% [0.00%%, %s]" % upper, "0", "FAIL"])
        self.assertIn("replications" , self.page.ids)
        self.assert_self_contained()

    def test_rows_seeds_and_rerun(self):
        self.assert_rows_and_seeds(11, passed=False)
        command = "routersim run %s --seed 11" % os.path.join(SCENARIOS, "broken-router.yaml")
        self.assertIn("`%s`" % command, self.md)
        # the command reruns replication 0 alone, failing as it did
        again = run(os.path.join(SCENARIOS, "broken-router.yaml"), "--seed", self.rows[1]["seed"],
                    "--out", os.path.join(self.tmp, "again"), "--quiet", "--no-plots")
        self.assertEqual(again.returncode, 1)
        with open(os.path.join(self.tmp, "again", "junit.xml"), encoding="utf-8") as f:
            self.assertIn('value="%s"' % self.rows[1]["seed"], f.read())

    def test_figures(self):
        self.assert_mean_sd_interval("total requests", "requests")

    def test_junit(self):
        suite = self.junit()
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("2", "2"))
        case = suite.find("testcase[@name='split of canary-router from 0s']")
        self.assertEqual(case.get("classname"), "broken-router.split")
        self.assertIn("failed in 4 of 4 replications", case.find("failure").get("message"))
        self.assertIn("[0.00%, 60.24%]", case.find("failure").get("message"))
        run_case = suite.find("testcase[@name='replications']")
        self.assertEqual(run_case.find("failure").get("message"),
                         "FAILED: 4 of 4 replications failed; every one must pass")

    def test_bands(self):
        with open(os.path.join(self.out, "split-canary-router.svg"), encoding="utf-8") as f:
            svg = f.read()
        for text in ("across 4 replications", "canary 5-95%", "canary median",
                     "stable 5-95%", "expected share (replicas)"):
            self.assertIn(text, svg)


class MigrationPassesEveryReplication(Replicated):
    scenario, replications, extra = "docs-migration.yaml", 5, ("--no-plots",)

    def test_verdict_rate_and_checks(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIn("**PASSED**: all 5 replications passed\n", self.md)
        # all of 5: the lower end is (0.025)^(1/5), in closed form
        lower = percent(0.025 ** (1 / 5))
        self.assertEqual(lower, "47.82%")
        self.assertIn("- **Passed:** 5 of 5 replications, pass rate 100.00%% [%s, 100.00%%]"
                      % lower, self.md)
        for name in ("split of my-router from 10m", "split of my-router from 20m"):
            self.assertEqual(md_row(self.md, name)[1:], ["5 of 5", "100.00%% [%s, 100.00%%]"
                                                         % lower, "0", "pass"])
        self.assertNotIn("**FAIL**", self.md)
        self.assert_self_contained()

    def test_rows_and_figures(self):
        self.assert_rows_and_seeds(42, passed=True)
        self.assert_mean_sd_interval("total requests", "requests")

    def test_junit(self):
        suite = self.junit()
        self.assertEqual(suite.get("failures"), "0")
        cases = suite.findall("testcase")
        self.assertEqual(int(suite.get("tests")), len(cases))
        self.assertEqual(cases[-1].get("name"), "replications")
        for case in cases:
            self.assertIn("passed in 5 of 5 replications", case.find("system-out").text)


class RequiredRate(Replicated):
    """pass_rate 0.5 over 5 replications: all pass, yet the lower end 47.82% is below 50%,
    so every item and the run fail by the rule."""
    scenario, replications, extra = "docs-migration.yaml", 5, ("--no-plots", "--pass-rate",
                                                               "0.5")

    def test_fails_by_the_rule(self):
        self.assertEqual(self.proc.returncode, 1, self.proc.stderr)
        self.assertIn("**FAILED**: the pass rate's lower bound 47.82% is below the required "
                      "50.00%", self.md)
        self.assertEqual(md_row(self.md, "split of my-router from 10m")[4], "**FAIL**")
        suite = self.junit()
        self.assertEqual(suite.get("failures"), suite.get("tests"))


class RerunWithOverrides(Replicated):
    """The rerun command carries the run's --set overrides, quoted for a shell."""
    scenario, replications = "broken-router.yaml", 2
    extra = ("--no-plots", "--set", "description=it's the override")

    def test_rerun_command_reproduces_the_run(self):
        scenario = os.path.join(SCENARIOS, "broken-router.yaml")
        command = ("routersim run %s --seed 11 --set 'description=it'\\''s the override'"
                   % scenario)
        self.assertIn("`%s`" % command, self.md)
        out = os.path.join(self.tmp, "again")
        again = subprocess.run([ "sh", "-c", command.replace("routersim", ROUTERSIM, 1) +
                                " --out '%s' --quiet --no-plots" % out],
                               capture_output=True, text=True, timeout=600)
        self.assertEqual(again.returncode, 1, again.stderr)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["description"], "it's the override")


class StoppedSequentially(Replicated):
    """--sequential with every replication required: the first failing one decides."""
    scenario, replications, extra = "broken-router.yaml", 10, ("--no-plots", "--sequential")

    def test_says_how_many_it_took(self):
        self.assertEqual(self.proc.returncode, 1, self.proc.stderr)
        self.assertEqual(len(self.rows), 1)
        self.assertIn("1 independent replication of at most 10 (the sequential rule decided "
                      "after 1).", self.md)
        self.assertIn("sequential: stops at the first failing replication", self.md)
        self.assertIn("1 independent replication of at most 10", self.html)


class ManyReplications(Replicated):
    """Over 100 replications the reports list only the failing ones; here none fail."""
    scenario, replications, extra = "stable-alias.yaml", 101, ("--no-plots",)

    def test_only_failing_listed(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(len(self.rows), 101)
        self.assertIn("All 101 replications passed; each, with its seed, is in "
                      "replications.csv.", self.md)
        self.assertNotIn("replicated-rows", self.page.rows)
        self.assertIn("--seed 3`", self.md)


class CapacityBands(Replicated):
    """With serving models, the utilization and latency plots draw each deployment's band."""
    scenario, replications = "migration-capacity.yaml", 2

    def svg(self, stem):
        with open(os.path.join(self.out, stem + ".svg"), encoding="utf-8") as f:
            return f.read()

    def test_bands_on_capacity_plots(self):
        for dep in ("current-deployment", "new-deployment"):
            self.assertIn(dep + " 5-95%", self.svg("utilization"))
            self.assertIn(dep + " median", self.svg("utilization"))
            self.assertIn(dep + " p99 5-95%", self.svg("latency"))
        self.assertIn("across 2 replications", self.svg("latency"))
        self.assertNotIn("5-95%", self.svg("queue"))  # replication 0's, as in a single run
        self.assertNotIn("5-95%", self.svg("replicas"))


class WithoutReplications(unittest.TestCase):
    """No --replications, or one: the reports of a single run, byte for byte."""

    def test_same_files(self):
        tmp = tempfile.mkdtemp()
        try:
            outs = [os.path.join(tmp, "a"), os.path.join(tmp, "b")]
            scenario = os.path.join(SCENARIOS, "broken-router.yaml")
            run(scenario, "--out", outs[0], "--quiet")
            run(scenario, "--out", outs[1], "--quiet", "--replications", "1")
            names = sorted(os.listdir(outs[0]))
            self.assertEqual(names, sorted(os.listdir(outs[1])))
            self.assertNotIn("replications.csv", names)
            for name in names:
                with open(os.path.join(outs[0], name), "rb") as a, \
                        open(os.path.join(outs[1], name), "rb") as b:
                    data = a.read()
                    self.assertEqual(data, b.read(), name)
                if name.endswith((".md", ".html", ".xml")):
                    self.assertNotIn(b"eplications", data, name)
                if name.endswith(".svg"):
                    self.assertNotIn(b"5-95%", data, name)
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
