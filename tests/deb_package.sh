#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `cpack -G DEB` builds the Debian package, and dpkg-deb shows what apt would install: its
# Depends name the Debian runtime package of every library the binary needs (as dpkg itself
# says which package owns it), gnuplot-nox is only recommended, and the files are in place.
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
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = routersim ] || fail "Package: $(field Package)"
[ -n "$(field Version)" ] && [ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] ||
    fail "Version, Maintainer and Description are required"
depends=$(field Depends)
recommends=$(field Recommends)

# Every library the packaged binary needs directly (the ones those need come with their own
# packages' Depends), resolved on this machine, belongs to a package that Depends names.
dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/routersim
readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$tmp/needed"
ldd "$bin" | awk 'NR == FNR { needed[$1] = 1; next }
                  $2 == "=>" && ($1 in needed) && $3 ~ /^\// { print $3 }' "$tmp/needed" - >"$tmp/libs"
[ "$(wc -l <"$tmp/libs")" -eq "$(wc -l <"$tmp/needed")" ] || fail "ldd did not resolve every NEEDED"
while read -r lib; do
    owner=$(dpkg-query -S "$(readlink -f "$lib")" 2>/dev/null || dpkg-query -S "$lib") ||
        fail "no Debian package owns $lib"
    package=${owner%%:*}
    printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$package" ||
        fail "Depends ($depends) lacks $package, which provides $lib"
done <"$tmp/libs"
for package in libgsl libyaml-0-2; do
    case $depends in *"$package"*) ;; *) fail "Depends lacks $package: $depends" ;; esac
done
case $depends in *gnuplot*) fail "gnuplot must be recommended, not required: $depends" ;; esac
case $recommends in *gnuplot-nox*) ;; *) fail "Recommends lacks gnuplot-nox: $recommends" ;; esac

dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/files"
for f in ./usr/bin/routersim ./usr/share/man/man1/routersim.1.gz \
    ./usr/share/doc/routersim/copyright ./usr/share/doc/routersim/README.md \
    ./usr/share/routersim/scenarios/docs-migration.yaml \
    ./usr/include/routersim/selector.h ./usr/lib/pkgconfig/routersim-selector.pc \
    ./usr/lib/libroutersim-selector.so.1 ./usr/lib/libroutersim-selector.a; do
    grep -qx "$f" "$tmp/files" || fail "the package lacks $f"
done
grep -q '^\./usr/local/' "$tmp/files" && fail "the package installs under /usr/local"

# The packaged binary runs (its libraries are this machine's).
"$tmp/root/usr/bin/routersim" validate "$tmp/root/usr/share/routersim/scenarios/ab-test.yaml" \
    >/dev/null || fail "the packaged binary does not validate a packaged scenario"
