#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Replications per second: `routersim run scenarios/migration-capacity.yaml --replications N
# --no-plots` on J = 1 and J = 2 threads, and, where OpenMPI is installed (scripts/setup.sh
# --mpi), the MPI build on 1 and 3 ranks of one thread each. Wall time of the whole command
# (start-up, every replication, the reports), from routersim_bench measure, and the CPU time
# per replication: the speed-up needs idle cores (the kernel shares a busy machine's CPU
# between sessions, whatever their thread count), while the CPU time shows the cost of going
# parallel even then. bench/run.sh runs it after the request benchmark; it runs alone too.
# Usage: bench/replications.sh [N]   (default 96)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-96}
build="build-bench"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DROUTERSIM_TESTS=OFF >/dev/null
cmake --build "$build" -j2 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scenario=scenarios/migration-capacity.yaml

rate() { # command... : prints wall seconds, replications per second, CPU ms per replication
    local out seconds
    out=$("$build/routersim_bench" measure "$@" --out "$work/out" 2>"$work/err") || true
    if ! echo "$out" | grep -qx 'exit [01]'; then
        cat "$work/err" >&2
        echo "bench: the run failed: $*" >&2
        exit 1
    fi
    seconds=$(echo "$out" | awk '$1 == "seconds" {print $2}')
    cpu=$(echo "$out" | awk '$1 == "cpu_seconds" {print $2}')
    awk -v s="$seconds" -v c="$cpu" -v n="$n" 'BEGIN {printf "%.3f %.2f %.1f\n", s, n / s, 1000 * c / n}'
}

res=$(rate "$build/routersim" run "$scenario" --replications "$n" --jobs 1 --quiet --no-plots)
read -r s1 r1 c1 <<<"$res"
res=$(rate "$build/routersim" run "$scenario" --replications "$n" --jobs 2 --quiet --no-plots)
read -r s2 r2 c2 <<<"$res"
echo "replications of $scenario, N = $n, no plots, on $(nproc) processors:"
echo "  --jobs 1:  ${s1}s, $r1 replications/s, $c1 CPU ms per replication"
echo "  --jobs 2:  ${s2}s, $r2 replications/s, $c2 CPU ms per replication"
awk -v a="$s1" -v b="$s2" 'BEGIN {printf "  speed-up J = 2 over J = 1: %.2fx\n", a / b}'

if ! command -v mpirun >/dev/null; then
    echo "  MPI: skipped, OpenMPI is not installed (scripts/setup.sh --mpi)"
    exit 0
fi
mpi="build-bench-mpi"
cmake -S . -B "$mpi" -DCMAKE_BUILD_TYPE=Release -DROUTERSIM_TESTS=OFF -DROUTERSIM_MPI=ON >/dev/null
cmake --build "$mpi" -j2 --target routersim >/dev/null
# as root (CI, containers) mpirun needs leave; containers often refuse shared-memory copies
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
res=$(rate mpirun --oversubscribe -n 1 "$mpi/routersim" run "$scenario" --replications "$n" \
    --jobs 1 --quiet --no-plots)
read -r m1 q1 d1 <<<"$res"
res=$(rate mpirun --oversubscribe -n 3 "$mpi/routersim" run "$scenario" --replications "$n" \
    --jobs 1 --quiet --no-plots)
read -r m3 q3 d3 <<<"$res"
echo "  mpirun -n 1 (1 thread):  ${m1}s, $q1 replications/s, $d1 CPU ms per replication"
echo "  mpirun -n 3 (1 thread each):  ${m3}s, $q3 replications/s, $d3 CPU ms per replication"
awk -v a="$m1" -v b="$m3" 'BEGIN {printf "  speed-up 3 ranks over 1: %.2fx\n", a / b}'
