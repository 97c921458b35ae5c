# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: a report folder never holds files of two runs, whatever happens to a run.

A CI job reads report.json and the files beside it as one run's results. A second run into
the same folder replaces the whole set; a run that fails (a full disk, here a small tmpfs
mounted in a private mount namespace) leaves the previous set whole and says which file it
could not write and why; two runs into one folder at once are kept apart by a lock.

Usage: e2e_outputs.py ROUTERSIM SOURCE_DIR
"""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROUTERSIM, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIO = os.path.join(SOURCE, "scenarios", "docs-migration.yaml")
REPORTS = ["report.json", "report.md", "report.html", "junit.xml", "timeseries.csv",
           "requests.csv", "load.csv"]
PLOTS = ["split-my-router.png", "split-my-router.svg", "sequential-my-router.png",
         "sequential-my-router.svg", "replicas.png", "replicas.svg", "requests.png",
         "requests.svg"]


def run(*args, cwd=None):
    return subprocess.run([ROUTERSIM, "run", SCENARIO, *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def digests(folder):
    """Every file of a folder by name, with a digest of its content."""
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def seed_of(folder):
    with open(os.path.join(folder, "report.json"), encoding="utf-8") as f:
        return json.load(f)["seed"]


class Folder(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.out = os.path.join(self.tmp, "out")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def assert_only_lock_beside(self):
        """Nothing left beside the report folder but its lock file (no staging folder)."""
        self.assertEqual(sorted(os.listdir(self.tmp)), [".out.lock", "out"])

    def test_second_run_replaces_the_whole_set(self):
        first = run("--out", self.out, "--quiet", "--seed", "1")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(sorted(os.listdir(self.out)), sorted(REPORTS + PLOTS))
        second = run("--out", self.out, "--quiet", "--seed", "2", "--no-plots")
        self.assertEqual(second.returncode, 0, second.stderr)
        # the first run's plots are gone with the rest of its set
        self.assertEqual(sorted(os.listdir(self.out)), sorted(REPORTS))
        self.assertEqual(seed_of(self.out), 2)
        self.assert_only_lock_beside()

    def test_a_held_lock_refuses_the_run_and_keeps_the_set(self):
        first = run("--out", self.out, "--quiet", "--no-plots", "--seed", "1")
        self.assertEqual(first.returncode, 0, first.stderr)
        before = digests(self.out)
        lock_path = os.path.join(self.tmp, ".out.lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            refused = run("--out", self.out, "--no-plots", "--seed", "2")
        self.assertEqual(refused.returncode, 3)
        self.assertEqual(refused.stdout, "")  # refused before simulating
        self.assertIn(f"another run is writing reports into {self.out} (it holds the lock "
                      f"{lock_path})", refused.stderr)
        self.assertEqual(digests(self.out), before)
        again = run("--out", self.out, "--quiet", "--no-plots", "--seed", "2")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(seed_of(self.out), 2)

    def test_two_runs_at_once_never_mix(self):
        procs = [subprocess.Popen([ROUTERSIM, "run", SCENARIO, "--out", self.out, "--quiet",
                                   "--seed", str(seed)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        passed = [seed for seed, (rc, _) in zip((1, 2), results) if rc == 0]
        self.assertTrue(passed, results)
        for rc, err in results:
            if rc != 0:  # refused, in so many words, never half-done
                self.assertEqual(rc, 3, err)
                self.assertIn("another run is writing reports into", err)
        # the folder holds one run's set, complete
        self.assertEqual(sorted(os.listdir(self.out)), sorted(REPORTS + PLOTS))
        seed = seed_of(self.out)
        self.assertIn(seed, passed)
        alone = os.path.join(self.tmp, "alone")
        self.assertEqual(run("--out", alone, "--quiet", "--seed", str(seed)).returncode, 0)
        self.assertEqual(digests(self.out), digests(alone))

    def test_relative_folder_named_with_a_trailing_slash(self):
        for seed in ("1", "2"):
            proc = run("--out", "out/", "--no-plots", "--seed", seed, cwd=self.tmp)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("Reports: out/", proc.stdout)
        self.assertEqual(seed_of(self.out), 2)
        self.assert_only_lock_beside()
        for bad in (".", "..", "/"):
            proc = run("--out", bad, "--no-plots", cwd=self.tmp)
            self.assertEqual(proc.returncode, 3)
            self.assertIn(f"cannot use {bad} as the report folder", proc.stderr)

    def test_folder_with_other_files_is_not_replaced(self):
        os.makedirs(self.out)
        notes = os.path.join(self.out, "notes.txt")
        with open(notes, "w") as f:
            f.write("mine\n")
        proc = run("--out", self.out, "--no-plots")
        self.assertEqual(proc.returncode, 3)
        self.assertIn(f"cannot replace the report folder {self.out}: it holds notes.txt, which "
                      "is not a report", proc.stderr)
        self.assertEqual(os.listdir(self.out), ["notes.txt"])

    def test_staging_left_by_a_killed_run_is_removed(self):
        stale = os.path.join(self.tmp, ".out.staging-AbC123")
        os.makedirs(stale)
        with open(os.path.join(stale, "report.json"), "w") as f:
            f.write("{")
        proc = run("--out", self.out, "--quiet", "--no-plots")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assert_only_lock_beside()


# ---- a full disk: a small tmpfs in a private mount namespace ---------------------------

def in_namespace(disk):
    """Runs inside the namespace: a first run fits on the disk, a second with plots does
    not. Prints what a test needs to judge as JSON."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk], check=True)
    out = os.path.join(disk, "out")
    first = run("--out", out, "--quiet", "--no-plots", "--seed", "1")
    before = digests(out) if os.path.isdir(out) else {}
    second = run("--out", out, "--seed", "2")
    print(json.dumps({"first": first.returncode, "first_err": first.stderr, "before": before,
                      "second": second.returncode, "second_err": second.stderr,
                      "second_out": second.stdout, "after": digests(out),
                      "beside": sorted(os.listdir(disk))}))


def namespace_command():
    """A command prefix that gives a private mount namespace with the right to mount, or
    None: as root `unshare -m`, otherwise `unshare -rm` where user namespaces are allowed."""
    if not shutil.which("unshare"):
        return None
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        probe = subprocess.run(prefix + ["sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt"],
                               capture_output=True)
        if probe.returncode == 0:
            return prefix
    return None


class FullDisk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = namespace_command()
        if cls.prefix is None:
            raise unittest.SkipTest("cannot mount a tmpfs here (no mount namespace)")
        cls.tmp = tempfile.mkdtemp()
        proc = subprocess.run(cls.prefix + [sys.executable, __file__, ROUTERSIM, SOURCE,
                                            "--in-namespace", cls.tmp],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        cls.r = json.loads(proc.stdout)
        cls.out = os.path.join(cls.tmp, "out")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_first_run_fits(self):
        self.assertEqual(self.r["first"], 0, self.r["first_err"])
        self.assertEqual(sorted(self.r["before"]), sorted(REPORTS))

    def test_failed_run_says_which_file_and_why(self):
        self.assertEqual(self.r["second"], 3)
        errors = [line for line in self.r["second_err"].splitlines()
                  if not line.startswith("routersim: warning:")]
        self.assertEqual(len(errors), 1, self.r["second_err"])
        self.assertRegex(errors[0], r"^routersim: .*docs-migration.yaml: cannot write " +
                         self.out + r"/[a-z-]+\.(png|svg|json|md|html|xml|csv): "
                         r"no space left on device$")
        self.assertNotIn("Reports:", self.r["second_out"])

    def test_failed_run_leaves_the_previous_set_whole(self):
        # not one file of the failed run, not one file of the first run missing or changed
        self.assertEqual(self.r["after"], self.r["before"])
        self.assertEqual(self.r["beside"], [".out.lock", "out"])


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[3] == "--in-namespace":
        in_namespace(sys.argv[4])
        sys.exit(0)
    unittest.main(argv=[sys.argv[0], "-v"])
