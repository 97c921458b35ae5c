#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The benchmark: 1e8 requests through `routersim run` against a bare loop of the same GSL
# draws per request, selection only and then with a serving model on both deployments, and
# peak memory at 1e7 vs 1e8 requests (it must stay flat); then the batching serving model
# through routersim_bench (requests/s and iterations/s against the bare loop of its draws);
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenario() { # name requests [serving] -> a scenario of that many expected requests at 1e6/s
  local serving=""
  if [ "${3:-}" = serving ]; then
    # 100 slots per replica, 100 us mean service: 4e6 and 1e6 requests/s of capacity for
    # 8e5 and 2e5 requests/s, so queues form now and then and every request is served.
    serving="    serving: {concurrency: 100, service_time: {distribution: exponential, mean: 0.1ms}}"
  fi
  cat > "$work/$1.yaml" <<YAML
name: $1
account: bench
seed: 1
duration: $(($2 / 1000000))s
deployments:
  - id: current-deployment
    replicas: 4
$serving
  - id: new-deployment
    replicas: 1
$serving
routers:
  - {id: my-router, deployments: [current-deployment, new-deployment]}
traffic:
  - {router: my-router, rate: 1000000/s}
YAML
}
scenario small $((n / 10))
scenario large "$n"
scenario small-serving $((n / 10)) serving
scenario large-serving "$n" serving

field() { awk -v k="$1" '$1 == k {print $2}'; }
measure() { # name -> "seconds rss_kib"
  local out
  out=$("$build/routersim_bench" measure "$build/routersim" run "$work/$1.yaml" --quiet --no-plots --out "$work/out-$1")
  echo "$(echo "$out" | field seconds) $(echo "$out" | field max_rss_kib)"
}
bare=$("$build/routersim_bench" bare "$n" | field bare_seconds)
read -r sim rss_large < <(measure large)
read -r _ rss_small < <(measure small)
read -r served rss_large_serving < <(measure large-serving)
read -r _ rss_small_serving < <(measure small-serving)
requests=$(python3 -c "import json; print(json.load(open('$work/out-large/report.json'))['requests']['total'])")

echo "requests simulated:              $requests"
echo "bare GSL loop ($n draws):       ${bare}s"
echo "routersim run, selection only:   ${sim}s"
echo "routersim run, serving model on: ${served}s"
awk -v s="$sim" -v v="$served" -v b="$bare" 'BEGIN {
  printf "ratio selection/bare:            %.2fx (speed %.0f%% of the bare loop)\n", s / b, 100 * b / s
  printf "ratio serving/bare:              %.2fx (speed %.0f%% of the bare loop)\n", v / b, 100 * b / v
}'
echo "peak RSS, selection only:        ${rss_small} KiB at $((n / 10)), ${rss_large} KiB at $n requests"
echo "peak RSS, serving model on:      ${rss_small_serving} KiB at $((n / 10)), ${rss_large_serving} KiB at $n requests"

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
