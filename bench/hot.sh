#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The per-request cases, each a ratio against its yardstick, the median of PAIRS
# interleaved pairs (yardstick, case, yardstick, case, ...; the ratio of each pair, then
# the median of those ratios, so a busy spell on a shared machine spoils a pair, not the
# figure):
#   selection  REQUESTS through `routersim run`, one router over 2 deployments, against the
#              bare loop of the same GSL draws (an exponential inter-arrival and an alias
#              pick per request; `routersim_bench bare`);
#   serving    the same with a serving model on both deployments, against the bare loop of
#              its draws (those two and an exponential service time: `bare N serving`);
#   events     REQUESTS/100 with 10,000 timeline events (replica counts changing, so
#              10,000 phases) against the same run without them; also per event;
#   plots      scenarios/docs-migration.yaml with its plots drawn (concurrently, one
#              gnuplot per core) against the same run with --no-plots, and against the
#              run with plots confined to one core (taskset -c 0: the same plots, drawn
#              as if one after another), where taskset exists.
# Whole commands are timed for routersim (start-up and reports included); the bare loops
# time the loop alone. Then the peak RSS at REQUESTS/10 and REQUESTS (it must stay flat).
# Usage: bench/hot.sh [REQUESTS] [PAIRS]   (default 1e8 requests, 5 pairs)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000000}
pairs=${2:-5}
build=${BUILD:-build-bench}
if [ -z "${BUILD:-}" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DROUTERSIM_TESTS=OFF >/dev/null
  cmake --build "$build" -j2 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$n" <<'PY'
import sys
work, n = sys.argv[1], int(float(sys.argv[2]))
# 100 slots per replica, 100 us mean service: 4e6 and 1e6 requests/s of capacity for
# 8e5 and 2e5 requests/s, so queues form now and then and every request is served.
SERVING = "    serving: {concurrency: 100, service_time: {distribution: exponential, mean: 0.1ms}}"
def write(name, requests, rate, serving=False, events=0):
    duration = max(1, requests // rate)
    out = [f"name: {name}", "account: bench", "seed: 1", f"duration: {duration}s",
           "deployments:", "  - id: current-deployment", "    replicas: 4"]
    out += [SERVING] if serving else []
    out += ["  - id: new-deployment", "    replicas: 1"]
    out += [SERVING] if serving else []
    out += ["routers:", "  - {id: my-router, deployments: [current-deployment, new-deployment]}",
            "traffic:", f"  - {{router: my-router, rate: {rate}/s}}"]
    if events:
        out.append("timeline:")
        for k in range(events):
            at = duration * (k + 1) / (events + 1)
            out += [f"  - at: {at:.6f}s",
                    f"    run: firectl deployment scale new-deployment --replica-count={1 + k % 2}"]
    open(f"{work}/{name}.yaml", "w").write("\n".join(out) + "\n")
write("selection", n, 1000000)
write("selection-small", n // 10, 1000000)
write("serving", n, 1000000, serving=True)
write("serving-small", n // 10, 1000000, serving=True)
write("quiet", n // 100, 10000)
write("events", n // 100, 10000, events=10000)
PY
cp scenarios/docs-migration.yaml "$work/plots.yaml"

field() { awk -v k="$1" '$1 == k {print $2}'; }
bare() { "$build/routersim_bench" bare "$@" | field bare_seconds; }
run() { # name [command prefix...] [-- extra options] -> "seconds rss_kib" of one whole run
  local name=$1 out
  shift
  local prefix=() extra=(--no-plots)
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then
      shift
      extra=("$@")
      break
    fi
    prefix+=("$1")
    shift
  done
  rm -rf "$work/out-$name"
  out=$("$build/routersim_bench" measure "${prefix[@]}" "$build/routersim" run "$work/$name.yaml" \
    --quiet "${extra[@]}" --out "$work/out-$name" 2>/dev/null)
  echo "$(echo "$out" | field seconds) $(echo "$out" | field max_rss_kib)"
}
record() { echo "$1 $2" >>"$work/times"; } # key seconds
median() { awk -v c="$1" '$1 == c {print $2}' "$work/times" | sort -g |
  awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

one_core=()
if command -v taskset >/dev/null; then one_core=(taskset -c 0); fi
for ((i = 0; i < pairs; i++)); do
  a=$(bare "$n")
  read -r b rss_selection < <(run selection)
  record selection-bare "$a"; record selection "$b"
  record selection-ratio "$(awk -v a="$a" -v b="$b" 'BEGIN {print b / a}')"
  a=$(bare "$n" serving)
  read -r b rss_serving < <(run serving)
  record serving-bare "$a"; record serving "$b"
  record serving-ratio "$(awk -v a="$a" -v b="$b" 'BEGIN {print b / a}')"
  read -r a _ < <(run quiet)
  read -r b _ < <(run events)
  record events-quiet "$a"; record events "$b"
  record events-ratio "$(awk -v a="$a" -v b="$b" 'BEGIN {print b / a}')"
  record events-each "$(awk -v a="$a" -v b="$b" 'BEGIN {print (b - a) / 10000 * 1e6}')"
  read -r a _ < <(run plots)
  read -r b _ < <(run plots --)
  record plots-none "$a"; record plots "$b"
  record plots-ratio "$(awk -v a="$a" -v b="$b" 'BEGIN {print b / a}')"
  if [ ${#one_core[@]} -gt 0 ]; then
    read -r c _ < <(run plots "${one_core[@]}" --)
    record plots-one-core "$c"
    record plots-one-core-ratio "$(awk -v b="$b" -v c="$c" 'BEGIN {print c / b}')"
  fi
done
read -r _ rss_selection_small < <(run selection-small)
read -r _ rss_serving_small < <(run serving-small)
plots=$(find "$work/out-plots" -name '*.svg' | wc -l)

m() { median "$1"; }
echo "median of $pairs interleaved pairs; $n requests (events: $((n / 100)) requests)"
echo
echo "| case | yardstick | yardstick s | case s | ratio |"
echo "| --- | --- | --- | --- | --- |"
printf "| selection only, %s requests | bare loop, 2 draws a request | %.3f | %.3f | %.2fx |\n" \
  "$n" "$(m selection-bare)" "$(m selection)" "$(m selection-ratio)"
printf "| serving model on, %s requests | bare loop, 3 draws a request | %.3f | %.3f | %.2fx |\n" \
  "$n" "$(m serving-bare)" "$(m serving)" "$(m serving-ratio)"
printf "| 10,000 timeline events, %s requests | the same without events | %.3f | %.3f | %.2fx (%.0f us an event) |\n" \
  "$((n / 100))" "$(m events-quiet)" "$(m events)" "$(m events-ratio)" "$(m events-each)"
printf "| %s plots drawn concurrently | --no-plots | %.3f | %.3f | %.2fx |\n" \
  "$plots" "$(m plots-none)" "$(m plots)" "$(m plots-ratio)"
if [ ${#one_core[@]} -gt 0 ]; then
  printf "| the same plots on one core (taskset -c 0) | drawn concurrently | %.3f | %.3f | %.2fx |\n" \
    "$(m plots)" "$(m plots-one-core)" "$(m plots-one-core-ratio)"
fi
echo
echo "serving against the 2-draw bare loop (medians, not paired): $(awk -v a="$(m selection-bare)" \
  -v b="$(m serving)" 'BEGIN {printf "%.2fx", b / a}')"
echo "peak RSS, selection only:   ${rss_selection_small} KiB at $((n / 10)), ${rss_selection} KiB at $n requests"
echo "peak RSS, serving model on: ${rss_serving_small} KiB at $((n / 10)), ${rss_serving} KiB at $n requests"
