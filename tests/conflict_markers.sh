#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# No merge-conflict markers in what we ship: a half-resolved merge once left one in
# docs/planning.md, where no build step or test looked. Scans every text file of the
# source tree except build folders and the git directory.
# Usage: conflict_markers.sh SOURCE_DIR. Prints each marker with its place; fails if any.
set -eu
cd "$1"
found=$(find . \( -name .git -o -name 'build*' \) -prune -o -type f \
    \( -name '*.[ch]' -o -name '*.md' -o -name '*.yaml' -o -name '*.sh' -o -name '*.py' \
       -o -name '*.txt' -o -name '*.json' -o -name '*.1' -o -name '*.gp' -o -name '*.csv' \) \
    -print | xargs grep -nE '^(<<<<<<<|>>>>>>>) |^\|\|\|\|\|\|\| ' 2>/dev/null || true)
if [ -n "$found" ]; then
    echo "$found"
    echo "conflict markers: a merge was left half-resolved"
    exit 1
fi
echo "conflict markers: none"
