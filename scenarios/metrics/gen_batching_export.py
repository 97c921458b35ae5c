#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the example export llm-batching.csv from a KNOWN continuous-batching model.

This is a simulation of its own, independent of routersim's engine, so that `routersim fit`
is checked against coefficients it did not produce (tests/e2e_fit.py). The model is the one
docs/scenario-format.md describes for `model: batching`:

- 2 replicas, each with its own FIFO queue; arrivals go to them in turn (round robin);
- an iteration admits waiting requests (FIFO) while fewer than MAX_RUNNING run and the KV
  cache can hold the next one's prompt + output tokens, prefills the whole prompts of the
  newly admitted and decodes one token of every other running request; it lasts
  BASE + PER_PREFILL x prefill tokens + PER_DECODE x decoding requests;
- the iteration that prefills a prompt yields its first token; a request completes at the
  end of the iteration that yields its last;
- Poisson arrivals at 2.5 + 2.3 sin(2 pi t / 2h) requests/s, prompts uniform on 100..2000 tokens
  and outputs on 20..400, for 2 hours.

Per 1-minute window it writes what a batching engine's metrics give (docs/calibration.md):
requests that arrived, the requests completed and their tokens, the iterations that ended,
the replica-seconds spent in iterations (integrated over the window: an iteration cut by a
window's end counts in both), the prompt tokens prefilled and tokens decoded by the
iterations that ended, the engine's configuration and the completed requests' latency
quantiles (nearest rank).

Usage: gen_batching_export.py [OUT_CSV]   (default: llm-batching.csv beside this script)
"""
import heapq
import math
import os
import random
import sys

BASE, PER_PREFILL, PER_DECODE = 0.015, 0.00006, 0.0004  # seconds: the known coefficients
MAX_RUNNING, KV_CACHE = 32, 100000
REPLICAS, WINDOW, DURATION, SEED = 2, 60.0, 7200.0, 20261202


def rate(t):
    return 2.5 + 2.3 * math.sin(2 * math.pi * t / 7200.0)


def arrivals(rng):
    """Poisson arrivals of rate(t) by thinning a 4.8/s process."""
    t, out = 0.0, []
    while True:
        t += rng.expovariate(4.8)
        if t >= DURATION:
            return out
        if rng.random() * 4.8 < rate(t):
            out.append((t, rng.randint(100, 2000), rng.randint(20, 400)))


class Window:
    def __init__(self):
        self.requests = self.completed = self.tokens_in = self.tokens_out = 0
        self.iterations = self.prefill = self.decode = 0
        self.busy = 0.0
        self.latency = []


def quantile(xs, q):
    xs = sorted(xs)
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


def main(argv):
    out_path = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "llm-batching.csv")
    rng = random.Random(SEED)
    n_windows = int(DURATION / WINDOW)
    windows = [Window() for _ in range(n_windows)]
    queues = [[] for _ in range(REPLICAS)]  # waiting (arrival, prompt, output), FIFO
    heads = [0] * REPLICAS
    running = [[] for _ in range(REPLICAS)]  # [arrival, prompt, output, generated, step]
    reserved = [0] * REPLICAS
    busy = [False] * REPLICAS
    events = []  # (time, order, replica, start) iteration ends

    def add_busy(a, b):
        k = int(a // WINDOW)
        while a < b and k < n_windows:
            end = min(b, (k + 1) * WINDOW)
            windows[k].busy += end - a
            a, k = end, k + 1

    def begin(i, t):
        q = queues[i]
        while heads[i] < len(q) and len(running[i]) < MAX_RUNNING and \
                reserved[i] + q[heads[i]][1] + q[heads[i]][2] <= KV_CACHE:
            a, p, o = q[heads[i]]
            heads[i] += 1
            running[i].append([a, p, o, 0, None])
            reserved[i] += p + o
        if not running[i]:
            busy[i] = False
            return
        prefill = decode = 0
        for r in running[i]:
            if r[3] == 0:
                r[4] = "prefill"
                prefill += r[1]
            else:
                r[4] = "decode"
                decode += 1
        busy[i] = True
        length = BASE + PER_PREFILL * prefill + PER_DECODE * decode
        heapq.heappush(events, (t + length, len(events), i, t, prefill, decode))

    def end(i, t, start, prefill, decode):
        add_busy(start, t)
        k = int(t // WINDOW)
        if k < n_windows:
            w = windows[k]
            w.iterations += 1
            w.prefill += prefill
            w.decode += decode
        kept = []
        for r in running[i]:
            r[3] += 1
            if r[3] < r[2]:
                kept.append(r)
                continue
            reserved[i] -= r[1] + r[2]
            if k < n_windows:
                w.completed += 1
                w.tokens_in += r[1]
                w.tokens_out += r[2]
                w.latency.append(t - r[0])
        running[i] = kept

    arr = arrivals(rng)
    turn = 0
    for a, p, o in arr:
        while events and events[0][0] <= a:
            t, _, i, start, prefill, decode = heapq.heappop(events)
            end(i, t, start, prefill, decode)
            begin(i, t)
        windows[int(a // WINDOW)].requests += 1
        i = turn % REPLICAS
        turn += 1
        queues[i].append((a, p, o))
        if not busy[i]:
            begin(i, a)
    while events and events[0][0] < DURATION:
        t, _, i, start, prefill, decode = heapq.heappop(events)
        end(i, t, start, prefill, decode)
        begin(i, t)
    for t, _, i, start, prefill, decode in events:  # cut by the end: its busy time counts
        add_busy(start, DURATION)

    with open(out_path, "w", encoding="utf-8") as f:
        f.write("# Example export of a continuous-batching deployment, generated from a KNOWN model\n"
                "# by scenarios/metrics/gen_batching_export.py (a simulation independent of\n"
                "# routersim): iteration = 15ms + 0.06ms x prefill tokens + 0.4ms x decode tokens,\n"
                "# max_running 32, KV cache 100000 tokens, 2 replicas, seed %d.\n" % SEED)
        f.write("time,deployment,requests,replicas,ready,completed,tokens_in,tokens_out,"
                "iterations,busy_s,prefill_tokens,decode_tokens,max_running,kv_cache_tokens,"
                "p50,p90,p99\n")
        for k, w in enumerate(windows):
            q = ["%.6g" % quantile(w.latency, x) if w.latency else "" for x in (0.5, 0.9, 0.99)]
            f.write("%d,llm,%d,%d,%d,%d,%d,%d,%d,%.6f,%d,%d,%d,%d,%s\n" %
                    (k * WINDOW, w.requests, REPLICAS, REPLICAS, w.completed, w.tokens_in,
                     w.tokens_out, w.iterations, w.busy, w.prefill, w.decode, MAX_RUNNING,
                     KV_CACHE, ",".join(q)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
