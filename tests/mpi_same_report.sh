#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The MPI build's promise: `mpirun -n 3 routersim run ... --replications N` writes the same
# report folder, byte for byte, and prints the same summary with the same exit status as the
# threaded run of the same command. Cases: plots on (7 replications over 3 ranks), a
# sequential rule that fails early (rank 0 stops the others mid-run), and fewer
# replications than ranks with a --set override (which the other ranks must apply too), and
# pooled traffic drawn on producer threads. Run as root in CI: mpirun needs leave for that,
# and containers often refuse shared-memory single copies (both set here).
# Usage: mpi_same_report.sh ROUTERSIM SOURCE_DIR MPIEXEC
set -u
routersim=$1 src=$2 mpiexec=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

same() { # name, arguments after `run`
    name=$1
    shift
    "$routersim" run "$@" --jobs 2 --out "$tmp/$name-threads" >"$tmp/$name-threads.txt" 2>&1
    threads=$?
    "$mpiexec" --oversubscribe -n 3 "$routersim" run "$@" --out "$tmp/$name-mpi" \
        >"$tmp/$name-mpi.txt" 2>"$tmp/$name-mpi.err"
    mpi=$?
    sed -i "s|$tmp/$name-[a-z]*|OUT|" "$tmp/$name-threads.txt" "$tmp/$name-mpi.txt"
    if [ $threads -gt 1 ] || [ $mpi -ne $threads ]; then
        echo "$name: exit status $mpi under mpirun, $threads on threads" >&2
        cat "$tmp/$name-mpi.err" >&2
        failed=1
    elif ! diff -r "$tmp/$name-threads" "$tmp/$name-mpi" >&2 ||
        ! diff "$tmp/$name-threads.txt" "$tmp/$name-mpi.txt" >&2; then
        echo "$name: mpirun -n 3 and --jobs 2 differ (above)" >&2
        failed=1
    else
        echo "$name: the same reports and summary (exit $mpi)"
    fi
}

same plots "$src/scenarios/migration-capacity.yaml" --replications 7
same sequential "$src/scenarios/ci-gate-fails.yaml" --replications 20 --sequential --no-plots
same few "$src/scenarios/ab-test.yaml" --replications 2 --no-plots --set traffic.0.rate=50/s
# Pooled traffic: 20 constant-rate entries, 236,000 arrivals a replication, drawn on each
# rank's (and each thread's) producer thread from a stream of their own.
pooled=$tmp/pooled.yaml
{
    printf 'name: pooled\naccount: acme\nseed: 3\nduration: 20s\ndeployments:\n'
    for r in $(seq 0 19); do printf '  - {id: d%s, replicas: 1}\n  - {id: e%s, replicas: 2}\n' $r $r; done
    printf 'routers:\n'
    for r in $(seq 0 19); do printf '  - {id: r%s, deployments: [d%s, e%s]}\n' $r $r $r; done
    printf 'traffic:\n'
    for r in $(seq 0 19); do printf '  - {router: r%s, rate: %s/s}\n' $r $((400 + 20 * r)); done
} >"$pooled"
same pooled "$pooled" --replications 4 --no-plots
exit $failed
