import os
import signal
import threading

import baton_server
from baton_server import BatonTestCase, run_cli, unique
from baton import BatonError, Client

TOKEN = "test-admin-token"


def redis_children(pid):
    """Redis processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
                if "redis" in stat.split(")", 1)[0] and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


class RetryTest(BatonTestCase):
    """Calls safe to repeat are retried on 429 and 503, honouring Retry-After, within a bounded wait."""

    @classmethod
    def setUpClass(cls):
        cls.server = baton_server.BatonServer({"baton.max-queued": "2", "baton.ack-timeout": "1s",
                                               "baton.auth.admin-token": TOKEN}).start()
        cls.client = Client(cls.server.url, token=TOKEN, retry_total=15)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_submit_with_an_id_waits_out_429_and_without_an_id_raises(self):
        kind, agent = unique("full"), unique("agent")
        first = [self.client.submit(kind, {"i": i})["id"] for i in range(2)]
        with self.assertRaises(BatonError) as e:
            self.client.submit(kind, {"i": 2})
        self.assertEqual((429, "too_many_queued"), (e.exception.status, e.exception.error))
        self.assertIsNotNone(e.exception.retry_after)
        self.client.register_agent(agent, [kind])
        claimer = threading.Timer(0.5, lambda: self.client.claim(agent, wait_ms=1000))
        claimer.start()
        before = self.client.requests
        task = self.client.submit(kind, {"i": 2}, id=unique("t"))
        claimer.join()
        self.assertEqual("PENDING", task["status"])
        self.assertGreater(self.client.requests - before, 1)  # refused at least once, then accepted
        for task_id in first + [task["id"]]:
            self.client.cancel(task_id)

    def test_a_redis_pause_is_retried_and_succeeds_once_redis_is_back(self):
        redis = redis_children(self.server.proc.pid)
        self.assertTrue(redis, "the embedded Redis runs as a child of Baton")
        kind, task_id = unique("pause"), unique("t")
        for p in redis:
            os.kill(p, signal.SIGSTOP)
        try:
            resume = threading.Timer(2.5, lambda: [os.kill(p, signal.SIGCONT) for p in redis])
            resume.start()
            before = self.client.requests
            task = self.client.submit(kind, {"x": 1}, id=task_id)
        finally:
            for p in redis:
                os.kill(p, signal.SIGCONT)
        self.assertEqual(task_id, task["id"])
        self.assertGreater(self.client.requests - before, 1)
        self.client.cancel(task_id)

    def test_a_bad_token_is_one_clear_line(self):
        with self.assertRaises(BatonError) as e:
            Client(self.server.url, token="wrong").stats()
        self.assertEqual((401, "unauthorized"), (e.exception.status, e.exception.error))
        proc = run_cli(self.server.url, "stats", token="wrong")
        self.assertEqual(1, proc.returncode)
        self.assertEqual(1, len(proc.stderr.strip().splitlines()))
        self.assertIn("baton: unauthorized", proc.stderr)
        self.assertIn("BATON_TOKEN", proc.stderr)
        self.assertEqual(0, run_cli(self.server.url, "stats", token=TOKEN).returncode)
