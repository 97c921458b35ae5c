# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: `routersim fit` on the bundled example export, which was generated from the
known model scenarios/metrics/known-model.yaml (its parameters are written below from that
file, not from routersim's output): every known parameter lies in the interval fit.json
states, the fitted scenario (scenario.fitted.yaml) loads with `routersim validate`, a second
fit replaces the folder, and a malformed export is refused with exit 2, FILE:LINE:COL and no
report folder.

Usage: e2e_fit.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
EXPORT = os.path.join(SOURCE, "scenarios", "metrics", "fleet-6h.csv")

# scenarios/metrics/known-model.yaml: daily {peak: 60/s, trough: 20/s, peak_at: 2h,
# period: 6h}, lognormal mean 250ms cv 0.5, concurrency 8, cold_start 2m
KNOWN = {("arrivals", "peak_per_s"): 60.0, ("arrivals", "trough_per_s"): 20.0,
         ("arrivals", "peak_at_s"): 7200.0, ("arrivals", "mean_rate_per_s"): 40.0,
         ("service", "mean_s"): 0.25, ("service", "cv"): 0.5,
         ("concurrency", "value"): 8.0, ("cold_start", "value_s"): 120.0}


def routersim(*args):
    return subprocess.run([ROUTERSIM, *args], capture_output=True, text=True, timeout=600)


class Fit(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="routersim-e2e-fit-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_recovers_the_known_model(self):
        out = os.path.join(self.tmp.name, "fit")
        # the export's quantiles come from routersim's latency histograms, within 1 %
        p = routersim("fit", EXPORT, "--period", "6h", "--resolution", "0.01", "--out", out,
                      "--no-plots")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(out, "fit.json")) as f:
            fit = json.load(f)
        self.assertEqual(fit["window_s"], 60)
        self.assertEqual(fit["confidence"], 0.95)
        self.assertEqual(fit["resolution"], 0.01)
        (d,) = fit["deployments"]
        self.assertEqual(d["id"], "llm")
        for (part, key), truth in KNOWN.items():
            v = d[part][key]
            self.assertTrue(v["identified"], (key, v))
            self.assertLessEqual(v["lo"], truth, key)
            self.assertGreaterEqual(v["hi"], truth, key)
        self.assertTrue(d["arrivals"]["cycle"])
        self.assertFalse(d["arrivals"]["dispersion"]["overdispersed"])
        self.assertEqual(sorted(os.listdir(out)),
                         ["fit.json", "fit.md", "fitted.csv", "scenario.fitted.yaml"])
        # the fragment is a scenario: it loads, with the known model's rounded values
        scenario = os.path.join(out, "scenario.fitted.yaml")
        p = routersim("validate", scenario)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(scenario) as f:
            text = f.read()
        self.assertIn("concurrency: 8\n", text)
        self.assertIn("cold_start: 2m\n", text)
        self.assertIn("period: 6h}", text)
        # the folder holds reports only, so the next fit may replace it, with its plots
        p = routersim("fit", EXPORT, "--out", out, "--quiet")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        if shutil.which("gnuplot"):
            for plot in ("arrivals.png", "arrivals.svg", "service.png", "service.svg"):
                self.assertGreater(os.path.getsize(os.path.join(out, plot)), 1000, plot)

    def test_thin_export_gives_a_scenario_without_what_it_cannot_identify(self):
        thin = os.path.join(self.tmp.name, "thin.csv")
        with open(thin, "w") as f:
            f.write("time,deployment,requests,replicas,p50,p99\n")
            for i in range(30):
                f.write("%d,chat,%d,2,0.%d,0.9\n" % (60 * i, 600 + (i * 37) % 50, 20 + i % 3))
        out = os.path.join(self.tmp.name, "thin")
        p = routersim("fit", thin, "--out", out, "--no-plots")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        scenario = os.path.join(out, "scenario.fitted.yaml")
        with open(scenario) as f:
            text = f.read()
        self.assertIn("# no serving model: concurrency: needs the utilization, completed and "
                      "ready columns\n", text)
        self.assertIn("# fitted: service_time: {distribution: lognormal", text)
        self.assertNotIn("serving:", text)
        # counts that vary less than Poisson's (a made-up regular pattern) are not "Poisson"
        self.assertIn(": steadier than Poisson;", text)
        p = routersim("validate", scenario)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_bad_row_is_refused_with_its_place(self):
        bad = os.path.join(self.tmp.name, "bad.csv")
        with open(bad, "w") as f:
            f.write("time,deployment,requests,replicas\n0,a,10,2\n60,a,ten,2\n")
        out = os.path.join(self.tmp.name, "out")
        p = routersim("fit", bad, "--out", out)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "routersim: %s:3:6: requests: expected a whole number from "
                         "0 to 1000000000000000, got \"ten\"\n" % bad)
        self.assertFalse(os.path.exists(out))

    def test_usage(self):
        p = routersim("fit")
        self.assertEqual(p.returncode, 2)
        self.assertIn("fit: expected at least one metrics file", p.stderr)
        p = routersim("fit", EXPORT, "--period", "0s")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--period", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
