#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The MPI build's promise for plans: `mpirun -n R routersim plan ...` (every rank planning in
# lockstep, rank 0 writing) writes the same plan folder, byte for byte, and prints the same
# summary with the same exit status as the threaded plan. Cases: the bundled capacity plan
# over 2 and 3 ranks (3 does not divide the sequential rule's stopping points), a capacity
# plan that finds nothing within its bounds (exit 1), and the bundled migration plan.
# Run as root in CI: mpirun needs leave for that, and containers often refuse shared-memory
# single copies (both set here).
# Usage: mpi_same_plan.sh ROUTERSIM SOURCE_DIR MPIEXEC
set -u
routersim=$1 src=$2 mpiexec=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

same() { # name, ranks, arguments after `plan`
    name=$1 ranks=$2
    shift 2
    if [ ! -d "$tmp/$name-threads" ]; then
        "$routersim" plan "$@" --jobs 2 --out "$tmp/$name-threads" >"$tmp/$name-threads.txt" 2>&1
        echo $? >"$tmp/$name-threads.rc"
    fi
    threads=$(cat "$tmp/$name-threads.rc")
    "$mpiexec" --oversubscribe -n "$ranks" "$routersim" plan "$@" --out "$tmp/$name-mpi$ranks" \
        >"$tmp/$name-mpi$ranks.txt" 2>"$tmp/$name-mpi$ranks.err"
    mpi=$?
    sed "s|$tmp/$name-[a-z0-9]*|OUT|" "$tmp/$name-threads.txt" >"$tmp/a.txt"
    sed "s|$tmp/$name-[a-z0-9]*|OUT|" "$tmp/$name-mpi$ranks.txt" >"$tmp/b.txt"
    if [ "$threads" -gt 1 ] || [ $mpi -ne "$threads" ]; then
        echo "$name: exit status $mpi under mpirun -n $ranks, $threads on threads" >&2
        cat "$tmp/$name-mpi$ranks.err" >&2
        failed=1
    elif ! diff -r "$tmp/$name-threads" "$tmp/$name-mpi$ranks" >&2 ||
        ! diff "$tmp/a.txt" "$tmp/b.txt" >&2; then
        echo "$name: mpirun -n $ranks and --jobs 2 differ (above)" >&2
        failed=1
    else
        echo "$name: mpirun -n $ranks writes the same plan and summary (exit $mpi)"
    fi
}

same capacity 2 capacity "$src/scenarios/plan-capacity.yaml"
same capacity 3 capacity "$src/scenarios/plan-capacity.yaml"
same none 2 capacity "$src/scenarios/plan-capacity.yaml" --max-replicas 2
same migration 2 migration "$src/scenarios/plan-migration.yaml" --router chat-router \
    --from chat-v1 --to chat-v2 --steps 10,50,100
exit $failed
