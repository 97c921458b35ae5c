#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The benchmark: the per-request cases of bench/hot.sh (selection only, a serving model,
# 10,000 timeline events, plots; each the median ratio of 5 interleaved pairs against its
# yardstick) and peak memory at 1e7 vs 1e8 requests (it must stay flat); then the batching
# serving model through routersim_bench (requests/s and iterations/s against the bare loop of its draws);
# then replications per second on 1 and 2 threads, and on 1 and 3 MPI ranks where OpenMPI
# is installed (bench/replications.sh); then fleet scale (bench/fleet.sh, at REQUESTS/10).
# Usage: bench/run.sh [REQUESTS]   (default 1e8; the memory comparison uses REQUESTS/10)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000000}
build="build-bench"
scripts/setup.sh >&2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DROUTERSIM_TESTS=OFF >/dev/null
cmake --build "$build" -j2 >/dev/null
BUILD="$build" bench/hot.sh "$n"

field() { awk -v k="$1" '$1 == k {print $2}'; }

# The batching model alone: n/100 requests through 8 continuous-batching replicas against a
# bare loop of the same draws (inter-arrival and request sizes); memory at n/1000 and n/100.
llm=$((n / 100))
batch=$("$build/routersim_bench" batching "$llm")
batch_small=$("$build/routersim_bench" batching $((llm / 10)))
echo "batching model ($llm requests):  $(echo "$batch" | field model_seconds)s, bare loop of the same draws $(echo "$batch" | field bare_seconds)s"
echo "batching model throughput:       $(echo "$batch" | field requests_per_s) requests/s, $(echo "$batch" | field iterations_per_s) iterations/s (mean batch $(echo "$batch" | field mean_batch))"
echo "peak RSS, batching model:        $(echo "$batch_small" | field max_rss_kib) KiB at $((llm / 10)), $(echo "$batch" | field max_rss_kib) KiB at $llm requests"

echo
bench/replications.sh

echo
BUILD="$build" bench/fleet.sh $((n / 10))
