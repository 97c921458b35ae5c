# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: reports that scale. A fleet of 1,000 routers x 4 deployments writes reports
well under 64 MiB by default (bounded detail) while every router's phase is still judged
and a failing router is among those shown; `--detail full` writes every row, and the
bounded rows add up to it; a bundled scenario's reports are the same either way. Request
counts are small: the report's size depends on bins x routers x deployments, not requests.

Usage: e2e_fleet.py ROUTERSIM SOURCE_DIR
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

import jsonschema

ROUTERSIM = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
OTHER = "(other)"


def scenario(path, routers, per, rate, window=None, fault=None):
    out = ["name: fleet", "account: acme", "seed: 5", "duration: 10s"]
    if window:
        out.append(f"window: {window}")
    out.append("deployments:")
    for r in range(routers):
        out += [f"  - {{id: d{r}-{k}, replicas: {1 + k % 4}}}" for k in range(per)]
    out.append("routers:")
    for r in range(routers):
        out.append(f"  - {{id: r{r}, deployments: [" +
                   ", ".join(f"d{r}-{k}" for k in range(per)) + "]}")
    out.append("traffic:")
    for r in range(routers):
        out.append(f"  - {{router: r{r}, rate: {rate(r)}/s}}")
    if fault is not None:
        out += ["faults:", f"  - router: r{fault}",
                f"    skew: {{deployment: d{fault}-0, shift: 0.6}}"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def run(tmp, name, *args):
    out = os.path.join(tmp, name)
    proc = subprocess.run([ROUTERSIM, "run", *args, "--quiet", "--no-plots", "--out", out],
                          capture_output=True, text=True, check=False)
    return proc, out


def folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Fleet(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="routersim-fleet-")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp], check=False)

    def test_fleet_writes_well_under_64_mib_and_judges_every_router(self):
        # 1,000 routers at 10/s, 200 bins; r537 at 8/s (the least busy) with a skewed split
        path = os.path.join(self.tmp, "fleet.yaml")
        scenario(path, 1000, 4, lambda r: 8 if r == 537 else 10, fault=537)
        proc, out = run(self.tmp, "out", path)
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        size = folder_bytes(out)
        self.assertLess(size, 32 << 20, f"{size} bytes of reports")
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
        with open(os.path.join(SOURCE, "docs", "report.schema.json"), encoding="utf-8") as f:
            jsonschema.validate(report, json.load(f))
        self.assertEqual(len(report["phases"]), 1000)  # every router is still judged
        failed = {p["router"] for p in report["phases"] if p["verdict"] == "fail"}
        self.assertIn("accounts/acme/routers/r537", failed)
        ts = report["timeseries"]
        shown = {row["router"] for row in ts["split"]}
        self.assertEqual(len(shown), 20)
        self.assertLessEqual(failed if len(failed) <= 20 else set(), shown)
        self.assertEqual(ts["bounded"]["routers_shown"], 20)
        self.assertEqual(ts["bounded"]["routers"], 1000)
        self.assertEqual(ts["bounded"]["other_routers"], 1000 - 20)
        # the callers' rows, "(other)" included, still add up to every request
        self.assertEqual(sum(row["arrivals"] for row in ts["requests"]),
                         report["requests"]["total"])
        others = [row for row in ts["requests"] if row["router"] == OTHER]
        self.assertEqual(len(others), ts["bins"])
        self.assertEqual(len(rows(os.path.join(out, "timeseries.csv"))), len(ts["split"]))
        self.assertEqual(len(rows(os.path.join(out, "requests.csv"))), len(ts["requests"]))

    def test_full_detail_writes_every_row_and_bounded_rows_add_up_to_it(self):
        # 25 routers x 12 deployments over 5 bins: over both thresholds
        path = os.path.join(self.tmp, "wide.yaml")
        scenario(path, 25, 12, lambda r: 100 + 10 * r, window="2s")
        proc, bounded_out = run(self.tmp, "bounded", path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc, full_out = run(self.tmp, "full", path, "--detail", "full")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(bounded_out, "report.json"), encoding="utf-8") as f:
            bounded = json.load(f)
        with open(os.path.join(full_out, "report.json"), encoding="utf-8") as f:
            full = json.load(f)
        self.assertNotIn("bounded", full["timeseries"])
        self.assertEqual(len(full["timeseries"]["split"]), 25 * 12 * 5)
        self.assertEqual(len(rows(os.path.join(full_out, "timeseries.csv"))), 25 * 12 * 5)
        self.assertFalse(any(r["deployment"] == OTHER for r in full["timeseries"]["split"]))
        self.assertEqual(len(full["timeseries"]["requests"]), 25 * 5)
        self.assertEqual(full["phases"], bounded["phases"])
        # bounded: the 20 busiest routers (the last 20), 10 deployments each plus "(other)"
        split = bounded["timeseries"]["split"]
        self.assertEqual(len(split), 20 * 11 * 5)
        self.assertEqual({r["router"] for r in split},
                         {f"accounts/acme/routers/r{k}" for k in range(5, 25)})
        per_cell = {}
        for row in full["timeseries"]["split"]:
            key = (row["bin"], row["router"])
            per_cell.setdefault(key, {})[row["deployment"]] = row["routed"]
        for row in split:
            cell = per_cell[(row["bin"], row["router"])]
            if row["deployment"] == OTHER:
                self.assertEqual(row["other_deployments"], 2)
                shown = {r["deployment"] for r in split
                         if (r["bin"], r["router"]) == (row["bin"], row["router"])}
                self.assertEqual(row["routed"],
                                 sum(v for d, v in cell.items() if d not in shown))
            else:
                self.assertEqual(row["routed"], cell[row["deployment"]])
        self.assertEqual(len(rows(os.path.join(bounded_out, "timeseries.csv"))), len(split))

    def test_bundled_scenario_is_the_same_in_either_detail(self):
        path = os.path.join(SOURCE, "scenarios", "ab-test.yaml")
        _, default_out = run(self.tmp, "default", path)
        _, full_out = run(self.tmp, "full", path, "--detail", "full")
        for name in ("report.json", "timeseries.csv", "requests.csv", "report.md"):
            with open(os.path.join(default_out, name), "rb") as a, \
                    open(os.path.join(full_out, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_unknown_detail_is_refused(self):
        proc, _ = run(self.tmp, "out", os.path.join(SOURCE, "scenarios", "ab-test.yaml"),
                      "--detail", "some")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--detail some: expected full or bounded", proc.stderr)


    def test_detail_is_refused_where_nothing_uses_it(self):
        scenario = os.path.join(SOURCE, "scenarios", "ab-test.yaml")
        for command in ("validate", "sensitivity"):
            proc = subprocess.run([ROUTERSIM, command, scenario, "--detail", "full"],
                                  capture_output=True, text=True, cwd=self.tmp, timeout=300)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn("%s: --detail is for run" % command, proc.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
