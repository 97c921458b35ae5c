#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Warnings are errors in our builds only: a plain configure (as a user or a packager runs
# it) leaves -Werror off, and scripts/test.sh, the dev and CI build, turns it on.
# Usage: werror_default.sh SOURCE_DIR
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp" -DROUTERSIM_TESTS=OFF >/dev/null
grep -qx 'ROUTERSIM_WERROR:BOOL=OFF' "$tmp/CMakeCache.txt" || {
    echo "a default configure turns -Werror on" >&2
    exit 1
}
if grep -rq -- '-Werror' "$tmp/CMakeFiles" 2>/dev/null; then
    echo "a default configure compiles with -Werror" >&2
    exit 1
fi
grep -q -- '-DROUTERSIM_WERROR=ON' "$src/scripts/test.sh" || {
    echo "scripts/test.sh does not build with -DROUTERSIM_WERROR=ON" >&2
    exit 1
}
