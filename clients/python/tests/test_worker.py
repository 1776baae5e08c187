import os
import signal
import subprocess
import sys
import threading
import time
import unittest

import baton_server
from baton_server import BatonTestCase, await_true, unique
from baton import RUNNING, Client, NonRetryable, Worker

LEASE_S = 3.0  # baton.lease-ttl of the test server
HEARTBEAT_S = LEASE_S / 3


class WorkerTest(BatonTestCase):
    def worker(self, kinds, concurrency=2, grace=5.0):
        w = Worker(Client(self.server.url), unique("worker"), capabilities=kinds, concurrency=concurrency,
                   claim_wait=2.0, grace=grace)
        self.addCleanup(w.stop, 0)
        return w

    def test_handlers_run_per_type_results_failures_and_retries(self):
        ok, bad, flaky = unique("ok"), unique("bad"), unique("flaky")
        w = self.worker([ok, bad, flaky])

        @w.handler(ok)
        def double(ctx):
            return {"n": ctx.payload["n"] * 2, "attempt": ctx.attempt, "type": ctx.task["type"]}

        @w.handler(bad)
        def refuse(ctx):
            raise NonRetryable("cannot do %s" % ctx.payload["n"])

        @w.handler(flaky)
        def flake(ctx):
            if ctx.attempt == 0:
                raise RuntimeError("first attempt breaks")
            return "second attempt"

        w.start()
        a = self.client.submit(ok, {"n": 21})
        b = self.client.submit(bad, {"n": 1}, max_retries=3)
        f = self.client.submit(flaky, {}, max_retries=1)
        done = self.client.wait(a["id"], timeout=10)
        self.assertEqual(("COMPLETED", 42, ok), (done["status"], done["result"]["n"], done["result"]["type"]))
        failed = self.client.wait(b["id"], timeout=10)
        self.assertEqual(("FAILED", "cannot do 1"), (failed["status"], failed["error"]))
        retried = self.client.wait(f["id"], timeout=15)
        self.assertEqual(("COMPLETED", "second attempt", 1), (retried["status"], retried["result"], retried["attempt"]))

    def test_no_heartbeat_for_a_task_shorter_than_a_third_of_its_lease(self):
        kind = unique("short")
        w = self.worker([kind], concurrency=4)
        w.handler(kind)(lambda ctx: "quick")
        w.start()
        ids = [self.client.submit(kind, {"i": i})["id"] for i in range(4)]
        for task_id in ids:
            self.assertEqual("COMPLETED", self.client.wait(task_id, 10)["status"])
        self.assertEqual(0, w.heartbeats)

    def test_progress_reaches_the_server(self):
        kind = unique("progress")
        w = self.worker([kind])
        seen = threading.Event()

        @w.handler(kind)
        def work(ctx):
            ctx.progress(50, "half way")
            seen.wait(10)
            return "done"

        w.start()
        task = self.client.submit(kind)
        got = await_true(lambda: self.client.get(task["id"])["progress"] == 50 and self.client.get(task["id"]),
                         HEARTBEAT_S + 2, "progress 50 on the server")
        self.assertEqual(("IN_PROGRESS", "half way"), (got["status"], got["message"]))
        seen.set()
        self.assertEqual("COMPLETED", self.client.wait(task["id"], 10)["status"])

    def test_claims_fill_the_free_slots_in_one_request(self):
        kind = unique("slots")
        for i in range(3):
            self.client.submit(kind, {"i": i})
        w = self.worker([kind], concurrency=3)
        release, started = threading.Event(), []

        @w.handler(kind)
        def hold(ctx):
            started.append(ctx.id)
            release.wait(10)

        before = w.client.requests
        w.start()
        await_true(lambda: len(started) == 3, 5, "three tasks running")
        self.assertEqual(2, w.client.requests - before)  # register + one claim with max=3
        release.set()

    def test_cancel_reaches_a_running_handler_within_one_heartbeat(self):
        kind = unique("cancel")
        w = self.worker([kind])
        running, saw_cancel = threading.Event(), []

        @w.handler(kind)
        def work(ctx):
            running.set()
            if ctx.cancelled.wait(20):
                saw_cancel.append(time.monotonic())
            return "should not be written"

        w.start()
        task = self.client.submit(kind)
        self.assertTrue(running.wait(10))
        cancelled_at = time.monotonic()
        self.client.cancel(task["id"])
        await_true(lambda: saw_cancel, HEARTBEAT_S + 1.0, "the handler sees the cancel within a heartbeat")
        await_true(lambda: not w._running, 5, "the run ends")
        after = self.client.get(task["id"])
        self.assertEqual(("CANCELLED", None), (after["status"], after.get("result")))
        self.assertLess(saw_cancel[0] - cancelled_at, HEARTBEAT_S + 1.0)

    def test_a_stale_lease_ends_the_run_without_a_result(self):
        kind = unique("stale")
        w = self.worker([kind])
        running, release = threading.Event(), threading.Event()
        observed = []

        @w.handler(kind)
        def work(ctx):
            running.set()
            release.wait(20)  # ignores ctx.cancelled, as a stuck handler would
            observed.append(ctx.cancelled.is_set())
            return {"late": True}

        w.start()
        task = self.client.submit(kind)
        self.assertTrue(running.wait(10))
        self.client.remove_agent(w.agent_id)  # the server takes the task back: our lease is stale
        await_true(lambda: all(c.lost for c in w._running.values()), HEARTBEAT_S + 2, "the heartbeat gets 409")
        release.set()
        await_true(lambda: not w._running, 5, "the run ends")
        after = self.client.get(task["id"])
        self.assertEqual([True], observed)
        self.assertNotEqual("COMPLETED", after["status"])
        self.assertIsNone(after.get("result"))

    def test_stop_lets_short_runs_finish_and_fails_long_ones_as_retryable(self):
        kind = unique("stop")
        w = self.worker([kind], concurrency=2, grace=1.0)
        running = threading.Semaphore(0)

        @w.handler(kind)
        def work(ctx):
            running.release()
            time.sleep(0.3 if ctx.payload["short"] else 30)
            return "finished"

        short = self.client.submit(kind, {"short": True}, max_retries=3)
        long = self.client.submit(kind, {"short": False}, max_retries=3)
        w.start()
        self.assertTrue(running.acquire(timeout=10) and running.acquire(timeout=10))
        w.stop()
        self.assertEqual("COMPLETED", self.client.get(short["id"])["status"])
        after = self.client.get(long["id"])
        self.assertIn(after["status"], ("SCHEDULED", "PENDING"))
        self.assertEqual([], [t["id"] for s in RUNNING for t in self.client.iter_tasks(status=s, type=kind)])


AGENT_SCRIPT = r"""
import sys, time
sys.path.insert(0, sys.argv[3])
from baton import Client, Worker
w = Worker(Client(sys.argv[1]), sys.argv[2] + "-agent", [sys.argv[2]], concurrency=3, claim_wait=2, grace=1)

@w.handler(sys.argv[2])
def work(ctx):
    print("started", ctx.id, flush=True)
    time.sleep(ctx.payload["seconds"])
    return "slept"

w.run()
print("stopped", flush=True)
"""


class SigtermTest(unittest.TestCase):
    def test_sigterm_during_runs_leaves_nothing_running_and_loses_nothing(self):
        server = baton_server.shared()
        client = Client(server.url)
        kind = unique("sigterm")
        ids = [client.submit(kind, {"seconds": s}, max_retries=3)["id"] for s in (0.2, 30, 30, 30)]
        src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        proc = subprocess.Popen([sys.executable, "-c", AGENT_SCRIPT, server.url, kind, src],
                                stdout=subprocess.PIPE, text=True)
        try:
            await_true(lambda: sum(1 for t in client.iter_tasks(type=kind) if t["status"] in RUNNING) >= 2,
                       15, "tasks running in the agent process")
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        self.assertEqual(0, proc.returncode)
        self.assertIn("stopped", out)
        tasks = {t["id"]: t for t in client.iter_tasks(type=kind)}
        self.assertEqual(sorted(ids), sorted(tasks))  # none lost
        self.assertEqual([], [i for i, t in tasks.items() if t["status"] in RUNNING])
        self.assertEqual("COMPLETED", tasks[ids[0]]["status"])
        self.assertTrue(all(tasks[i]["status"] in ("PENDING", "SCHEDULED") for i in ids[1:]), tasks)
