#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what routersim needs from Debian's packages, skipping what is there.
# Usage: scripts/setup.sh [--test]   (--test also installs what the tests use)
set -euo pipefail

# gnuplot draws the plots and needs a font to do it.
packages=(gcc make cmake pkg-config libgsl-dev libyaml-dev check gnuplot-nox fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  # python3-yaml, python3-jsonschema: the schema tests; dpkg-dev: dpkg-shlibdeps for the
  # .deb; man-db, groff-base: the man page tests
  packages+=(libxml2-utils valgrind chromium python3 python3-yaml python3-jsonschema dpkg-dev
    man-db groff-base binutils)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "routersim setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
