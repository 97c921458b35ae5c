# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: what the reports and plots add for deployments with a serving model, checked
the way their readers use them. The overloaded migration must show its 20m overload in the
summary, the plots, report.md, report.html and junit.xml; load.csv must add up to
report.json; an autoscaled run's decisions must read well in the timeline; and a scenario
without serving models must show nothing about capacity.

Usage: e2e_capacity_reports.py ROUTERSIM SOURCE_DIR
"""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_reports as base  # noqa: E402  (shares ROUTERSIM and SOURCE from sys.argv)

LOAD_COLUMNS = ["bin", "start_s", "end_s", "deployment", "replicas", "ready", "arrived",
                "started", "completed", "rejected", "timed_out", "waited", "utilization",
                "mean_waiting", "max_waiting", "mean_wait_s", "mean_latency_s", "p50_s", "p90_s",
                "p99_s", "throughput_per_s", "unfinished", "p95_s", "p999_s", "wait_p50_s",
                "wait_p90_s", "wait_p95_s", "wait_p99_s", "wait_p999_s", "caller_count",
                "caller_mean_s", "caller_p50_s", "caller_p90_s", "caller_p95_s", "caller_p99_s",
                "caller_p999_s", "ttft_count", "ttft_mean_s", "ttft_p50_s", "ttft_p90_s",
                "ttft_p95_s", "ttft_p99_s", "ttft_p999_s", "tpot_count", "tpot_mean_s",
                "tpot_p50_s", "tpot_p90_s", "tpot_p95_s", "tpot_p99_s", "tpot_p999_s",
                "prompt_tokens", "output_tokens", "prompt_tokens_per_s", "output_tokens_per_s",
                "iterations", "mean_batch_size", "mean_kv_occupancy", "max_kv_occupancy"]
COUNTS = ["arrived", "started", "completed", "rejected", "timed_out", "waited"]
CAPACITY_KINDS = ["utilization", "latency", "queue"]


def short(name):
    return name.rsplit("/", 1)[-1]


class Overload(base.Run):
    """The docs' runbook with cold starts: both deployments overload from 20m to 22m."""
    scenario = "migration-overload.yaml"

    def test_summary_names_the_overload(self):
        self.assertEqual(self.proc.returncode, 1, self.proc.stderr)
        # --quiet prints only why the gate failed, a line per failed check
        self.assertTrue(self.proc.stderr)
        for line in self.proc.stderr.splitlines():
            self.assertTrue(line.startswith("routersim: FAIL "), line)
        proc = base.run("run", self.scenario_path(), "--out", os.path.join(self.tmp, "again"),
                        "--no-plots")
        out = proc.stdout
        capacity = out.index("\nCapacity (deployments with a serving model; peak and worst of "
                             "the 30s windows)\n")
        self.assertLess(out.index("\nRouter "), capacity)
        self.assertLess(capacity, out.index("\nChecks\n"))
        for load in self.report["loads"]:
            row = [l for l in out[capacity:].splitlines()
                   if l.startswith("  " + short(load["deployment"]) + " ")]
            self.assertEqual(len(row), 1, out)
            self.assertIn("%.1f%%" % (100 * load["utilization"]), row[0])
            self.assertIn("100.0% in [20m, 20m30s)", row[0])
            self.assertIn("{:,}".format(load["rejected"]), row[0])

    def test_first_saturated_window_is_at_20m(self):
        for load in self.report["loads"]:
            bins = [p for p in self.report["timeseries"]["load"]
                    if p["deployment"] == load["deployment"] and p["utilization"] >= 0.9995]
            self.assertEqual(bins[0]["start_s"], 1200)

    def test_capacity_plots_drawn_and_listed(self):
        kinds = [p["kind"] for p in self.report["plots"]]
        self.assertEqual(kinds, ["split", "sequential", "replicas", "requests"] + CAPACITY_KINDS)
        lost = sum(l["rejected"] + l["timed_out"] for l in self.report["loads"])
        self.assertGreater(lost, 0)
        for plot in self.report["plots"][1:]:
            if plot["kind"] in ("requests", "sequential"):
                continue
            self.assertEqual(base.png_size(self.path(plot["png"])), (1280, 640))
            text = " ".join(ET.parse(self.path(plot["svg"])).getroot().itertext())
            for load in self.report["loads"]:
                self.assertIn(short(load["deployment"]), text, plot["svg"])
            if plot["kind"] in ("utilization", "queue"):
                self.assertIn("requests rejected or timed out ({:,})".format(lost), text)
        replicas = " ".join(ET.parse(self.path("replicas.svg")).getroot().itertext())
        self.assertIn("replicas wanted, not yet ready (dashed)", replicas)
        self.assert_no_temporary_files()

    def test_load_csv_adds_up_to_report_json(self):
        rows = self.csv_rows("load.csv")
        self.assertEqual(list(rows[0]), LOAD_COLUMNS)
        points = self.report["timeseries"]["load"]
        self.assertEqual(len(rows), len(points))
        for row, point in zip(rows, points):
            self.assertEqual(row["deployment"], point["deployment"])
            self.assertEqual(int(row["bin"]), point["bin"])
            for key in COUNTS + ["replicas", "ready", "max_waiting", "unfinished"]:
                self.assertEqual(int(row[key]), point[key], key)
            self.assertEqual(int(row["caller_count"]), point["caller"]["count"])
            self.assertAlmostEqual(float(row["utilization"]), point["utilization"], places=9)
            if point["started"]:
                self.assertAlmostEqual(float(row["p99_s"]), point["p99_s"], places=9)
                self.assertAlmostEqual(float(row["wait_p99_s"]), point["wait"]["p99_s"], places=9)
                self.assertAlmostEqual(float(row["caller_p999_s"]), point["caller"]["p999_s"],
                                       places=9)
            else:
                self.assertEqual(row["p99_s"], "")
        for load in self.report["loads"]:
            mine = [r for r in rows if r["deployment"] == load["deployment"]]
            for key in COUNTS:
                self.assertEqual(sum(int(r[key]) for r in mine), load[key], key)
        self.assertEqual(sum(int(r["arrived"]) for r in rows), self.report["requests"]["routed"])

    def test_markdown_capacity_section(self):
        md = self.read("report.md")
        section = md[md.index("\n## Capacity\n"):md.index("\n## Failures by reason\n")]
        for load in self.report["loads"]:
            row = [l for l in section.splitlines()
                   if l.startswith("| %s | " % short(load["deployment"]))]
            self.assertEqual(len(row), 1)
            cells = [c.strip() for c in row[0].strip("|").split("|")]
            self.assertEqual(len(cells), 15)
            self.assertEqual(cells[1], "%.1f%%" % (100 * load["utilization"]))
            self.assertEqual(cells[9], "{:,}".format(load["completed"]))
            self.assertEqual(cells[10], "{:,}".format(load["rejected"]))
            self.assertEqual(cells[11], "{:,}".format(load["timed_out"]))
            self.assertEqual(cells[13], "{:,}".format(load["unfinished"]))
        for kind in CAPACITY_KINDS:
            self.assertIn("](%s.png)" % kind, section)
        self.assertIn("| Observed share | Utilization | p99 latency | Requests |", md)
        overload = [l for l in md.splitlines() if l.startswith("| my-router | [20m, 22m) |")]
        self.assertEqual(len(overload), 1)
        self.assertIn("| 100.0% / 100.0% |", overload[0])

    def test_html_capacity_section_in_a_browser(self):
        proc = base.chromium("file://" + self.path("report.html"), self.tmp, "--dump-dom")
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        page = base.parse_page(proc.stdout)
        self.assertEqual(page.errors, [])
        self.assertEqual(page.ids.get("capacity"), "section")
        self.assertEqual(page.ids.get("capacity-table"), "table")
        for kind in CAPACITY_KINDS:
            self.assertEqual(page.ids.get("plot-" + kind), "figure")
        self.assertEqual(proc.stdout.count("<svg"), len(self.report["plots"]))
        text = "".join(page.text_by_tag)
        self.assertIn("100.0% in [20m, 20m30s)", text)

    def test_junit_reads_like_a_diagnosis(self):
        self.assert_schema_valid()
        suite = self.assert_junit_counts()
        failures = [c.find("failure").get("message") for c in suite.findall("testcase[failure]")]
        utilization = [m for m in failures if "utilization" in m]
        self.assertEqual(len(utilization), 1)
        for load in self.report["loads"]:
            self.assertIn(short(load["deployment"]) + ": utilization", utilization[0])
        table = suite.find("system-out").text
        self.assertTrue(table.startswith("Capacity (deployments with a serving model"))
        self.assertIn("100.0% in [20m, 20m30s)", table)


class Autoscaled(base.Run):
    """Autoscaler decisions and cold starts read as events in the timeline."""
    scenario = "ab-autoscaled-daily.yaml"

    def test_timeline_lists_the_platforms_changes(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        events = [e["command"] for e in self.report["events"]]
        self.assertTrue(any(e.startswith("autoscaler: ") for e in events))
        self.assertTrue(any("cold start" in e for e in events))
        md = self.read("report.md")
        timeline = md[md.index("\n## Timeline\n"):md.index("\n## Files\n")]
        self.assertIn("the autoscaler's decisions and replicas ready after their cold start",
                      timeline)
        self.assertIn("| At | Event |", timeline)
        self.assertEqual(timeline.count("\n| "), len(events) + 2)  # with heading and rule
        page = base.parse_page(self.read("report.html"))
        text = "".join(page.text_by_tag)
        for event in events:
            self.assertIn(event, text)

    def test_wanted_replicas_drawn(self):
        kinds = [p["kind"] for p in self.report["plots"]]
        self.assertEqual(kinds[-3:], CAPACITY_KINDS)
        replicas = " ".join(ET.parse(self.path("replicas.svg")).getroot().itertext())
        self.assertIn("replicas wanted, not yet ready (dashed)", replicas)
        utilization = " ".join(ET.parse(self.path("utilization.svg")).getroot().itertext())
        self.assertNotIn("rejected or timed out", utilization)  # nothing was lost


class NoServingModel(base.Run):
    """Routing only: nothing about capacity anywhere."""
    scenario = "docs-migration.yaml"

    def test_no_capacity_anywhere(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(self.report["loads"], [])
        self.assertEqual([p["kind"] for p in self.report["plots"]],
                         ["split", "sequential", "replicas", "requests"])
        for kind in CAPACITY_KINDS:
            self.assertFalse(os.path.exists(self.path(kind + ".png")), kind)
        with open(self.path("load.csv"), encoding="utf-8", newline="") as f:
            self.assertEqual(f.read(), ",".join(LOAD_COLUMNS) + "\r\n")
        for name in ("report.md", "report.html", "junit.xml"):
            self.assertNotIn("Capacity", self.read(name), name)
        self.assertNotIn("Utilization", self.read("report.md"))
        self.assertNotIn("wanted", self.read("replicas.svg"))
        proc = base.run("run", self.scenario_path(), "--out", os.path.join(self.tmp, "again"),
                        "--no-plots")
        self.assertNotIn("Capacity", proc.stdout)


if __name__ == "__main__":
    base.unittest.main(argv=[sys.argv[0], "-v"])
