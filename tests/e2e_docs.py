# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: every YAML example in docs/scenario-format.md loads with `routersim validate`.

A block that holds a top-level `name:` is a complete scenario and is validated as written.
Any other YAML block is a fragment: top-level sections (`traffic:`, `checks:`, ...) that
replace the same sections of the first complete example, so that each key shown in the
reference is shown in a form that loads. A CSV block whose first line is `# file: PATH` is
written to PATH beside the scenarios first (a trace the examples name). Each case runs in a
private temporary folder.

Usage: e2e_docs.py ROUTERSIM SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])
DOC = os.path.join(sys.argv[2], "docs", "scenario-format.md")

FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SECTION = re.compile(r"^([a-z_]+):", re.MULTILINE)


def blocks(language):
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return [(text.count("\n", 0, m.start()) + 1, m.group(2))
            for m in FENCE.finditer(text) if m.group(1) == language]


def sections(text):
    """The top-level sections of a YAML text, by key, each with its lines."""
    starts = list(SECTION.finditer(text))
    return {m.group(1): text[m.start():starts[i + 1].start() if i + 1 < len(starts) else None]
            for i, m in enumerate(starts)}


def is_complete(text):
    return "name" in sections(text)


def with_fragment(base, fragment):
    """The base scenario with the fragment's sections in place of its own."""
    merged = sections(base)
    for key, body in sections(fragment).items():
        merged[key] = body if body.endswith("\n") else body + "\n"
    return "".join(merged.values())


def value_tables(heading):
    """The values of the `accepted` and `refused` tables under `### heading`: every value in
    an accepted table's first column or a refused table's last column must load; every value
    in a refused table's first column must not."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    start = text.index(f"\n### {heading}\n")
    end = text.index("\n#", start + 1)
    accepted, refused, table = [], [], None
    for line in text[start:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells:
            table = None
        elif cells[0] in ("accepted", "refused"):
            table = cells[0]
        elif table and not cells[0].startswith("---"):
            first = re.findall(r"`([^`]*)`", cells[0])
            (accepted if table == "accepted" else refused).extend(first)
            if table == "refused":
                accepted.extend(re.findall(r"`([^`]*)`", cells[-1]))
    return accepted, refused


class Docs(unittest.TestCase):
    def validate(self, text, line):
        with tempfile.TemporaryDirectory() as tmp:
            for _, csv in blocks("csv"):
                first, _, _ = csv.partition("\n")
                if first.startswith("# file: "):
                    path = os.path.join(tmp, first[len("# file: "):].strip())
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(csv)
            scenario = os.path.join(tmp, "example.yaml")
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(text)
            proc = subprocess.run([ROUTERSIM, "validate", scenario], capture_output=True,
                                  text=True, timeout=60)
            self.assertEqual(proc.returncode, 0,
                             f"the example at docs/scenario-format.md:{line} does not load:\n"
                             f"{proc.stderr}\n{text}")

    def test_complete_examples_load(self):
        complete = [(line, text) for line, text in blocks("yaml") if is_complete(text)]
        self.assertGreaterEqual(len(complete), 1, "no complete example found")
        for line, text in complete:
            with self.subTest(line=line):
                self.validate(text, line)

    def test_fragments_load_in_the_first_example(self):
        yaml_blocks = blocks("yaml")
        base = next(text for _, text in yaml_blocks if is_complete(text))
        fragments = [(line, text) for line, text in yaml_blocks if not is_complete(text)]
        self.assertGreaterEqual(len(fragments), 5, "the fragments were not found")
        for line, text in fragments:
            with self.subTest(line=line):
                self.assertTrue(sections(text), f"docs/scenario-format.md:{line}: a YAML "
                                "example must be a scenario or top-level sections of one")
                self.validate(with_fragment(base, text), line)

    def test_value_tables_hold(self):
        """The accepted and refused durations and rates, as the reference's tables list them."""
        for kind, scenario in (("Durations", "duration: {}\n"), ("Rates", "duration: 1s\n")):
            rate = "{}" if kind == "Rates" else "1/s"
            accepted, refused = value_tables(kind)
            self.assertGreaterEqual(len(accepted), 5, f"no accepted {kind.lower()} found")
            self.assertGreaterEqual(len(refused), 3, f"no refused {kind.lower()} found")
            for value, expect in [(v, 0) for v in accepted] + [(v, 2) for v in refused]:
                text = ("name: forms\naccount: my-account\n" +
                        (scenario.format(value) if kind == "Durations" else scenario) +
                        "deployments:\n  - {id: d, replicas: 1}\n"
                        "routers:\n  - {id: r, deployments: [d]}\n"
                        f"traffic:\n  - router: r\n    rate: \"{rate.format(value)}\"\n")
                with self.subTest(kind=kind, value=value), tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "forms.yaml")
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(text)
                    proc = subprocess.run([ROUTERSIM, "validate", path], capture_output=True,
                                          text=True, timeout=60)
                    self.assertEqual(proc.returncode, expect,
                                     f"{kind}: {value!r} should be "
                                     f"{'accepted' if expect == 0 else 'refused'}:\n{proc.stderr}")

    def test_a_broken_fragment_is_caught(self):
        """The harness itself: a fragment with a typo must not load."""
        base = next(text for _, text in blocks("yaml") if is_complete(text))
        broken = with_fragment(base, "traffic:\n  - router: my-router\n    rat: 5/s\n")
        with tempfile.TemporaryDirectory() as tmp:
            scenario = os.path.join(tmp, "broken.yaml")
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(broken)
            proc = subprocess.run([ROUTERSIM, "validate", scenario], capture_output=True,
                                  text=True, timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
