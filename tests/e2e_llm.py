# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the LLM serving surface through the routersim command.

- The token checks (max_<statistic>_ttft, max_<statistic>_tpot, min_output_tokens_per_second,
  min_throughput) pass and fail where they should, on a run whose figures are known in
  closed form: one batching replica, requests far apart (a trace, one every 10 s), fixed
  sizes. Each request then runs alone: its first token comes after one prefill iteration,
  base + per_prefill_token x prompt, and each further token after one decode iteration,
  base + per_decode_token x 1 (the iteration model of docs/scenario-format.md, worked by
  hand below). Limits sit 2 % either side of those values, beyond the quantiles' 1 % error.
- The bundled LLM scenarios give the verdicts the docs and their comments state.
- Reports carry the token fields and the token table, and token plots are listed.

Usage: e2e_llm.py ROUTERSIM SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIOS = os.path.join(SOURCE, "scenarios")

# One replica; 60 requests at 0.5 s, 10.5 s, ... 590.5 s, each 1000 prompt and 11 output
# tokens. Iterations: base 10 ms, 0.1 ms per prompt token, 0.5 ms per decoding request.
#   TTFT    = 10 ms + 1000 x 0.1 ms          = 110 ms  (one prefill iteration)
#   TPOT    = 10 ms + 1 x 0.5 ms             = 10.5 ms (each of the 10 decode iterations)
#   latency = 110 ms + 10 x 10.5 ms          = 215 ms
#   throughput over [0, 600s) = 60 / 600 s   = 0.1/s;  output tokens/s = 60 x 11 / 600 = 1.1
TTFT, TPOT, LATENCY, THROUGHPUT, OUTPUT_RATE = 0.110, 0.0105, 0.215, 0.1, 1.1

KNOWN = """\
name: known
account: acme
duration: 10m
window: 1m
deployments:
  - id: d
    replicas: 1
    serving:
      model: batching
      max_running: 4
      kv_cache_tokens: 100000
      iteration: {base: 10ms, per_prefill_token: 0.1ms, per_decode_token: 0.5ms}
routers:
  - {id: r, deployments: [d]}
traffic:
  - router: r
    trace: arrivals.csv
    tokens: {prompt: 1000, output: 11}
checks:
  min_requests: 1
  capacity:
"""

TRACE = "time\n" + "".join(f"{0.5 + 10 * k}\n" for k in range(60))


def run_known(checks):
    """Run the known scenario with these capacity checks; (exit status, report)."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "arrivals.csv"), "w", encoding="utf-8") as f:
            f.write(TRACE)
        path = os.path.join(tmp, "known.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(KNOWN + "".join(f"    - {c}\n" for c in checks))
        out = os.path.join(tmp, "out")
        proc = subprocess.run([ROUTERSIM, "run", path, "--out", out, "--no-plots"],
                              capture_output=True, text=True, timeout=120)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            return proc, json.load(f)


class KnownFigures(unittest.TestCase):
    def test_measurements_are_the_closed_forms(self):
        proc, report = run_known(["{max_p99_ttft: 1s}"])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        load = report["loads"][0]
        self.assertEqual(load["completed"], 60)
        self.assertEqual(load["output_tokens"], 60 * 11)  # tokens out = sum of outputs
        self.assertEqual(load["prompt_tokens"], 60 * 1000)
        self.assertEqual(load["ttft"]["count"], 60)
        self.assertEqual(load["tpot"]["count"], 60)
        for q in ("mean_s", "p50_s", "p99_s"):
            self.assertAlmostEqual(load["ttft"][q], TTFT, delta=0.01 * TTFT)
            self.assertAlmostEqual(load["tpot"][q], TPOT, delta=0.01 * TPOT)
            self.assertAlmostEqual(load["latency"][q], LATENCY, delta=0.01 * LATENCY)
        self.assertAlmostEqual(load["throughput_per_s"], THROUGHPUT, places=9)
        self.assertAlmostEqual(load["output_tokens_per_s"], OUTPUT_RATE, places=9)
        # 11 iterations a request, one request per iteration
        self.assertEqual(load["iterations"], 60 * 11)
        self.assertAlmostEqual(load["mean_batch_size"], 1.0, places=9)

    def check(self, key_and_limit, status):
        proc, report = run_known([key_and_limit])
        checks = [c for c in report["checks"] if c["kind"] == "capacity"]
        self.assertEqual(len(checks), 1)
        self.assertEqual(checks[0]["status"], status, checks[0]["detail"])
        self.assertEqual(proc.returncode, 1 if status == "fail" else 0, proc.stdout)
        return checks[0]

    def test_ttft_limit(self):
        self.check("{max_p99_ttft: 112.2ms, over: interval}", "pass")
        failed = self.check("{max_p99_ttft: 107.8ms, over: interval}", "fail")
        self.assertEqual(failed["unit"], "s")
        self.assertLess(failed["margin"], 0)

    def test_ttft_per_window(self):
        self.check("{max_mean_ttft: 112.2ms}", "pass")
        failed = self.check("{max_mean_ttft: 107.8ms}", "fail")
        self.assertEqual((failed["start_s"], failed["end_s"]), (0, 60))  # the first window

    def test_tpot_limit(self):
        self.check("{max_p50_tpot: 10.71ms, over: interval}", "pass")
        self.check("{max_p50_tpot: 10.29ms, over: interval}", "fail")

    def test_throughput_floor(self):
        passed = self.check("{min_throughput: 0.098/s, over: interval}", "pass")
        self.assertEqual(passed["unit"], "requests/s")
        self.assertAlmostEqual(passed["margin"], THROUGHPUT - 0.098, places=9)
        failed = self.check("{min_throughput: 0.102/s, over: interval}", "fail")
        self.assertAlmostEqual(failed["margin"], THROUGHPUT - 0.102, places=9)

    def test_output_tokens_floor_per_window(self):
        # six requests complete in every 1-minute window: 66 tokens / 60 s = 1.1/s each
        passed = self.check("{min_output_tokens_per_second: 1.078}", "pass")
        self.assertEqual(passed["unit"], "tokens/s")
        self.assertEqual(passed["judged"], 10)
        self.check("{min_output_tokens_per_second: 1.122}", "fail")

    def test_warmup_and_min_requests_apply_to_token_checks(self):
        """checks.warmup keeps the first 5 windows out; a window's 6 first tokens are too few
        for min_requests 7, enough for 6."""
        global KNOWN
        saved = KNOWN
        KNOWN = KNOWN.replace("  min_requests: 1\n", "  min_requests: 1\n  warmup: 5m\n")
        try:
            _, report = run_known(["{max_mean_ttft: 1s}", "{max_p99_ttft: 1s, min_requests: 7}",
                                   "{max_p99_ttft: 1s, min_requests: 6}"])
        finally:
            KNOWN = saved
        warm, too_few, enough = [c for c in report["checks"] if c["kind"] == "capacity"]
        self.assertEqual((warm["judged"], warm["from_s"]), (5, 300))
        self.assertEqual(too_few["status"], "too_few_requests")
        self.assertEqual(too_few["too_few"], 5)
        self.assertEqual((enough["status"], enough["judged"]), ("pass", 5))

    def test_floor_has_no_too_few(self):
        """A floor judged on one window (six completions, far below 1/s) fails: floors are
        always judged, there is no "too few requests" for them."""
        proc, report = run_known(["{min_throughput: 1/s, during: [9m, 10m]}"])
        check = [c for c in report["checks"] if c["kind"] == "capacity"][0]
        self.assertEqual(check["status"], "fail")
        self.assertEqual(check["judged"], 1)

    def test_trace_sizes_override_the_entry(self):
        """Each line of a trace with prompt_tokens and output_tokens brings its own size: 2000
        and 5 here, in place of the entry's 1000 and 11. TTFT = 10 ms + 2000 x 0.1 ms =
        210 ms; 60 x 5 = 300 output tokens."""
        trace = "time,prompt_tokens,output_tokens\n" + "".join(
            f"{0.5 + 10 * k},2000,5\n" for k in range(60))
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "arrivals.csv"), "w", encoding="utf-8") as f:
                f.write(trace)
            path = os.path.join(tmp, "sized.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(KNOWN + "    - {max_p99_ttft: 1s}\n")
            proc = subprocess.run([ROUTERSIM, "run", path, "--out", os.path.join(tmp, "o"),
                                   "--no-plots"], capture_output=True, text=True, timeout=120)
            with open(os.path.join(tmp, "o", "report.json"), encoding="utf-8") as f:
                load = json.load(f)["loads"][0]
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(load["output_tokens"], 300)
        self.assertEqual(load["prompt_tokens"], 120000)
        self.assertAlmostEqual(load["ttft"]["p50_s"], 0.210, delta=0.0021)

    def test_tpot_of_a_queue_deployment_judges_nothing(self):
        text = (KNOWN.replace("""      model: batching
      max_running: 4
      kv_cache_tokens: 100000
      iteration: {base: 10ms, per_prefill_token: 0.1ms, per_decode_token: 0.5ms}
""", "      concurrency: 1\n      service_time: {distribution: deterministic, mean: 215ms}\n"))
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "arrivals.csv"), "w", encoding="utf-8") as f:
                f.write(TRACE)
            path = os.path.join(tmp, "queue.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text + "    - {max_p99_tpot: 1ms, over: interval}\n"
                        "    - {max_p99_ttft: 216ms, over: interval}\n")
            proc = subprocess.run([ROUTERSIM, "run", path, "--out", os.path.join(tmp, "o"),
                                   "--no-plots"], capture_output=True, text=True, timeout=120)
            with open(os.path.join(tmp, "o", "report.json"), encoding="utf-8") as f:
                report = json.load(f)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        tpot, ttft = [c for c in report["checks"] if c["kind"] == "capacity"]
        self.assertEqual(tpot["status"], "too_few_requests")
        # a queue deployment's TTFT is its latency: the deterministic 215 ms service
        self.assertEqual(ttft["status"], "pass")
        self.assertAlmostEqual(ttft["value"], LATENCY, delta=0.01 * LATENCY)


def simulate(name, plots=False):
    tmp = tempfile.mkdtemp()
    try:
        out = os.path.join(tmp, "out")
        args = [ROUTERSIM, "run", os.path.join(SCENARIOS, name), "--out", out]
        proc = subprocess.run(args + ([] if plots else ["--no-plots"]), capture_output=True,
                              text=True, timeout=300)
        with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
            report = json.load(f)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
            md += f.read()  # both reports hold the token table
        return proc, report, md
    finally:
        shutil.rmtree(tmp)


def capacity_check(report, key, deployment=None):
    for c in report["checks"]:
        if c["key"] == key and (deployment is None or c["covers"] == deployment):
            return c
    raise AssertionError(f"no check {key} for {deployment}")


class ChatSummarise(unittest.TestCase):
    """scenarios/llm-chat-summarise.yaml: the pooled model passes, batching breaks TTFT after
    the migration at 10m, and only there."""

    @classmethod
    def setUpClass(cls):
        cls.proc, cls.report, cls.md = simulate("llm-chat-summarise.yaml",
                                                plots=shutil.which("gnuplot") is not None)

    def test_verdicts(self):
        self.assertEqual(self.proc.returncode, 1, self.proc.stdout + self.proc.stderr)
        self.assertEqual(capacity_check(self.report, "max_utilization", "chat-pooled")["status"],
                         "pass")
        self.assertEqual(capacity_check(self.report, "max_p99_wait", "chat-pooled")["status"],
                         "pass")
        self.assertEqual(capacity_check(self.report, "max_p99_tpot", "chat-batching")["status"],
                         "pass")
        ttft = capacity_check(self.report, "max_p99_ttft", "chat-batching")
        self.assertEqual(ttft["status"], "fail")

    def test_the_ttft_slo_breaks_after_the_migration_only(self):
        ttft = capacity_check(self.report, "max_p99_ttft", "chat-batching")
        self.assertGreater(ttft["breaches"], 0)
        self.assertEqual(ttft["start_s"], 600)  # the first window after 10m decides
        for p in self.report["timeseries"]["load"]:
            if p["deployment"].endswith("/chat-batching") and 60 <= p["start_s"] < 600:
                self.assertLess(p["ttft"]["p99_s"], ttft["limit"], p)

    def test_both_models_side_by_side(self):
        loads = {l["deployment"].rsplit("/", 1)[1]: l for l in self.report["loads"]}
        self.assertEqual(loads["chat-pooled"]["iterations"], 0)
        self.assertEqual(loads["chat-pooled"]["tpot"]["count"], 0)
        self.assertGreater(loads["chat-batching"]["iterations"], 0)
        self.assertGreater(loads["chat-batching"]["output_tokens"], 0)
        self.assertIn("| Deployment | Serving model | TTFT p50 | TTFT p99 |", self.md)
        self.assertIn('id="token-table"', self.md)
        self.assertIn("Tokens (time to first token, time per output token", self.proc.stdout)
        if shutil.which("gnuplot"):
            kinds = {p["kind"] for p in self.report["plots"]}
            self.assertTrue({"ttft", "tpot", "tokens", "batch", "kv_cache"} <= kinds, kinds)


    def test_loads_say_their_serving_model_and_balancer(self):
        # as scenarios/llm-chat-summarise.yaml sets them (chat-pooled sets neither)
        loads = {l["deployment"].rsplit("/", 1)[1]: l for l in self.report["loads"]}
        self.assertEqual((loads["chat-pooled"]["model"], loads["chat-pooled"]["balancer"]),
                         ("queue", "ideal"))
        self.assertEqual((loads["chat-batching"]["model"], loads["chat-batching"]["balancer"]),
                         ("batching", "least_outstanding"))
        self.assertIn("| chat-pooled | queue, ideal |", self.md)
        self.assertIn("<td>batching, least_outstanding</td>", self.md)

    def test_token_table_latencies_read_in_one_unit(self):
        # below a second every latency cell is in milliseconds: never "0.0452s"
        rows = [line for line in self.md.splitlines()
                if line.startswith(("| chat-pooled | queue", "| chat-batching | batching",
                                    "<tr><td>chat-"))]
        self.assertTrue(rows)
        for row in rows:
            self.assertNotRegex(row, r"[ >]0\.[0-9]+s[ <]", row)


class QueueOnly(unittest.TestCase):
    """Without a batching deployment nothing about tokens is shown: a queue-model run reads as
    before."""

    def test_no_token_table(self):
        proc, report, reports = simulate("migration-capacity.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertNotIn("Tokens (", proc.stdout)
        self.assertNotIn("TTFT", reports)
        self.assertTrue(all(l["iterations"] == 0 for l in report["loads"]))


class Balancers(unittest.TestCase):
    """scenarios/llm-balancers.yaml: the same deployment behind four balancers; round_robin
    alone breaks the p99 TTFT limit, ideal (the pooled queue) does best."""

    def test_round_robin_alone_breaks_the_limit(self):
        proc, report, _ = simulate("llm-balancers.yaml")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        check = capacity_check(report, "max_p99_ttft")
        self.assertEqual(check["status"], "fail")
        self.assertTrue(check["deployment"].endswith("/round-robin"), check)
        p99 = {l["deployment"].rsplit("/", 1)[1]: l["ttft"]["p99_s"]
               for l in report["interval_loads"]}
        self.assertGreater(p99["round-robin"], check["limit"])
        for other in ("ideal", "least-outstanding", "power-of-two"):
            self.assertLess(p99[other], check["limit"], other)
            self.assertLessEqual(p99["ideal"], p99[other])


class Readme(unittest.TestCase):
    """The README's LLM capacity example runs and passes, as the README says."""

    def test_readme_example_passes(self):
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        start = readme.index("```yaml\nname: chat-capacity\n") + len("```yaml\n")
        text = readme[start:readme.index("```", start)]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "chat-capacity.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            proc = subprocess.run([ROUTERSIM, "run", path, "--out", os.path.join(tmp, "o"),
                                   "--no-plots"], capture_output=True, text=True, timeout=120)
            with open(os.path.join(tmp, "o", "report.json"), encoding="utf-8") as f:
                report = json.load(f)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        ttft, tpot, tokens = [c for c in report["checks"] if c["kind"] == "capacity"]
        self.assertAlmostEqual(ttft["value"], 0.273, delta=0.0005)
        self.assertAlmostEqual(tpot["value"], 0.0192, delta=0.00005)
        self.assertEqual(round(tokens["value"]), 4031)


class PublishedBenchmark(unittest.TestCase):
    """docs/scenario-format.md, "Against a published benchmark": its routersim columns are
    what scenarios/llm-published-l4.yaml gives, so the table cannot drift from the code."""

    def test_docs_table_is_what_the_scenario_gives(self):
        proc, report, _ = simulate("llm-published-l4.yaml")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        loads = {l["deployment"].rsplit("/", 1)[1]: l for l in report["loads"]}
        with open(os.path.join(SOURCE, "docs", "scenario-format.md"), encoding="utf-8") as f:
            text = f.read()
        section = text.split("### Against a published benchmark", 1)[1].split("\n### ", 1)[0]
        rows = [[c.strip() for c in line.strip("|").split("|")]
                for line in section.splitlines() if line.startswith("| ")
                and line.split("|")[1].strip().isdigit()]
        self.assertEqual([r[0] for r in rows], ["1", "4", "16", "32"])
        for row in rows:
            l = loads["c" + row[0]]
            self.assertEqual(l["model"], "batching")
            simulated = [f"{l['output_tokens_per_s']:.0f}", f"{1000 * l['ttft']['p50_s']:.1f}",
                         f"{1000 * l['tpot']['p50_s']:.1f}",
                         f"{1000 * l['latency']['p50_s']:.1f}"]
            self.assertEqual([row[2], row[4], row[6], row[8]], simulated, row)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
