#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The layers of routersim, bottom to top. A file may include headers of its own folder and
# of folders in a lower layer, never of a higher one or of a sibling in the same layer:
# data flows one way, scenario -> world -> engine -> results -> views -> reports and plots.
#   0 sim/base   building blocks that know nothing of routers or scenarios
#   1 sim/model  the world, the scenario as plain data, the results of a run
#   2 sim/load   YAML -> scenario          2 sim/run  the engine and the deployments' side
#   3 sim/stats  verdicts over results
#   3.5 sim/plan plans searched over replicated verdicts (candidates, capacity search)
#   4 views      results turned into tables and series for writers
#   5 plots      6 reports                 7 sim/main.c (the command)
# Usage: layering.sh SOURCE_DIR. Prints each include that breaks the rule; fails if any.
set -eu
cd "$1"
grep -H '^#include "' sim/*/*.[ch] sim/main.c views/*.[ch] plots/*.[ch] reports/*.[ch] |
    awk -F'"' '
    function rank(path) {
        if (path ~ /^sim\/base\//) return 0
        if (path ~ /^sim\/model\//) return 1
        if (path ~ /^sim\/(load|run)\//) return 2
        if (path ~ /^sim\/stats\//) return 3
        if (path ~ /^sim\/plan\//) return 3.5
        if (path ~ /^views\//) return 4
        if (path ~ /^plots\//) return 5
        if (path ~ /^reports\//) return 6
        if (path == "sim/main.c") return 7
        return -1
    }
    function dir(path) { sub(/\/[^\/]*$/, "", path); return path }
    {
        file = $1; sub(/:.*/, "", file); header = $2
        if (rank(file) < 0) { print file ": not in any layer (add its folder to tests/layering.sh)"; bad = 1; next }
        if (dir(header) == dir(file)) next
        if (rank(header) < 0 || rank(header) >= rank(file)) {
            print file " includes " header ": a layer above its own or beside it"; bad = 1
        }
    }
    END { if (!bad) print "layering: every include points down"; exit bad }'
