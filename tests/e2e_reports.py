# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the reports and plots of real runs, checked the way their readers use them:
CI reads junit.xml against the JUnit schema, notebooks add up the CSV files, people open the
plots, report.md and report.html (here in headless Chromium). Text a user typed, gnuplot
missing or failing, and --no-plots must not break any of it.

Usage: e2e_reports.py ROUTERSIM SOURCE_DIR
"""
import csv
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SOURCE, "scenarios")
JUNIT_XSD = os.path.join(SOURCE, "tests", "junit.xsd")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

REPORTS = ["report.json", "report.md", "report.html", "junit.xml", "timeseries.csv",
           "requests.csv", "load.csv"]
GNUPLOT_MISSING = "routersim: warning: gnuplot not found: plots skipped; install gnuplot-nox"

# A scenario whose name and description hold what breaks careless writers.
AWKWARD_NAME = 'Mig "q" \'s\' <b>&amp; ünï — 漢字 🚀 | *x* _y_ `z` [l](u)\nline two, 3'
AWKWARD_DESCRIPTION = ('Line "1" <script>alert(1)</script> & co.\n# not a heading\n'
                       '1. not a list\n- not a list | pipe, comma </table>')
AWKWARD = """name: {name}
description: {description}
account: my-account
seed: 5
duration: 10m
window: 30s
deployments:
  - id: alpha
    replicas: 3
  - id: beta
    replicas: 1
routers:
  - id: edge
    display_name: "Edge <&> \\"router\\""
    deployments: [alpha, beta]
traffic:
  - router: edge
    rate: 20/s
timeline:
  - at: 5m
    run: firectl deployment scale beta --replica-count 3
checks:
  expect:
    - router: edge
      during: [0s, 5m]
      share: {{alpha: 0.75, beta: 0.25}}
      tolerance: 0.05
"""


def run(*args, env=None):
    return subprocess.run([ROUTERSIM, *args], capture_output=True, text=True, timeout=120,
                          env=env)


def duration(seconds):
    """A duration the way the reports write it (whole seconds are enough here)."""
    s = int(round(seconds))
    if s == 0:
        return "0s"
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s else "")


def short(name):
    return name.rsplit("/", 1)[-1]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    assert head[12:16] == b"IHDR", f"{path}: IHDR is not the first chunk"
    return struct.unpack(">II", head[16:24])


def png_pixels(path):
    """Decode an 8-bit RGB or RGBA PNG, the kind Chromium writes: (width, height, rows)."""
    with open(path, "rb") as f:
        data = f.read()
    width, height = struct.unpack(">II", data[16:24])
    depth, colour = data[24], data[25]
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
    channels = 3 if colour == 2 else 4
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(row[x:x + 3]) for x in range(0, stride, channels)])
        prev = row
    return width, height, rows


class Page(html.parser.HTMLParser):
    """The parts of report.html a reader looks for, and whether its tags nest properly."""
    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.ids, self.phase_bodies, self.svg_in_split = {}, 0, 0
        self.text_by_tag, self.h1_name, self.in_name = [], "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
        if tag == "tbody" and "phase" in attrs.get("class", "").split():
            self.phase_bodies += 1
        if tag == "svg" and any(t == "figure" and i.startswith("plot-split-")
                                for t, i in self.stack):
            self.svg_in_split += 1
        if tag == "span" and attrs.get("class") == "name":
            self.in_name = True
        if tag not in self.VOID:
            self.stack.append((tag, attrs.get("id", "")))

    def handle_startendtag(self, tag, attrs):
        if "id" in dict(attrs):
            self.ids[dict(attrs)["id"]] = tag

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag == "span":
            self.in_name = False

    def handle_data(self, data):
        if self.in_name:
            self.h1_name += data
        self.text_by_tag.append(data)


def parse_page(text):
    page = Page()
    page.feed(text)
    page.close()
    return page


def chromium(url, tmp, *flags):
    assert os.path.exists(CHROMIUM), "chromium not found: scripts/setup.sh --test installs it"
    profile = tempfile.mkdtemp(dir=tmp)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}", *flags, url],
        capture_output=True, text=True, timeout=90)


class Run(unittest.TestCase):
    """One scenario run into a temporary folder, with its report.json loaded."""
    scenario = None
    extra = ()
    env = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.out = os.path.join(cls.tmp, "out")
        cls.proc = run("run", cls.scenario_path(), "--out", cls.out, "--quiet", *cls.extra,
                       env=cls.env)
        with open(os.path.join(cls.out, "report.json"), encoding="utf-8") as f:
            cls.report = json.load(f)

    @classmethod
    def scenario_path(cls):
        return os.path.join(SCENARIOS, cls.scenario)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def path(self, name):
        return os.path.join(self.out, name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as f:
            return f.read()

    def csv_rows(self, name):
        with open(self.path(name), encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def assert_schema_valid(self):
        proc = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, self.path("junit.xml")],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def assert_junit_counts(self):
        suites = ET.parse(self.path("junit.xml")).getroot()
        suite = suites.find("testsuite")
        phases, checks = self.report["phases"], self.report["checks"]
        failed = sum(p["verdict"] == "fail" for p in phases) + sum(not c["passed"] for c in checks)
        skipped = sum(p["verdict"] == "skipped" for p in phases)
        for element in (suites, suite):
            self.assertEqual(int(element.get("tests")), len(phases) + len(checks))
            self.assertEqual(int(element.get("failures")), failed)
            self.assertEqual(int(element.get("skipped")), skipped)
            self.assertEqual(int(element.get("errors")), 0)
        cases = suite.findall("testcase")
        self.assertEqual(len(cases), len(phases) + len(checks))
        self.assertEqual(len(suite.findall("testcase/failure")), failed)
        self.assertEqual(len(suite.findall("testcase/skipped")), skipped)
        self.assertEqual(suite.get("name"), self.report["scenario"])
        names = [c.get("name") for c in cases]
        for check in checks:
            self.assertIn(check["name"], names)
        for case in suite.findall("testcase[failure]"):
            self.assertTrue(case.find("failure").get("message"), case.get("name"))
        return suite

    def assert_no_temporary_files(self):
        leftovers = [f for f in os.listdir(self.out) if ".tmp-" in f]
        self.assertEqual(leftovers, [])


class DocsMigration(Run):
    scenario = "docs-migration.yaml"

    def test_run_and_files(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(self.proc.stderr, "")
        for name in REPORTS + ["split-my-router.png", "split-my-router.svg",
                               "sequential-my-router.png", "sequential-my-router.svg",
                               "replicas.png", "replicas.svg", "requests.png", "requests.svg"]:
            self.assertTrue(os.path.getsize(self.path(name)) > 0, name)
        self.assert_no_temporary_files()

    def test_same_seed_same_files(self):
        again = os.path.join(self.tmp, "again")
        proc = run("run", self.scenario_path(), "--out", again, "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(os.listdir(again)), sorted(os.listdir(self.out)))
        for name in os.listdir(self.out):
            with open(self.path(name), "rb") as a, open(os.path.join(again, name), "rb") as b:
                self.assertTrue(a.read() == b.read(), f"{name} differs between two runs")

    def test_plots_listed_in_report_json(self):
        plots = self.report["plots"]
        self.assertEqual([p["kind"] for p in plots],
                         ["split", "sequential", "replicas", "requests"])
        self.assertEqual(plots[0]["router"], "accounts/my-account/routers/my-router")
        self.assertEqual(plots[0]["png"], "split-my-router.png")
        self.assertEqual(plots[1]["router"], "accounts/my-account/routers/my-router")
        self.assertEqual(plots[1]["png"], "sequential-my-router.png")
        self.assertNotIn("plots_note", self.report)
        for plot in plots:
            self.assertEqual(png_size(self.path(plot["png"])), (1280, 640))
            svg = ET.parse(self.path(plot["svg"])).getroot()
            self.assertTrue(svg.tag.endswith("svg"))
            text = " ".join(t for t in svg.itertext())
            if plot["kind"] not in ("requests", "sequential"):
                self.assertIn("current-deployment", text)
                self.assertIn("new-deployment", text)

    def test_sequential_plot_of_a_correct_router(self):
        svg = self.read("sequential-my-router.svg")
        # one line per phase with two deployments, alpha drawn, nothing marked as reached
        for phase in self.report["phases"]:
            label = "phase [%s, %s)" % (duration(phase["start_s"]), duration(phase["end_s"]))
            self.assertEqual(label in svg, len(phase["deployments"]) > 1, label)
            self.assertFalse(phase["sequential"]["crossed"])
        self.assertIn("alpha 0.001", svg)
        self.assertNotIn("reached alpha", svg)

    def test_split_plot_reads_like_the_docs(self):
        svg = self.read("split-my-router.svg")
        # the expected split of each phase, in order, above the plot
        labels = [s for s in ("100/0", "80/20", "20/80", "0/100") if f">{s}<" in svg]
        self.assertEqual(labels, ["100/0", "80/20", "20/80", "0/100"])
        self.assertLess(svg.index(">80/20<"), svg.index(">20/80<"))

    def test_junit_valid_and_counts_match(self):
        self.assert_schema_valid()
        suite = self.assert_junit_counts()
        names = [c.get("name") for c in suite.findall("testcase")]
        self.assertIn("split of my-router during [10m, 20m)", names)

    def test_csv_adds_up_to_report_json(self):
        rows = self.csv_rows("timeseries.csv")
        self.assertEqual(list(rows[0]), ["bin", "start_s", "end_s", "router", "deployment",
                                         "routed", "router_routed", "observed_share",
                                         "expected_share", "replicas"])
        self.assertEqual(sum(int(r["routed"]) for r in rows), self.report["requests"]["routed"])
        for phase in self.report["phases"]:
            inside = [r for r in rows if r["router"] == phase["router"]
                      and float(r["start_s"]) >= phase["start_s"]
                      and float(r["end_s"]) <= phase["end_s"]]
            self.assertEqual(sum(int(r["routed"]) for r in inside), phase["requests"], phase)
            for dep in phase["deployments"]:
                self.assertEqual(sum(int(r["routed"]) for r in inside
                                     if r["deployment"] == dep["name"]), dep["observed"])
        for r in rows:
            if int(r["router_routed"]):
                self.assertAlmostEqual(float(r["observed_share"]),
                                       int(r["routed"]) / int(r["router_routed"]), places=9)
        requests = self.csv_rows("requests.csv")
        self.assertEqual(sum(int(r["arrivals"]) for r in requests),
                         self.report["requests"]["total"])

    def test_timeseries_in_report_json_matches_csv(self):
        series = self.report["timeseries"]
        self.assertEqual(series["window_s"], 30)
        self.assertEqual(series["bins"], 80)
        rows = self.csv_rows("timeseries.csv")
        self.assertEqual(len(series["split"]), len(rows))
        for point, row in zip(series["split"], rows):
            self.assertEqual(point["routed"], int(row["routed"]))
            self.assertEqual(point["deployment"], row["deployment"])

    def test_markdown_phase_table(self):
        md = self.read("report.md")
        self.assertIn("# docs-migration\n", md)
        self.assertIn("**PASSED**", md)
        for phase in self.report["phases"]:
            deps = phase["deployments"]
            n = phase["requests"]
            row = "| {} | [{}, {}) | {} | {} | {} | {} | {:,} | {:.4g} | {} | {:.4g} | {} |".format(
                short(phase["router"]), duration(phase["start_s"]), duration(phase["end_s"]),
                " / ".join(short(d["name"]) for d in deps),
                " / ".join(str(d["replicas"]) for d in deps),
                " / ".join("%.2f%%" % (100 * d["expected_share"]) for d in deps),
                " / ".join("%.2f%%" % (100 * d["observed"] / n) for d in deps),
                n, phase["chi2"], phase["df"], phase["p_value"], phase["verdict"])
            self.assertIn(row + "\n", md)
        for plot in self.report["plots"]:
            self.assertIn("](%s)" % plot["png"], md)

    def test_html_in_a_browser(self):
        proc = chromium("file://" + self.path("report.html"), self.tmp, "--dump-dom")
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        page = parse_page(proc.stdout)
        self.assertEqual(page.ids.get("phase-table"), "table")
        self.assertEqual(page.phase_bodies, len(self.report["phases"]))
        self.assertEqual(page.ids.get("plot-split-my-router"), "figure")
        self.assertEqual(page.ids.get("plot-sequential-my-router"), "figure")
        self.assertEqual(page.svg_in_split, 1)
        text = "".join(page.text_by_tag)
        for phase in self.report["phases"]:
            self.assertIn("[%s, %s)" % (duration(phase["start_s"]), duration(phase["end_s"])),
                          text)

        shot = os.path.join(self.tmp, "shot.png")
        proc = chromium("file://" + self.path("report.html"), self.tmp,
                        "--force-device-scale-factor=0.5", "--window-size=1280,1100",
                        f"--screenshot={shot}")
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        width, height, rows = png_pixels(shot)
        self.assertEqual((width, height), (640, 550))
        # The split plot is drawn, in its deployments' colours, in the first screen.
        blue = sum(1 for row in rows for (r, g, b) in row if b - r > 50 and 80 < r < 140)
        orange = sum(1 for row in rows for (r, g, b) in row
                     if r > 210 and 120 < g < 190 and b < 120)
        self.assertGreater(blue, 10000)
        self.assertGreater(orange, 5000)

    def test_html_is_self_contained(self):
        page = self.read("report.html")
        # the only addresses are XML namespace names; nothing is fetched
        for attribute, _ in re.findall(r'([\w:]+)="(https?://[^"]*)"', page):
            self.assertTrue(attribute.startswith("xmlns"), attribute)
        for pattern in ("<script", "<link", "<img", "<iframe", "@import", "url(http"):
            self.assertNotIn(pattern, page)
        proc = subprocess.run(["xmllint", "--noout", self.path("report.html")],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)


class CiGateFails(Run):
    scenario = "ci-gate-fails.yaml"

    def test_failures_reach_every_report(self):
        self.assertEqual(self.proc.returncode, 1)
        self.assert_schema_valid()
        suite = self.assert_junit_counts()
        failure = suite.find("testcase[@name='max_failed_requests']/failure")
        self.assertIn("router_not_found", failure.get("message"))
        self.assertIn("| max_failed_requests | **FAIL** |", self.read("report.md"))
        self.assertEqual(len([p for p in self.report["plots"] if p["kind"] == "split"]), 2)

    def test_requests_csv_adds_up_by_reason(self):
        rows = self.csv_rows("requests.csv")
        req = self.report["requests"]
        self.assertEqual(sum(int(r["arrivals"]) for r in rows), req["total"])
        self.assertEqual(sum(int(r["routed"]) for r in rows), req["routed"])
        for reason, count in req["failed_by_reason"].items():
            self.assertEqual(sum(int(r["failed_" + reason]) for r in rows), count)
        for r in rows:
            self.assertEqual(int(r["arrivals"]), int(r["routed"]) + int(r["failed"]))


class BrokenRouter(Run):
    """A router that over-serves its canary: the sequential plot shows where the test, watched
    as the requests came, first rejected."""
    scenario = "broken-router.yaml"

    def test_sequential_plot_marks_the_crossing(self):
        self.assertEqual(self.proc.returncode, 1)
        (phase,) = self.report["phases"]
        seq = phase["sequential"]
        self.assertTrue(seq["crossed"])
        # the look that reached alpha, by the report's own list of looks
        first = next(look for look in seq["looks"] if look[2] <= self.report["alpha"])
        self.assertEqual(first[0], seq["crossed_at_s"])
        plot = next(p for p in self.report["plots"] if p["kind"] == "sequential")
        self.assertEqual(plot["svg"], "sequential-canary-router.svg")
        svg = self.read(plot["svg"])
        self.assertIn("reached alpha at %s" % duration(seq["crossed_at_s"]), svg)
        self.assertIn("reached alpha: the test rejects", svg)
        self.assertEqual(svg.count("reached alpha at "), 1)
        self.assertIn("](sequential-canary-router.png)", self.read("report.md"))
        self.assertIn('id="plot-sequential-canary-router"', self.read("report.html"))


class AwkwardText(Run):
    """Quotes, <, &, non-ASCII and line breaks in the name and description."""

    @classmethod
    def scenario_path(cls):
        path = os.path.join(cls.tmp, "awkward.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(AWKWARD.format(name=json.dumps(AWKWARD_NAME, ensure_ascii=False),
                                   description=json.dumps(AWKWARD_DESCRIPTION,
                                                          ensure_ascii=False)))
        return path

    def test_json(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(self.proc.stderr, "")
        self.assertEqual(self.report["scenario"], AWKWARD_NAME)
        self.assertEqual(self.report["description"], AWKWARD_DESCRIPTION)

    def test_xml(self):
        self.assert_schema_valid()
        suite = self.assert_junit_counts()
        self.assertEqual(suite.get("name"), AWKWARD_NAME)
        for case in suite.findall("testcase"):
            self.assertTrue(case.get("classname").startswith(AWKWARD_NAME + "."))
        for plot in self.report["plots"]:
            ET.parse(self.path(plot["svg"]))

    def test_html(self):
        text = self.read("report.html")
        proc = subprocess.run(["xmllint", "--noout", self.path("report.html")],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        page = parse_page(text)
        self.assertEqual(page.errors, [])
        self.assertEqual(page.stack, [])
        self.assertEqual(page.h1_name, AWKWARD_NAME)
        self.assertNotIn("<script>", text)
        proc = chromium("file://" + self.path("report.html"), self.tmp, "--dump-dom")
        self.assertEqual(parse_page(proc.stdout).h1_name, AWKWARD_NAME)

    def test_csv(self):
        for name in ("timeseries.csv", "requests.csv", "load.csv"):
            with open(self.path(name), encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f, strict=True))
            self.assertTrue(all(len(r) == len(rows[0]) for r in rows), name)

    def test_markdown(self):
        md = self.read("report.md")
        heading = md.split("\n", 1)[0]
        self.assertTrue(heading.startswith("# Mig \"q\" 's' \\<b\\>\\&amp; ünï — 漢字 🚀 \\| "))
        self.assertNotIn("<script>", md)
        self.assertNotIn("\n# not a heading", md)
        self.assertNotIn("\n1. not a list", md)
        self.assertNotIn("\n- not a list", md)
        table = [l for l in md.splitlines() if l.startswith("| edge |")]
        self.assertEqual(len(table), len(self.report["phases"]))
        for line in table:
            self.assertEqual(line.count(" | "), 10, line)


class NoPlots(Run):
    scenario = "docs-migration.yaml"
    extra = ("--no-plots",)

    def test_no_plot_files(self):
        self.assertEqual(self.proc.returncode, 0)
        self.assertEqual(self.proc.stderr, "")
        self.assertEqual(sorted(os.listdir(self.out)), sorted(REPORTS))
        self.assertEqual(self.report["plots"], [])
        self.assertIn("--no-plots", self.report["plots_note"])
        self.assertNotIn("<svg", self.read("report.html"))
        self.assertNotIn(".png)", self.read("report.md"))


def env_with_path(path):
    env = dict(os.environ)
    env["PATH"] = path
    return env


class GnuplotMissing(Run):
    scenario = "ci-gate-fails.yaml"
    env = env_with_path("/nonexistent")

    def test_one_warning_every_report_same_exit_status(self):
        self.assertEqual(self.proc.returncode, 1)  # the scenario's own verdict
        # --quiet: the warning, then each failed check on one line of its own
        failed = [f"routersim: FAIL {c['name']}: " for c in self.report["checks"]
                  if not c["passed"]]
        lines = self.proc.stderr.splitlines()
        self.assertEqual(lines[0], GNUPLOT_MISSING)
        self.assertTrue(failed)
        self.assertEqual(len(lines), 1 + len(failed), lines)
        for line, start in zip(lines[1:], failed):
            self.assertTrue(line.startswith(start) and len(line) > len(start), line)
        self.assertEqual(sorted(os.listdir(self.out)), sorted(REPORTS))
        self.assertEqual(self.report["plots"], [])
        self.assertIn("gnuplot", self.report["plots_note"])
        self.assert_schema_valid()


class GnuplotFails(Run):
    scenario = "docs-migration.yaml"

    @classmethod
    def setUpClass(cls):
        cls.bin = tempfile.mkdtemp()
        with open(os.path.join(cls.bin, "gnuplot"), "w") as f:
            f.write("#!/bin/sh\ncat >/dev/null\necho 'line 7: unknown terminal type' >&2\n"
                    "exit 1\n")
        os.chmod(os.path.join(cls.bin, "gnuplot"), 0o755)
        cls.env = env_with_path(cls.bin + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.bin)
        super().tearDownClass()

    def test_errors_reported_reports_written(self):
        self.assertEqual(self.proc.returncode, 0)
        warnings = self.proc.stderr.splitlines()
        self.assertEqual(warnings, [
            f"routersim: warning: plot {stem} not drawn: line 7: unknown terminal type"
            for stem in ("split-my-router", "sequential-my-router", "replicas", "requests")])
        self.assertEqual(sorted(os.listdir(self.out)), sorted(REPORTS))
        self.assertIn("could not be drawn", self.report["plots_note"])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
