import os
import subprocess
import sys
import tempfile
import unittest

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class InstallTest(unittest.TestCase):
    def test_pip_installs_the_package_and_the_command_offline(self):
        with tempfile.TemporaryDirectory() as target:
            proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-cache-dir",
                                   "--disable-pip-version-check", "--target", target, PROJECT],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(0, proc.returncode, proc.stdout + proc.stderr)
            self.assertTrue(os.path.exists(os.path.join(target, "bin", "baton")))
            env = dict(os.environ, PYTHONPATH=target)
            run = subprocess.run([sys.executable, "-c", "import baton; print(baton.__file__)"], env=env,
                                 capture_output=True, text=True, cwd=target)
            self.assertTrue(run.stdout.startswith(target), run.stdout + run.stderr)
