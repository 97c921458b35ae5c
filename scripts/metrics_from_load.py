#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turn a routersim run's load.csv into the metrics CSV format of docs/calibration.md.

load.csv has one row per window and deployment with a serving model; the metrics format
names the same figures differently: start_s -> time, arrived -> requests, p50_s -> p50 and
so on; replicas, ready, completed and utilization keep their names. Windows in which no
request was served have empty latency cells in both. This is how the example exports under
scenarios/metrics/ were made from runs of known scenarios.

Usage: metrics_from_load.py LOAD_CSV [OUT_CSV] [--comment TEXT]...
"""
import csv
import sys

RENAME = [("start_s", "time"), ("deployment", "deployment"), ("arrived", "requests"),
          ("replicas", "replicas"), ("ready", "ready"), ("completed", "completed"),
          ("utilization", "utilization"), ("p50_s", "p50"), ("p90_s", "p90"),
          ("p95_s", "p95"), ("p99_s", "p99")]


def main(argv):
    comments = []
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--comment" and i + 1 < len(argv):
            comments.append(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if not 1 <= len(args) <= 2:
        sys.stderr.write(__doc__)
        return 2
    with open(args[0], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = [old for old, _ in RENAME if rows and old not in rows[0]]
    if missing:
        sys.stderr.write("%s: no column %s: expected a routersim load.csv\n" %
                         (args[0], ", ".join(missing)))
        return 2
    out = open(args[1], "w", newline="", encoding="utf-8") if len(args) == 2 else sys.stdout
    with out:
        for c in comments:
            out.write("# %s\n" % c)
        out.write(",".join(new for _, new in RENAME) + "\n")
        for row in rows:
            out.write(",".join(row[old] for old, _ in RENAME) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
