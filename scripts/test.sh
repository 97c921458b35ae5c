#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up what the tests need, builds, and runs the whole suite twice: a RelWithDebInfo build
# as users build it but with warnings as errors (-Werror is off by default and on in this, the
# dev and CI build; this one also runs the bundled scenarios under valgrind), then an
# AddressSanitizer + UndefinedBehaviorSanitizer build. The benchmark's -O3 build is compiled
# too, since optimisation levels warn about different things. Last, a ThreadSanitizer build
# runs the engine on threads (scripts/tsan.sh; it says so loudly when TSan cannot start here),
# and an MPI build (-DROUTERSIM_MPI=ON) checks that mpirun -n 3 writes the threaded reports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test --mpi

build() { # build-dir, build type, cmake options...
  local dir=$1 type=$2
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DROUTERSIM_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j2
}

echo "== the benchmark's Release build compiles without warnings"
build build-release Release -DROUTERSIM_TESTS=OFF
echo "== warnings-as-errors build (RelWithDebInfo, as the README builds it)"
build build-dev RelWithDebInfo
ctest --test-dir build-dev --output-on-failure -j2 --timeout 300
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
build build-asan Debug -DROUTERSIM_SANITIZE=ON
ctest --test-dir build-asan --output-on-failure -j2 --timeout 300
echo "== ThreadSanitizer build: the engine and replications on threads"
scripts/tsan.sh
echo "== MPI build: mpirun --oversubscribe -n 3 writes the same reports as threads"
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROUTERSIM_WERROR=ON \
    -DROUTERSIM_MPI=ON >/dev/null
cmake --build build-mpi -j2 --target routersim
ctest --test-dir build-mpi -R '^mpi\.' --output-on-failure
