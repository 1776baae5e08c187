import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(PROJECT, "_build"))
import backend  # noqa: E402  the in-tree build backend pip uses


class InstallTest(unittest.TestCase):
    def test_the_in_tree_backend_builds_a_wheel_with_the_package_and_the_command(self):
        with tempfile.TemporaryDirectory() as out:
            name = backend.build_wheel(out)
            with zipfile.ZipFile(os.path.join(out, name)) as whl:
                names = whl.namelist()
                self.assertIn("baton/worker.py", names)
                dist_info = "baton_client-%s.dist-info" % backend.VERSION
                self.assertIn("baton = baton.cli:main", whl.read(dist_info + "/entry_points.txt").decode())
                for line in whl.read(dist_info + "/RECORD").decode().splitlines():
                    path, digest, size = line.split(",")
                    if digest:
                        data = whl.read(path)
                        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                        self.assertEqual(("sha256=" + expected, len(data)), (digest, int(size)), path)
                whl.extractall(os.path.join(out, "site"))
            run = subprocess.run([sys.executable, "-c", "import baton; print(baton.__file__)"],
                                 env=dict(os.environ, PYTHONPATH=os.path.join(out, "site")),
                                 capture_output=True, text=True, cwd=out)
            self.assertTrue(run.stdout.startswith(os.path.join(out, "site")), run.stdout + run.stderr)

    @unittest.skipUnless(os.environ.get("BATON_TEST_PIP"), "set BATON_TEST_PIP=1 to run pip itself (slow)")
    def test_pip_installs_the_package_and_the_command_offline(self):
        with tempfile.TemporaryDirectory() as target:
            proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-cache-dir",
                                   "--disable-pip-version-check", "--target", target, PROJECT],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(0, proc.returncode, proc.stdout + proc.stderr)
            self.assertTrue(os.path.exists(os.path.join(target, "bin", "baton")))


class InstantTest(unittest.TestCase):
    def test_instants_as_baton_writes_them_parse_on_every_supported_python(self):
        sys.path.insert(0, PROJECT)
        from baton.client import parse_instant
        self.assertAlmostEqual(1796008626.884, parse_instant("2026-11-30T03:17:06.884Z"))
        self.assertAlmostEqual(1796008626.0, parse_instant("2026-11-30T03:17:06Z"))
        self.assertAlmostEqual(1796008626.123456, parse_instant("2026-11-30T03:17:06.123456789Z"))
