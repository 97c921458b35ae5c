#!/usr/bin/env bash
# Sets up what the tests need, builds, and runs the whole suite twice: a warnings-as-errors
# build (which also runs the bundled scenarios under valgrind), then an AddressSanitizer +
# UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

run_suite() { # build-dir, cmake options...
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DROUTERSIM_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j2
  ctest --test-dir "$dir" --output-on-failure -j2 --timeout 300
}

echo "== warnings-as-errors build"
run_suite build-dev
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
run_suite build-asan -DROUTERSIM_SANITIZE=ON
