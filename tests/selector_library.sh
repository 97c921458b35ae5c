#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# libroutersim-selector as a gateway gets it from the staged install: the shared library
# exports exactly the header's SELECTOR_API functions, needs nothing but the C library (no
# GSL), carries its SONAME; pkg-config finds it; and the example gateway, copied out and
# built with its own Makefile against the shared and the static library, splits requests
# read from stdin by replicas.
# Usage: selector_library.sh BUILD_DIR PREFIX INCLUDEDIR LIBDIR SOURCE_DIR
set -eu
stage=$1/stage$2
include=$stage/$3 lib=$stage/$4 src=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "selector_library.sh: $*" >&2
    exit 1
}

so=$lib/libroutersim-selector.so.1
header=$include/routersim/selector.h
# exported functions == the functions the header declares (each must be marked SELECTOR_API
# to be exported at all, the library being built with -fvisibility=hidden)
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort >"$tmp/exported"
sed -n 's/^[A-Za-z_][A-Za-z0-9_ ]*[ *]\(selector_[a-z_]*\)(.*/\1/p' "$header" | sort >"$tmp/declared"
[ "$(wc -l <"$tmp/declared")" -ge 10 ] || fail "the header's functions were not found in $header"
diff "$tmp/declared" "$tmp/exported" >"$tmp/diff" ||
    fail "exported symbols differ from the header's API (< header, > library): $(cat "$tmp/diff")"
nm -D --defined-only "$so" | awk '$2 != "T" && $2 != "A" { print }' >"$tmp/other"
[ ! -s "$tmp/other" ] || fail "the library exports data or other symbols: $(cat "$tmp/other")"
# (a sanitizer build's library also needs the sanitizers' run-times: SANITIZE_FLAGS is set)
readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$tmp/needed"
if grep -v '^libc\.so\.6$' "$tmp/needed" | grep -qv '^lib\(a\|ub\)san\.so'; then
    fail "the library needs more than the C library: $(tr '\n' ' ' <"$tmp/needed")"
fi
readelf -d "$so" | grep -q 'SONAME.*\[libroutersim-selector\.so\.1\]' || fail "SONAME"
grep -qi gsl "$header" && fail "the installed header mentions GSL"

export PKG_CONFIG_PATH="$lib/pkgconfig"
libs=$(pkg-config --libs routersim-selector) || fail "pkg-config does not find routersim-selector"
case $libs in *gsl* | *-lm*) fail "the link line pulls more than the library: $libs" ;; esac

cp "$src/examples/gateway.c" "$src/examples/Makefile" "$tmp"
if [ -n "${SANITIZE_FLAGS:-}" ]; then
    export CFLAGS="-O1 -g $SANITIZE_FLAGS" LDFLAGS="$SANITIZE_FLAGS"
fi
make -s -C "$tmp" >/dev/null || fail "the example gateway does not build (shared)"
mv "$tmp/gateway" "$tmp/gateway-shared"
make -s -C "$tmp" STATIC=1 >/dev/null || fail "the example gateway does not build (static)"
readelf -d "$tmp/gateway" | grep -q routersim && fail "the static gateway still needs the library"
readelf -d "$tmp/gateway-shared" | grep -q 'NEEDED.*libroutersim-selector\.so\.1' ||
    fail "the shared gateway does not link libroutersim-selector.so.1"

# 40000 requests over a=3, b=1, c=0: c never; a's count within 5 binomial standard
# deviations of 30000 (sd = sqrt(40000 * 3/4 * 1/4) = 86.6). Then a scaled to 0: all to b;
# b scaled to 0 too: no replicas ("-").
{
    seq 1 40000
    echo '!scale a 0'
    seq 40001 40100
    echo '!scale b 0'
    echo last
} >"$tmp/requests"
for gw in gateway gateway-shared; do
    LD_LIBRARY_PATH="$lib" "$tmp/$gw" --seed 7 a=3 b=1 c=0 <"$tmp/requests" >"$tmp/$gw.out" ||
        fail "$gw exited $?"
    [ "$(wc -l <"$tmp/$gw.out")" -eq 40101 ] || fail "$gw: expected 40101 answers"
    head -n 40000 "$tmp/$gw.out" | awk '
        { n[$2]++ }
        END { if (n["c"] > 0 || n["a"] + n["b"] != 40000 || n["a"] < 30000 - 433 || n["a"] > 30000 + 433) {
                  printf "a %d b %d c %d\n", n["a"], n["b"], n["c"]; exit 1 } }' ||
        fail "$gw: the split is not 3:1:0"
    sed -n '40001,40100p' "$tmp/$gw.out" | awk '$2 != "b" { exit 1 }' || fail "$gw: scaled a to 0"
    [ "$(tail -n 1 "$tmp/$gw.out")" = "last -" ] || fail "$gw: no replicas must answer '-'"
done
cmp -s "$tmp/gateway.out" "$tmp/gateway-shared.out" || fail "static and shared gateways differ"
