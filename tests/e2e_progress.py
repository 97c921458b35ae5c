# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: progress on stderr for long runs, only when stderr is a terminal, and
nothing else on it either way.

Usage: e2e_progress.py ROUTERSIM SOURCE_DIR
"""
import os
import pty
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM = os.path.abspath(sys.argv[1])

# Long enough to run for more than the one second after which progress shows, even in an
# optimised build: 6e7 requests.
LONG = """\
name: long
account: acme
duration: 60s
deployments:
  - {id: a, replicas: 3}
  - {id: b, replicas: 1}
routers:
  - {id: r, deployments: [a, b]}
traffic:
  - {router: r, rate: 1000000/s}
"""


def run_on_terminal(args):
    """Run with stderr on a pseudo-terminal; return (exit status, what it wrote there)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode(errors="replace")


class Progress(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.scenario = os.path.join(self.tmp.name, "long.yaml")
        with open(self.scenario, "w") as f:
            f.write(LONG)
        self.out = os.path.join(self.tmp.name, "out")

    def tearDown(self):
        self.tmp.cleanup()

    def test_progress_on_a_terminal(self):
        status, written = run_on_terminal(
            [ROUTERSIM, "run", self.scenario, "--out", self.out, "--no-plots"])
        self.assertEqual(status, 0)
        self.assertIn("simulated", written)
        self.assertIn("requests/s", written)
        self.assertIn("\r", written)
        self.assertTrue(written.endswith("\r\x1b[K"), repr(written[-40:]))

    def test_quiet_on_a_terminal(self):
        status, written = run_on_terminal(
            [ROUTERSIM, "run", self.scenario, "--out", self.out, "--no-plots", "--quiet"])
        self.assertEqual(status, 0)
        self.assertEqual(written, "")

    def test_nothing_when_not_a_terminal(self):
        proc = subprocess.run([ROUTERSIM, "run", self.scenario, "--out", self.out, "--no-plots"],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr, "")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
