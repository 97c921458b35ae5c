#!/usr/bin/env bash
# The selection benchmark: 1e8 requests through `routersim run` against a bare loop of the
# same GSL draws, and peak memory at 1e7 vs 1e8 requests (it must stay flat).
# Usage: bench/run.sh [REQUESTS]   (default 1e8; the memory comparison uses REQUESTS/10)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000000}
build=build-bench
scripts/setup.sh >&2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DROUTERSIM_TESTS=OFF >/dev/null
cmake --build "$build" -j2 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenario() { # name requests -> a scenario of that many expected requests at 1e6/s
  cat > "$work/$1.yaml" <<YAML
name: $1
account: bench
seed: 1
duration: $(($2 / 1000000))s
deployments:
  - {id: current-deployment, replicas: 4}
  - {id: new-deployment, replicas: 1}
routers:
  - {id: my-router, deployments: [current-deployment, new-deployment]}
traffic:
  - {router: my-router, rate: 1000000/s}
YAML
}
scenario small $((n / 10))
scenario large "$n"

field() { awk -v k="$1" '$1 == k {print $2}'; }
bare=$("$build/routersim_bench" bare "$n" | field bare_seconds)
small=$("$build/routersim_bench" measure "$build/routersim" run "$work/small.yaml" --quiet --no-plots --out "$work/out-small")
large=$("$build/routersim_bench" measure "$build/routersim" run "$work/large.yaml" --quiet --no-plots --out "$work/out-large")
sim=$(echo "$large" | field seconds)
rss_small=$(echo "$small" | field max_rss_kib)
rss_large=$(echo "$large" | field max_rss_kib)
requests=$(python3 -c "import json; print(json.load(open('$work/out-large/report.json'))['requests']['total'])")

echo "requests simulated:        $requests"
echo "bare GSL loop ($n draws): ${bare}s"
echo "routersim run:             ${sim}s"
awk -v s="$sim" -v b="$bare" 'BEGIN { printf "ratio routersim/bare:      %.2fx\n", s / b }'
echo "peak RSS at $((n / 10)) requests: ${rss_small} KiB"
echo "peak RSS at $n requests: ${rss_large} KiB"
