#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what routersim needs from Debian's packages, skipping what is there.
# Usage: scripts/setup.sh [--test] [--mpi]   (--test also installs what the tests use;
#        --mpi what the MPI build, -DROUTERSIM_MPI=ON, needs: OpenMPI's compiler wrappers,
#        headers, libraries and mpirun)
set -euo pipefail

# gnuplot draws the plots and needs a font to do it.
packages=(gcc make cmake pkg-config libgsl-dev libyaml-dev check gnuplot-nox fonts-dejavu-core)
for arg in "$@"; do
  case "$arg" in
    --test)
      # python3-yaml, python3-jsonschema: the schema tests; dpkg-dev: dpkg-shlibdeps for the
      # .deb; man-db, groff-base: the man page tests
      packages+=(libxml2-utils valgrind chromium python3 python3-yaml python3-jsonschema dpkg-dev
        man-db groff-base binutils) ;;
    --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    *) echo "usage: scripts/setup.sh [--test] [--mpi]" >&2; exit 2 ;;
  esac
done

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
