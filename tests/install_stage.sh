#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The install tests' fixture: `cmake --install` of this build into BUILD/stage (DESTDIR), a
# staging root no other test writes. Usage: install_stage.sh BUILD_DIR
set -eu
build=$1
rm -rf "$build/stage"
DESTDIR="$build/stage" cmake --install "$build" >/dev/null
