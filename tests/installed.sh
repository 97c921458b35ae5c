#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What `cmake --install` put in the staging root works as installed: the binary runs a
# bundled scenario from its installed place, the man page reads with man(1), and the docs,
# licenses, header, libraries and pkg-config file are where GNUInstallDirs says.
# Usage: installed.sh BUILD_DIR PREFIX BINDIR DATADIR MANDIR DOCDIR INCLUDEDIR LIBDIR
set -eu
stage=$1/stage$2
bin=$stage/$3 data=$stage/$4 man=$stage/$5 doc=$stage/$6 include=$stage/$7 lib=$stage/$8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "installed.sh: $*" >&2
    exit 1
}

for f in "$bin/routersim" "$man/man1/routersim.1.gz" "$data/routersim/scenarios/docs-migration.yaml" \
    "$data/routersim/scenarios/traces/chat-10m.csv" "$doc/README.md" "$doc/scenario-format.md" \
    "$doc/ci.md" "$doc/schemas.md" "$data/routersim/schemas/scenario.schema.json" \
    "$data/routersim/schemas/report.schema.json" \
    "$doc/LICENSE" "$doc/MIT.txt" "$doc/copyright" "$data/doc/libroutersim-selector-dev/examples/gateway.c" \
    "$include/routersim/selector.h" "$lib/libroutersim-selector.a" "$lib/libroutersim-selector.so" \
    "$lib/libroutersim-selector.so.1" "$lib/pkgconfig/routersim-selector.pc"; do
    [ -e "$f" ] || fail "not installed: $f"
done

# The installed binary on an installed scenario, from an unrelated working directory: a
# passing one exits 0 and writes its reports; one that fails on purpose exits 1; a scenario
# whose trace sits next to it (traces/) finds it.
cd "$tmp"
"$bin/routersim" --version | grep -q '^routersim [0-9]' || fail "--version"
"$bin/routersim" validate "$data/routersim/scenarios/trace-replay.yaml" >/dev/null ||
    fail "the installed trace-replay scenario does not validate"
"$bin/routersim" run "$data/routersim/scenarios/docs-migration.yaml" --quiet --no-plots \
    --out "$tmp/out" || fail "the installed docs-migration scenario did not pass"
for f in report.json report.md report.html junit.xml timeseries.csv; do
    [ -s "$tmp/out/$f" ] || fail "the installed binary did not write $f"
done
status=0
"$bin/routersim" run "$data/routersim/scenarios/ci-gate-fails.yaml" --quiet --no-plots \
    --out "$tmp/fails" || status=$?
[ "$status" -eq 1 ] || fail "ci-gate-fails exited $status, expected 1"

# The installed scenario schema validates an installed scenario, and the report schema the
# report the installed binary wrote, as docs/schemas.md shows.
python3 -c 'import sys, json, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validate(yaml.safe_load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)
schema = json.load(open(sys.argv[3]))
jsonschema.validate(json.load(open(sys.argv[4])), schema, cls=jsonschema.Draft202012Validator)' \
    "$data/routersim/schemas/scenario.schema.json" "$data/routersim/scenarios/docs-migration.yaml" \
    "$data/routersim/schemas/report.schema.json" "$tmp/out/report.json" ||
    fail "the installed schemas do not validate an installed scenario and its report"

# man routersim, as a user reads it once the man directory is on the man path
MANPATH="$man" MANWIDTH=80 man routersim 2>"$tmp/man.err" | grep -q 'routersim run' ||
    fail "man routersim does not show the page: $(cat "$tmp/man.err")"
