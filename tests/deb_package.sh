#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `cpack -G DEB` builds the Debian packages, and dpkg-deb shows what apt would install.
# routersim's Depends name the Debian runtime package of every library the binary needs (as
# dpkg itself says which package owns it), gnuplot-nox is only recommended;
# libroutersim-selector1 needs libc6 alone and -dev that exact library; each package has its
# files and a copyright file.
# Usage: deb_package.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "deb_package.sh: $*" >&2
    exit 1
}

cpack -G DEB -B "$tmp/pkg" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1 ||
    fail "cpack failed: $(cat "$tmp/cpack.log")"
deb=$(ls "$tmp"/pkg/routersim_*.deb)
lib=$(ls "$tmp"/pkg/libroutersim-selector1_*.deb)
dev=$(ls "$tmp"/pkg/libroutersim-selector-dev_*.deb)
field() { dpkg-deb -f "$1" "$2"; }
for d in "$deb" "$lib" "$dev"; do
    for f in Version Maintainer Description; do
        [ -n "$(field "$d" $f)" ] || fail "$d: $f is required"
    done
    dpkg-deb -c "$d" | awk '{ print $6 }' >"$tmp/files"
    grep -q "^\./usr/share/doc/$(field "$d" Package)/copyright$" "$tmp/files" ||
        fail "$(field "$d" Package) has no copyright file"
    grep -q '^\./usr/local/' "$tmp/files" && fail "$(field "$d" Package) installs under /usr/local"
done
depends=$(field "$deb" Depends)
recommends=$(field "$deb" Recommends)
names() { printf '%s\n' "$1" | tr ',' '\n' | sed 's/^ *//; s/ .*//'; }

# Every library the packaged binary needs directly (the ones those need come with their own
# packages' Depends), resolved on this machine, belongs to a package that Depends names.
dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/routersim
readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$tmp/needed"
ldd "$bin" | awk 'NR == FNR { needed[$1] = 1; next }
                  $2 == "=>" && ($1 in needed) && $3 ~ /^\// { print $3 }' "$tmp/needed" - >"$tmp/libs"
[ "$(wc -l <"$tmp/libs")" -eq "$(wc -l <"$tmp/needed")" ] || fail "ldd did not resolve every NEEDED"
while read -r so; do
    owner=$(dpkg-query -S "$(readlink -f "$so")" 2>/dev/null || dpkg-query -S "$so") ||
        fail "no Debian package owns $so"
    names "$depends" | grep -qx "${owner%%:*}" ||
        fail "Depends ($depends) lacks ${owner%%:*}, which provides $so"
done <"$tmp/libs"
for package in libgsl libyaml-0-2; do
    case $depends in *"$package"*) ;; *) fail "Depends lacks $package: $depends" ;; esac
done
case $depends in *gnuplot*) fail "gnuplot must be recommended, not required: $depends" ;; esac
case $recommends in *gnuplot-nox*) ;; *) fail "Recommends lacks gnuplot-nox: $recommends" ;; esac

# The library package: the shared library alone, for nothing but libc; the -dev package
# needs exactly this version of it.
[ "$(names "$(field "$lib" Depends)")" = libc6 ] ||
    fail "libroutersim-selector1 must depend on libc6 only: $(field "$lib" Depends)"
[ "$(field "$dev" Depends)" = "$(field "$lib" Package) (= $(field "$lib" Version))" ] ||
    fail "the -dev package's Depends: $(field "$dev" Depends)"

contents() { dpkg-deb -c "$1" | awk '{ print $6 }'; }
for f in ./usr/bin/routersim ./usr/share/man/man1/routersim.1.gz ./usr/share/doc/routersim/README.md \
    ./usr/share/routersim/scenarios/docs-migration.yaml \
    ./usr/share/routersim/schemas/scenario.schema.json; do
    contents "$deb" | grep -qx "$f" || fail "routersim lacks $f"
done
contents "$lib" | grep -qx ./usr/lib/libroutersim-selector.so.1 ||
    fail "libroutersim-selector1 lacks ./usr/lib/libroutersim-selector.so.1"
contents "$lib" | grep -q '\.so$\|\.a$\|\.h$' && fail "libroutersim-selector1 holds development files"
for f in ./usr/include/routersim/selector.h ./usr/lib/pkgconfig/routersim-selector.pc \
    ./usr/lib/libroutersim-selector.so ./usr/lib/libroutersim-selector.a; do
    contents "$dev" | grep -qx "$f" || fail "libroutersim-selector-dev lacks $f"
done

# The packaged binary runs (its libraries are this machine's).
"$tmp/root/usr/bin/routersim" validate "$tmp/root/usr/share/routersim/scenarios/ab-test.yaml" \
    >/dev/null || fail "the packaged binary does not validate a packaged scenario"
