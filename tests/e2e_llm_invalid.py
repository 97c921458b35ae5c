# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: every invalid use of the LLM serving keys (request sizes, the batching model,
balancers, token checks and token load targets) is refused by `routersim validate` and `run`
with exit status 2, nothing written, and one line "FILE:LINE:COL: what was expected" that
points at the offending key or value. One test per case.

Usage: e2e_llm_invalid.py ROUTERSIM SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])

# A valid scenario: a batching deployment behind r (its traffic carries sizes) and a queue
# deployment behind s (its traffic carries none). Line numbers below refer to this text.
BASE = """\
name: t
account: acme
duration: 10m
deployments:
  - id: a
    replicas: 2
    serving:
      model: batching
      max_running: 8
      kv_cache_tokens: 100000
      iteration: {base: 8ms, per_prefill_token: 0.1ms, per_decode_token: 0.2ms}
  - id: q
    replicas: 1
    serving:
      concurrency: 4
      service_time: {distribution: exponential, mean: 1s}
routers:
  - id: r
    deployments: [a]
  - id: s
    deployments: [q]
traffic:
  - router: r
    rate: 5/s
    tokens:
      prompt: 100
      output: {distribution: uniform, min: 10, max: 20}
  - router: s
    rate: 1/s
"""


def with_lines(replacements=None, append=""):
    """BASE with some lines (1-based) replaced (a line may become several), plus text
    appended."""
    lines = BASE.splitlines()
    for number, text in (replacements or {}).items():
        lines[number - 1] = text
    return "\n".join(lines) + "\n" + append


def tokens(prompt="100", output="{distribution: uniform, min: 10, max: 20}"):
    """BASE with the first entry's prompt and output token counts replaced."""
    return with_lines({26: "      prompt: " + prompt, 27: "      output: " + output})


CLASSES = "    classes:\n      - {name: chat, weight: 3, prompt: 200, output: 100}\n"

# name -> (scenario text, "LINE:COL", substring of the message)
CASES = {
    # request sizes
    "tokens_and_classes": (with_lines({27: "      output: 10\n" + CLASSES.rstrip("\n")}),
                           "29:7", "expected tokens or classes, not both"),
    "unknown_distribution": (tokens(prompt="{distribution: normal, mean: 5}"), "26:30",
                             "expected distribution: fixed, uniform, lognormal or histogram, "
                             "got \"normal\""),
    "count_without_distribution": (tokens(prompt="{mean: 800}"), "26:15",
                                   "expected a whole number of tokens, or a mapping with "
                                   "distribution"),
    "fractional_count": (tokens(prompt="12.5"), "26:15", "prompt"),
    "negative_prompt": (tokens(prompt="-1"), "26:15", "prompt"),
    "zero_output": (tokens(output="0"), "27:15", "output"),
    "count_above_ten_million": (tokens(prompt="10000001"), "26:15", "prompt"),
    "uniform_min_above_max": (tokens(output="{distribution: uniform, min: 20, max: 10}"),
                              "27:53", "expected max >= min (20)"),
    "uniform_output_from_zero": (tokens(output="{distribution: uniform, min: 0, max: 10}"),
                                 "27:44", "min"),
    "uniform_missing_max": (tokens(output="{distribution: uniform, min: 1}"), "27:15",
                            "missing the key \"max\""),
    "fixed_with_stray_key": (tokens(prompt="{distribution: fixed, value: 5, cv: 1}"),
                             "26:47", "unknown key \"cv\""),
    "lognormal_without_cv": (tokens(prompt="{distribution: lognormal, mean: 800}"), "26:15",
                             "missing the key \"cv\""),
    "lognormal_zero_mean": (tokens(prompt="{distribution: lognormal, mean: 0, cv: 1}"),
                            "26:47", "expected a mean above 0 tokens"),
    "lognormal_absurd_cv": (tokens(prompt="{distribution: lognormal, mean: 800, cv: 1000}"),
                            "26:56", "cv"),
    "histogram_without_bins": (tokens(prompt="{distribution: histogram, bins: []}"), "26:47",
                               "expected at least one bin"),
    "histogram_bins_out_of_order": (
        tokens(prompt="{distribution: histogram, bins: [{to: 8192, weight: 1}, "
               "{to: 2048, weight: 1}]}"), "26:76", "expected bins in increasing order"),
    "histogram_all_weights_zero": (
        tokens(prompt="{distribution: histogram, bins: [{to: 10, weight: 0}]}"), "26:47",
        "expected at least one bin with a weight above 0"),
    "histogram_negative_weight": (
        tokens(prompt="{distribution: histogram, bins: [{to: 10, weight: -1}]}"), "26:65",
        "weight"),
    "tokens_missing_output": (with_lines({27: ""}), "26:7", "missing the key \"output\""),
    "classes_empty": (with_lines({25: "    classes: []", 26: "", 27: ""}), "25:14",
                      "expected at least one request class"),
    "class_without_name": (with_lines({25: "    classes:", 26: "      - {prompt: 1, output: 1}",
                                       27: ""}), "26:9", "missing the key \"name\""),
    "class_bad_name": (with_lines({25: "    classes:",
                                   26: "      - {name: chat bot, prompt: 1, output: 1}",
                                   27: ""}), "26:16", "expected a class name"),
    "class_names_repeat": (with_lines({25: "    classes:",
                                       26: "      - {name: chat, prompt: 1, output: 1}",
                                       27: "      - {name: chat, prompt: 2, output: 2}"}),
                           "27:16", "expected class names to differ"),
    "class_zero_weight": (with_lines({25: "    classes:",
                                      26: "      - {name: chat, weight: 0, prompt: 1, output: 1}",
                                      27: ""}), "26:30", "expected a class weight above 0"),
    "traffic_without_sizes_to_batching": (with_lines({25: "", 26: "", 27: ""}), "23:5",
                                          "router \"r\" sends requests to deployment \"a\", "
                                          "whose serving model is batching"),
    "batching_reached_later_without_sizes": (
        BASE + "timeline:\n  - at: 5m\n    run: firectl router update s --deployments=q,a\n",
        "28:5", "router \"s\" sends requests to deployment \"a\""),
    # the serving model and the balancer
    "unknown_model": (with_lines({8: "      model: vllm"}), "8:14",
                      "expected model: queue (the default) or batching, got \"vllm\""),
    "unknown_balancer": (with_lines({8: "      model: batching\n      balancer: random"}),
                         "9:17", "expected balancer: ideal (the default), round_robin, "
                         "least_outstanding or power_of_two, got \"random\""),
    "batching_with_concurrency": (with_lines({9: "      max_running: 8\n      concurrency: 8"}),
                                  "10:7", "expected no concurrency with model: batching"),
    "queue_with_max_running": (with_lines({15: "      concurrency: 4\n      max_running: 4"}),
                               "16:7", "expected max_running only with model: batching"),
    "batching_without_iteration": (with_lines({11: ""}), "8:7",
                                   "expected max_running, kv_cache_tokens and iteration with "
                                   "model: batching"),
    "batching_zero_max_running": (with_lines({9: "      max_running: 0"}), "9:20",
                                  "max_running"),
    "batching_absurd_kv_cache": (with_lines({10: "      kv_cache_tokens: 1e20"}), "10:24",
                                 "kv_cache_tokens"),
    "iteration_missing_decode": (
        with_lines({11: "      iteration: {base: 8ms, per_prefill_token: 0.1ms}"}), "11:18",
        "missing the key \"per_decode_token\""),
    "iteration_zero_base": (
        with_lines({11: "      iteration: {base: 0ms, per_prefill_token: 0.1ms, "
                        "per_decode_token: 0.2ms}"}), "11:25", "iteration base"),
    "iteration_negative_per_token": (
        with_lines({11: "      iteration: {base: 8ms, per_prefill_token: -0.1ms, "
                        "per_decode_token: 0.2ms}"}), "11:49", "per_prefill_token"),
    "prefill_chunk_zero": (with_lines({10: "      kv_cache_tokens: 100000\n"
                                           "      prefill_chunk: 0"}), "11:22", "prefill_chunk"),
    "kv_full_preempt": (with_lines({10: "      kv_cache_tokens: 100000\n      kv_full: preempt"}),
                        "11:16", "expected kv_full: wait; preemption is not modelled"),
    "kv_full_unknown": (with_lines({10: "      kv_cache_tokens: 100000\n      kv_full: drop"}),
                        "11:16", "expected kv_full: wait (the default) or preempt"),
    # checks on tokens
    # the queue model counts no tokens: a token floor on a queue deployment is refused
    "token_floor_names_a_queue_deployment": (
        BASE + "checks:\n  capacity:\n    - {min_output_tokens_per_second: 5, deployment: q}\n",
        "32:7", "min_output_tokens_per_second names deployment \"q\", whose serving model is "
        "queue"),
    "token_floor_covers_a_queue_deployment": (
        BASE + "checks:\n  capacity:\n    - min_output_tokens_per_second: 5\n", "32:7",
        "min_output_tokens_per_second covers deployment \"q\", whose serving model is queue"),
    "ttft_limit_not_a_duration": (BASE + "checks:\n  capacity:\n    - max_p99_ttft: fast\n",
                                  "32:21", "max_p99_ttft"),
    "tpot_unknown_statistic": (BASE + "checks:\n  capacity:\n    - max_p98_tpot: 50ms\n",
                               "32:7", "unknown key \"max_p98_tpot\""),
    "min_throughput_not_a_rate": (BASE + "checks:\n  capacity:\n    - min_throughput: 5/min\n",
                                  "32:23", "min_throughput"),
    "min_output_tokens_negative": (
        BASE + "checks:\n  capacity:\n    - min_output_tokens_per_second: -5\n", "32:37",
        "min_output_tokens_per_second"),
    "min_requests_on_a_floor": (
        BASE + "checks:\n  capacity:\n    - {min_throughput: 5/s, min_requests: 10}\n", "32:43",
        "expected min_requests only with a latency, wait, caller latency, TTFT or TPOT "
        "statistic (min_throughput is not one)"),
    "two_limits_in_one_check": (
        BASE + "checks:\n  capacity:\n    - {max_p99_ttft: 1s, max_p99_tpot: 50ms}\n", "32:",
        "expected one limit per capacity check"),
    "token_check_before_warmup_ends": (
        BASE + "checks:\n  warmup: 5m\n  capacity:\n    - {max_p99_ttft: 1s, during: [0s, 4m]}\n",
        "33:7", "expected a check that ends after the warm-up"),
    # token load targets
    "token_target_without_sizes": (
        with_lines({13: "    min_replica_count: 1\n    max_replica_count: 3\n"
                        "    autoscaling: {load_targets: {tokens_generated_per_second: 500}}"}),
        "12:5", "expected traffic with request sizes (tokens or classes) to reach deployment "
        "\"q\": its tokens_generated_per_second load target counts tokens"),
    "token_target_zero": (
        with_lines({6: "    min_replica_count: 1\n    max_replica_count: 3\n"
                       "    autoscaling: {load_targets: {prompt_tokens_per_second: 0}}"}),
        "8:60", "prompt_tokens_per_second"),
    "firectl_token_target_without_sizes": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl deployment update q --min-replica-count=1"
        " --max-replica-count=3 --load-targets=tokens_generated_per_second=500\n", "32:10",
        "to reach deployment \"q\""),
    "firectl_token_target_not_a_number": (
        BASE + "timeline:\n  - at: 1m\n    run: firectl deployment update a --min-replica-count=1"
        " --max-replica-count=3 --load-targets=prompt_tokens_per_second=lots\n", "32:97",
        "--load-targets: expected prompt_tokens_per_second=N"),
}


class Invalid(unittest.TestCase):
    pass


def make_test(text, position, message):
    def test(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "case.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            for command in (["validate", path],
                            ["run", path, "--out", os.path.join(tmp, "out"), "--no-plots"]):
                proc = subprocess.run([ROUTERSIM, *command], capture_output=True, text=True,
                                      timeout=60)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertTrue(proc.stderr.startswith(f"routersim: {path}:{position}"),
                                proc.stderr)
                self.assertRegex(proc.stderr, rf"^routersim: {path}:\d+:\d+: ")
                self.assertIn(message, proc.stderr)
                self.assertEqual(proc.stderr.count("\n"), 1, "one clear line")
            self.assertFalse(os.path.exists(os.path.join(tmp, "out")), "nothing written")
    return test


TRACE_SCENARIO = BASE.replace("    rate: 5/s\n    tokens:\n      prompt: 100\n"
                              "      output: {distribution: uniform, min: 10, max: 20}\n",
                              "    trace: trace.csv\n")


class TokenFloorOnBatching(unittest.TestCase):
    """The counterpart of the token_floor_* cases: a floor naming the batching deployment is
    accepted."""

    def test_accepted(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "ok.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(BASE + "checks:\n  capacity:\n"
                        "    - {min_output_tokens_per_second: 5, deployment: a}\n")
            proc = subprocess.run([ROUTERSIM, "validate", path], capture_output=True, text=True,
                                  timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)


class InvalidTrace(unittest.TestCase):
    """Token columns of a trace: problems point into the trace; a trace without sizes that
    feeds a batching deployment, at the scenario's traffic entry."""

    def refuse(self, trace, where, message):
        with tempfile.TemporaryDirectory() as tmp:
            scenario = os.path.join(tmp, "case.yaml")
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(TRACE_SCENARIO)
            with open(os.path.join(tmp, "trace.csv"), "w", encoding="utf-8") as f:
                f.write(trace)
            proc = subprocess.run([ROUTERSIM, "validate", scenario], capture_output=True,
                                  text=True, timeout=60)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            name, position = where.split(":", 1)
            expected = scenario if name == "scenario" else os.path.join(tmp, "trace.csv")
            self.assertTrue(proc.stderr.startswith(f"routersim: {expected}:{position}: "),
                            proc.stderr)
            self.assertIn(message, proc.stderr)

    def test_trace_without_sizes_to_batching(self):
        self.refuse("time\n1\n2\n", "scenario:23:5",
                    "router \"r\" sends requests to deployment \"a\"")


    def test_only_one_token_column(self):
        self.refuse("time,prompt_tokens\n1,5\n", "trace:1:6",
                    "expected prompt_tokens and output_tokens together")

    def test_token_value_not_whole(self):
        self.refuse("time,prompt_tokens,output_tokens\n1,5,2.5\n", "trace:2:5", "output_tokens")

    def test_zero_output_tokens(self):
        self.refuse("time,prompt_tokens,output_tokens\n1,5,0\n", "trace:2:5", "output_tokens")


for case, (text, position, message) in CASES.items():
    setattr(Invalid, "test_" + case, make_test(text, position, message))

if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
