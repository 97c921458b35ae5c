#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The layers of routersim, bottom to top. A file may include headers of its own folder and
# of folders in a lower layer, never of a higher one or of a sibling in the same layer:
# data flows one way, scenario -> world -> engine -> results -> views -> reports and plots.
#   0 sim/base   building blocks that know nothing of routers or scenarios
#   1 sim/model  the world, the scenario as plain data, the results of a run
#   2 sim/load   YAML -> scenario          2 sim/run  the engine and the deployments' side
#   3 sim/stats  verdicts over results
#   4 views      results turned into tables and series for writers
#   5 plots      6 reports                 7 sim/main.c (the command)
# Usage: layering.sh SOURCE_DIR. Prints each include that breaks the rule; fails if any.
set -eu
cd "$1"
rank() {
    case $1 in
    sim/base/*) echo 0 ;; sim/model/*) echo 1 ;; sim/load/* | sim/run/*) echo 2 ;;
    sim/stats/*) echo 3 ;; views/*) echo 4 ;; plots/*) echo 5 ;; reports/*) echo 6 ;;
    sim/main.c) echo 7 ;; *) echo "unknown" ;;
    esac
}
bad=0
for file in sim/*/*.[ch] sim/main.c views/*.[ch] plots/*.[ch] reports/*.[ch]; do
    from=$(rank "$file")
    if [ "$from" = unknown ]; then
        echo "$file: not in any layer (add its folder to tests/layering.sh)"
        bad=1
        continue
    fi
    for header in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file"); do
        [ "$(dirname "$header")" = "$(dirname "$file")" ] && continue
        to=$(rank "$header")
        if [ "$to" = unknown ] || [ "$to" -ge "$from" ]; then
            echo "$file includes $header: a layer above its own or beside it"
            bad=1
        fi
    done
done
[ $bad -eq 0 ] && echo "layering: every include points down"
exit $bad
