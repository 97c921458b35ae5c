#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The ThreadSanitizer stage of scripts/test.sh: a build of its own (build-tsan) with
# -DROUTERSIM_SANITIZE=thread, then the engine and its statistics on several threads at
# once (tests/test_threads.c), the pooled arrivals' producer thread (tests/test_arrivalfeed.c,
# tests/test_pool.c) and, where the command has it, a replicated run on 2 jobs.
# Any data race fails the stage.
#
# TSan needs a fixed memory layout: on kernels with more address-space randomisation
# (vm.mmap_rnd_bits > 28) it aborts at start with "unexpected memory mapping". Then every
# step is retried with randomisation off for the process (setarch -R); if TSan still
# cannot start, the stage says so in a banner and is skipped, never counted as passed.
# Usage: scripts/tsan.sh   (from anywhere; about a minute on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-tsan
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROUTERSIM_WERROR=ON \
    -DROUTERSIM_SANITIZE=thread >/dev/null
cmake --build "$dir" -j2 --target test_threads test_arrivalfeed test_pool routersim >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"

# How TSan is started: plainly, or under setarch -R once it turned out to need it.
launcher=()
cannot_start() { grep -q "unexpected memory mapping" "$1"; }

run() { # log-file command... : runs it, retrying once under setarch -R if TSan cannot start
    local log=$1 rc=0
    shift
    "${launcher[@]}" "$@" >"$log" 2>&1 || rc=$?
    if [ $rc -ne 0 ] && [ ${#launcher[@]} -eq 0 ] && cannot_start "$log"; then
        echo "ThreadSanitizer cannot start with this kernel's address-space randomisation" \
            "(vm.mmap_rnd_bits = $(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo '?'));" \
            "retrying with it off: setarch $(uname -m) -R"
        launcher=(setarch "$(uname -m)" -R)
        rc=0
        "${launcher[@]}" "$@" >"$log" 2>&1 || rc=$?
    fi
    if [ $rc -ne 0 ] && cannot_start "$log"; then
        printf '%s\n' "" \
            "################################################################################" \
            "### SKIPPED: ThreadSanitizer cannot start on this machine, even with address-" \
            "### space randomisation off (setarch -R). NOTHING WAS CHECKED FOR DATA RACES." \
            "### Run scripts/tsan.sh where vm.mmap_rnd_bits <= 28 (sysctl vm.mmap_rnd_bits=28)." \
            "################################################################################" ""
        exit 0
    fi
    return $rc
}

echo "-- the engine and its statistics on 4 threads at once (test_threads), pooled arrivals"
echo "   drawn on a producer thread (test_arrivalfeed, test_pool)"
if ! run "$work/ctest.log" ctest --test-dir "$dir" -R '^(test_threads|test_arrivalfeed|test_pool)\.' \
    --output-on-failure; then
    cat "$work/ctest.log"
    exit 1
fi
grep -E "tests passed" "$work/ctest.log"

# The replicated run: threads sharing one scenario, each with its own engine.
echo "-- a replicated run on 2 jobs, with its plots"
rc=0
run "$work/run.log" "$dir/routersim" run scenarios/migration-capacity.yaml --replications 6 \
    --jobs 2 --quiet --out "$work/out" || rc=$?
# 0 or 1 is the scenario's verdict; TSan's is 66, and it prints its warnings
if [ $rc -gt 1 ] || grep -q "ThreadSanitizer" "$work/run.log"; then
    cat "$work/run.log"
    echo "ThreadSanitizer: the replicated run failed (exit $rc)" >&2
    exit 1
fi
echo "replicated run on 2 jobs: no data race"
