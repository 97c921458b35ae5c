#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every source file says its license in an SPDX header near its top: GPL-3.0-or-later for
the program (it links GSL, which is GPL-3.0-or-later), MIT for the selector library and the
example gateway (they do not link GSL, and a gateway must be free to link them).

Usage: spdx.py [--fix] [SOURCE_DIR]   checks (exit 1 naming every bad file); --fix adds
the missing headers."""
import os
import re
import sys

# Files under the permissive license: the selector library and what shows how to link it.
MIT = re.compile(r"^(sim/base/selector\.[ch]|examples/.*)$")
SUFFIXES = (".c", ".h", ".py", ".sh")
NAMES = ("CMakeLists.txt",)
SKIP_DIRS = re.compile(r"^(\..*|build.*|out)$")
TAG = re.compile(r"SPDX-License-Identifier: (\S+)")


def sources(root):
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not SKIP_DIRS.match(d))
        for f in sorted(files):
            if f.endswith(SUFFIXES) or f in NAMES:
                yield os.path.relpath(os.path.join(top, f), root)


def wanted(rel):
    return "MIT" if MIT.match(rel) else "GPL-3.0-or-later"


def header(rel, lic):
    if rel.endswith((".c", ".h")):
        return "/* SPDX-License-Identifier: %s */\n" % lic
    return "# SPDX-License-Identifier: %s\n" % lic


def main(argv):
    fix = "--fix" in argv
    args = [a for a in argv if a != "--fix"]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..")
    bad = []
    for rel in sources(root):
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        found = [TAG.search(line) for line in lines[:3]]
        found = [m.group(1) for m in found if m]
        lic = wanted(rel)
        if found == [lic]:
            continue
        if fix and not found:
            at = 1 if lines and lines[0].startswith("#!") else 0
            lines.insert(at, header(rel, lic))
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(lines)
            continue
        bad.append("%s: expected 'SPDX-License-Identifier: %s' in its first 3 lines, found %s"
                   % (rel, lic, ", ".join(found) or "none"))
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
