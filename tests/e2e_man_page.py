# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: the man page (docs/routersim.1) and `routersim --help` never drift. Every
command, option (short and long) and exit status in one is in the other, and the man page
renders without a groff warning.

Usage: e2e_man_page.py ROUTERSIM SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])
MAN = os.path.join(sys.argv[2], "docs", "routersim.1")

LONG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
SHORT = re.compile(r"(?<![\w-])-[a-zA-Z](?![\w-])")


def help_text():
    out = subprocess.run([ROUTERSIM, "--help"], capture_output=True, text=True, check=True)
    return out.stdout


def help_section(title):
    """The indented lines under "Title:" in --help, up to the next blank line."""
    lines = help_text().splitlines()
    start = lines.index(title + ":") + 1
    section = []
    for line in lines[start:]:
        if not line.strip():
            break
        section.append(line)
    return section


def man_sections():
    """The man page's sections as plain text: roff requests kept as words, escapes undone."""
    with open(MAN, encoding="utf-8") as f:
        roff = f.read()
    roff = re.sub(r"\\f[BIRP]", "", roff).replace("\\-", "-").replace('"', "")
    sections, name = {}, None
    for line in roff.splitlines():
        if line.startswith(".SH "):
            name = line[4:].strip()
            sections[name] = []
        elif name and not line.startswith('.\\"'):
            sections[name].append(re.sub(r"^\.[A-Z]+ ?", "", line))
    return {k: "\n".join(v) for k, v in sections.items()}


class ManPageMatchesHelp(unittest.TestCase):
    def test_options(self):
        helped = "\n".join(line for line in help_section("Options") if line.lstrip().startswith("-"))
        # only the option lines of the man page's OPTIONS: those right after a .TP
        with open(MAN, encoding="utf-8") as f:
            roff = f.read().splitlines()
        opts = roff[roff.index(".SH OPTIONS") + 1:]
        opts = opts[: next(i for i, l in enumerate(opts) if l.startswith(".SH "))]
        tagged = "\n".join(opts[i + 1] for i, l in enumerate(opts) if l == ".TP")
        tagged = re.sub(r"\\f[BIRP]", "", tagged).replace("\\-", "-")
        for pattern in (LONG, SHORT):
            self.assertEqual(set(pattern.findall(helped)), set(pattern.findall(tagged)))
        self.assertTrue(set(LONG.findall(helped)))

    def test_synopsis(self):
        usage = help_text().split("\n\n")[0]  # "Usage: ..." up to the first blank line
        synopsis = man_sections()["SYNOPSIS"]
        self.assertEqual(set(LONG.findall(usage)), set(LONG.findall(synopsis)))

    def test_commands(self):
        # a command is the lower-case words before its first argument ("plan srm FILE...")
        command = re.compile(r"^([a-z]+(?: [a-z]+)*)\s+[A-Z]")
        helped = {m.group(1) for m in (command.match(l[2:]) for l in help_section("Commands")
                                       if re.match(r"^  [a-z]", l)) if m}
        man = {m.group(1) for m in map(command.match, man_sections()["COMMANDS"].splitlines())
               if m}
        self.assertEqual(helped, man)
        self.assertIn("run", helped)

    def test_exit_statuses(self):
        text = help_text()
        helped = set(re.findall(r"\b([0-9]) [a-z]", text[text.index("Exit status:"):]))
        man = set(re.findall(r"^([0-9])$", man_sections()["EXIT STATUS"], re.M))
        self.assertEqual(helped, man)
        self.assertEqual(man, {"0", "1", "2", "3"})

    def test_renders_without_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("groff is not installed")
        out = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stderr, "")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
