"""Starts the packaged Baton (target/quarkus-app/quarkus-run.jar, or $BATON_JAR) on a free port with
its own embedded Redis in a temporary directory, for the tests, and stops it at exit."""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
DEFAULT_JAR = os.path.join(HERE, "..", "..", "..", "target", "quarkus-app", "quarkus-run.jar")

RING_SIZE = 200  # events kept for Last-Event-ID, small so that a test can outrun it

# Short leases so that heartbeats, cancels and lost leases show within a test's few seconds.
DEFAULT_PROPS = {
    "baton.lease-ttl": "3s",
    "baton.retry.backoff": "1s",
    "baton.agent-ttl": "30s",
    "baton.events.ring-size": str(RING_SIZE),
}

_servers = {}


def jar_path():
    jar = os.environ.get("BATON_JAR")
    if jar:
        if not os.path.exists(jar):
            raise RuntimeError("BATON_JAR=%s does not exist; run ./mvnw -B -q package -DskipTests" % jar)
        return jar
    jar = os.path.normpath(DEFAULT_JAR)
    if not os.path.exists(jar):
        raise unittest.SkipTest("no packaged Baton at %s (run ./mvnw -B -q package -DskipTests, or set BATON_JAR)" % jar)
    return jar


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BatonServer:
    def __init__(self, props=None):
        self.props = dict(DEFAULT_PROPS, **(props or {}))
        self.port = _free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.dir = tempfile.mkdtemp(prefix="baton-pytest-")
        self.log_path = os.path.join(self.dir, "baton.log")
        self.proc = None

    def start(self, timeout=60):
        cmd = [os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java") if os.environ.get("JAVA_HOME") else "java",
               "-Xmx256m", "-XX:TieredStopAtLevel=1",
               "-Dquarkus.http.port=%d" % self.port,
               "-Dbaton.embedded-redis.data-dir=%s" % os.path.join(self.dir, "data")]
        cmd += ["-D%s=%s" % kv for kv in self.props.items()]
        cmd += ["-jar", jar_path()]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Baton exited with %s; log:\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.url + "/q/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("Baton not ready within %ss; log:\n%s" % (timeout, self.log_tail()))

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def shared():
    """The Baton all test modules share (started once per test run)."""
    server = _servers.get("shared")
    if server is None:
        server = _servers["shared"] = BatonServer().start()
        atexit.register(server.stop)
    return server


def run_cli(url, *args, token=None):
    """Run ``python -m baton`` against ``url``; answers the CompletedProcess (text)."""
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE), BATON_URL=url)
    env.pop("BATON_TOKEN", None)
    if token:
        env["BATON_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "baton"] + list(args), env=env, capture_output=True,
                          text=True, timeout=30)


def unique(prefix):
    """A name no other test uses, so tests sharing one Baton never see each other's tasks."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def await_true(condition, timeout, message):
    """Poll ``condition`` until it answers something true, and answer that; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not within %ss: %s" % (timeout, message))


class BatonTestCase(unittest.TestCase):
    """A test against the shared Baton: ``self.server`` and a ``self.client`` for it."""

    @classmethod
    def setUpClass(cls):
        from baton import Client
        cls.server = shared()
        cls.client = Client(cls.server.url)
