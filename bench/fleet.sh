#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fleet scale: the same requests through one router over 2 deployments, 1,000 routers over 4
# deployments each, and one router over 10,000 deployments, end to end with default options
# (bins and reports, no plots). Prints each wide case's wall time as a ratio to the small
# case's, the median of REPS interleaved runs (small, fleet, wide, small, ...), with the CPU
# time of all its threads, its peak memory, and the size of the reports each writes. (With
# 1,000 routers at alpha 0.001 about one split fails by chance, so the runs' verdicts and
# exit status are ignored here.)
# Usage: bench/fleet.sh [REQUESTS] [REPS]   (default 1e7 requests, 5 repetitions)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000000}
reps=${2:-5}
build=${BUILD:-build-bench}
if [ -z "${BUILD:-}" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DROUTERSIM_TESTS=OFF >/dev/null
  cmake --build "$build" -j2 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name routers deployments-per-router -> a scenario of n expected requests at 1e6/s in all
python3 - "$work" "$n" <<'PY'
import sys
work, n = sys.argv[1], int(float(sys.argv[2]))
def write(name, routers, per):
    out = [f"name: {name}", "account: bench", "seed: 1", f"duration: {max(1, n // 1000000)}s",
           "deployments:"]
    for r in range(routers):
        out += [f"  - {{id: d{r}-{k}, replicas: {1 + k % 4}}}" for k in range(per)]
    out.append("routers:")
    for r in range(routers):
        out.append(f"  - {{id: r{r}, deployments: [" +
                   ", ".join(f"d{r}-{k}" for k in range(per)) + "]}")
    out.append("traffic:")
    out += [f"  - {{router: r{r}, rate: {1000000 // routers}/s}}" for r in range(routers)]
    open(f"{work}/{name}.yaml", "w").write("\n".join(out) + "\n")
write("small", 1, 2)
write("fleet", 1000, 4)
write("wide", 1, 10000)
PY

field() { awk -v k="$1" '$1 == k {print $2}'; }
measure() { # name -> "wall cpu rss" of one end-to-end run
  rm -rf "$work/out-$1"
  "$build/routersim_bench" measure "$build/routersim" run "$work/$1.yaml" --quiet --no-plots \
    --out "$work/out-$1" 2>/dev/null >"$work/m"
  echo "$(field seconds <"$work/m") $(field cpu_seconds <"$work/m") $(field max_rss_kib <"$work/m")"
}
for ((i = 0; i < reps; i++)); do
  for c in small fleet wide; do
    echo "$c $(measure "$c")" >>"$work/times"
  done
done
median() { # case column -> the median of that column over the case's runs
  awk -v c="$1" -v k="$2" '$1 == c {print $k}' "$work/times" | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
small=$(median small 2)
echo "requests per run:                 $n (1e6/s), median of $reps interleaved runs"
echo "(cpu: user + system seconds of all threads; rss: peak resident set)"
for c in small fleet wide; do
  t=$(median "$c" 2)
  cpu=$(median "$c" 3)
  rss=$(median "$c" 4)
  size=$(du -sk "$work/out-$c" | cut -f1)
  awk -v c="$c" -v t="$t" -v s="$small" -v k="$size" -v u="$cpu" -v m="$rss" 'BEGIN {
    printf "%-6s %8.3fs  %5.2fx the 1 x 2 case  cpu %.3fs  rss %.1f MiB  reports %.1f MiB\n",
      c, t, t / s, u, m / 1024, k / 1024 }'
done
