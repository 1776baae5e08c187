import threading
import unittest

import baton_server
from baton_server import BatonTestCase, unique
from baton import BackgroundTaskManager, BatonError, BatonUnavailable, Client, TERMINAL


class ClientTest(BatonTestCase):
    def test_lifecycle_submit_claim_heartbeat_complete(self):
        c, kind, agent = self.client, unique("life"), unique("agent")
        task = c.submit(kind, {"n": 1}, description="one", priority="HIGH", max_retries=2)
        self.assertEqual("PENDING", task["status"])
        self.assertEqual({"n": 1}, c.get(task["id"])["payload"])
        c.register_agent(agent, [kind], max_concurrency=2)
        claimed = c.claim(agent, wait_ms=1000, max=2)
        self.assertEqual([task["id"]], [t["id"] for t in claimed])
        lease = claimed[0]["lease_id"]
        beat = c.heartbeat(task["id"], lease, progress=40, message="going")
        self.assertFalse(beat["cancel_requested"])
        self.assertEqual(40, c.get(task["id"])["progress"])
        done = c.complete(task["id"], lease, {"answer": 42})
        self.assertEqual(("COMPLETED", False), (done["status"], done["duplicate"]))
        self.assertTrue(c.complete(task["id"], lease, {"answer": 42})["duplicate"])
        self.assertEqual({"answer": 42}, c.wait(task["id"], timeout=5)["result"])
        self.assertEqual(agent, c.agent(agent)["id"])
        self.assertIn(agent, [a["id"] for a in c.agents()])
        self.assertIn("last_seq", c.stats())

    def test_submit_with_id_is_idempotent_and_every_field_is_sent(self):
        c, kind = self.client, unique("fields")
        first = c.submit(kind, {"a": 1}, id=unique("dep"))
        task_id = unique("t")
        args = dict(payload={"x": [1, 2]}, id=task_id, description="all fields", priority="LOW",
                    depends_on=[first["id"]], max_retries=0, run_at=None, on_dependency_failure="run")
        created = c.submit(kind, **args)
        self.assertEqual("WAITING", created["status"])
        again = c.submit(kind, **args)
        self.assertEqual(task_id, again["id"])
        with self.assertRaises(BatonError) as e:
            c.submit(kind, {"x": "different"}, id=task_id)
        self.assertEqual((409, "id_conflict"), (e.exception.status, e.exception.error))
        later = c.submit(kind, run_at="2099-01-01T00:00:00Z")
        self.assertEqual("SCHEDULED", later["status"])

    def test_batch_with_refs_list_paging_cancel_and_retry(self):
        c, kind, agent = self.client, unique("batch"), unique("agent")
        members = c.batch([{"type": kind, "ref": "a", "payload": {"i": 0}},
                           {"type": kind, "ref": "b", "depends_on": ["a"]},
                           {"type": kind, "ref": "c", "depends_on": ["a", "b"]}])
        self.assertEqual(["a", "b", "c"], [m["ref"] for m in members])
        ids = [m["id"] for m in members]
        self.assertEqual(["PENDING", "WAITING", "WAITING"], [c.get(i)["status"] for i in ids])
        page = c.list(type=kind, limit=2)
        self.assertEqual(2, len(page["tasks"]))
        self.assertIn("next_after", page)
        self.assertEqual(sorted(ids), sorted(t["id"] for t in c.iter_tasks(type=kind, page_size=1)))
        self.assertEqual("CANCELLED", c.cancel(ids[2])["status"])
        c.register_agent(agent, [kind])
        claimed = c.claim(agent, wait_ms=1000)
        failed = c.fail(claimed[0]["id"], claimed[0]["lease_id"], "broken", retryable=False)
        self.assertEqual("FAILED", failed["status"])
        self.assertEqual([ids[0]], [t["id"] for t in c.iter_tasks(status="FAILED", type=kind)])
        self.assertEqual("PENDING", c.retry(ids[0])["status"])
        c.remove_agent(agent)

    def test_attempts_dependents_filters_and_timeline(self):
        c, kind, agent = self.client, unique("history"), unique("agent")
        parent = c.submit(kind, priority="HIGH", max_retries=0)
        child = c.submit(kind, priority="LOW", depends_on=[parent["id"]])
        self.assertEqual([child["id"]], c.get(parent["id"])["dependents"])
        self.assertEqual([parent["id"]], [t["id"] for t in c.iter_tasks(type=kind, priority="HIGH")])
        self.assertEqual([child["id"]], [t["id"] for t in c.iter_tasks(type=kind, created_after=parent["created_at"])])
        self.assertEqual([], [t["id"] for t in c.iter_tasks(type=kind, created_before=parent["created_at"])])
        c.register_agent(agent, [kind])
        claimed = c.claim(agent, wait_ms=1000)[0]
        self.assertEqual([agent], [a["agent"] for a in claimed["attempts"]])
        failed = c.fail(claimed["id"], claimed["lease_id"], "broken", retryable=False)
        run = failed["attempts"][0]
        self.assertEqual((1, "failed", "broken"), (run["attempt"], run["outcome"], run["error"]))
        self.assertIn("ended_at", run)
        self.assertEqual("dependency %s FAILED" % parent["id"], c.get(child["id"])["error"])
        kinds = []
        for _ in range(100):  # the fan-out writes the ring on its own thread: wait for the last event
            kinds = [e["event"] for e in c.timeline(parent["id"])]
            if kinds[-1:] == ["task.failed"]:
                break
            threading.Event().wait(0.1)
        self.assertEqual(["task.submitted", "task.assigned", "task.failed"], kinds)
        c.remove_agent(agent)

    def test_submit_many_and_complete_many(self):
        c, kind, agent = self.client, unique("many"), unique("agent")
        members = c.submit_many([{"type": kind, "payload": {"i": i}} for i in range(5)])
        self.assertEqual([True] * 5, [m["created"] for m in members])
        c.register_agent(agent, [kind], max_concurrency=5)
        claimed = c.claim(agent, wait_ms=1000, max=5)
        self.assertEqual(5, len(claimed))
        items = [(t["id"], t["lease_id"], {"i": t["payload"]["i"]}) for t in claimed]
        items.append((claimed[0]["id"], "stale", None))
        answers = c.complete_many(agent, items)
        self.assertEqual([200] * 5 + [409], [a["code"] for a in answers])
        self.assertEqual("lease_expired", answers[5]["error"])
        self.assertEqual({"i": claimed[1]["payload"]["i"]}, c.get(claimed[1]["id"])["result"])
        self.assertTrue(c.complete_many(agent, items[:1])[0]["duplicate"])

    def test_errors_carry_status_code_and_message(self):
        with self.assertRaises(BatonError) as e:
            self.client.get("no-such-task")
        self.assertEqual((404, "task_not_found"), (e.exception.status, e.exception.error))
        with self.assertRaises(BatonError) as e:
            self.client.submit("x", priority="URGENT")
        self.assertEqual(400, e.exception.status)
        self.assertIn("priority", e.exception.message)
        with self.assertRaises(BatonUnavailable):
            Client("http://127.0.0.1:1").stats()

    def test_keep_alive_reuses_one_connection_per_thread(self):
        c = Client(self.server.url)
        c.stats()
        sock = c._local.conn.sock
        for _ in range(5):
            c.stats()
        self.assertIs(sock, c._local.conn.sock)

    def test_wait_times_out_on_a_task_that_does_not_end(self):
        task = self.client.submit(unique("never"))
        with self.assertRaises(TimeoutError):
            self.client.wait(task["id"], timeout=0.5)

    def test_events_resume_after_a_dropped_connection_with_nothing_lost_or_repeated(self):
        c, kind = self.client, unique("sse")
        stream = c.events(event="task.submitted", task_type=kind, last_event_id=c.stats()["last_seq"],
                          reconnect_delay=0.3)
        submitted = [c.submit(kind, {"i": 0})["id"]]
        seen = [next(stream)]
        stream.drop()
        submitted += [c.submit(kind, {"i": i})["id"] for i in range(1, 6)]  # while cut off
        while len(seen) < 6:
            ev = next(stream)
            seen.append(ev)
            if len(seen) == 3:
                stream.drop()
                submitted += [c.submit(kind, {"i": i})["id"] for i in range(6, 9)]
        while len(seen) < 9:
            seen.append(next(stream))
        stream.close()
        self.assertGreaterEqual(stream.connects, 3)
        self.assertEqual(submitted, [e["task_id"] for e in seen])
        seqs = [e["seq"] for e in seen]
        self.assertEqual(sorted(set(seqs)), seqs)

    def test_events_surface_resync_when_the_resume_point_is_gone(self):
        c, kind = self.client, unique("resync")
        since = c.stats()["last_seq"]
        c.batch([{"type": kind} for _ in range(baton_server.RING_SIZE + 10)])  # pushes `since` out of the ring
        stream = c.events(task_type=kind, last_event_id=since)
        try:
            first = next(stream)
        finally:
            stream.close()
        self.assertEqual("resync", first["event"])
        self.assertEqual(since, first["last_event_id"])


class BackgroundTaskManagerTest(unittest.TestCase):
    def test_start_track_cancel_and_wait_all(self):
        server = baton_server.shared()
        client = Client(server.url)
        kind, agent = unique("bg"), unique("agent")
        manager = BackgroundTaskManager(client)
        handles = [manager.start(kind, {"i": i}) for i in range(3)]
        self.assertEqual("PENDING", manager.status(handles[0].id))
        manager.cancel(handles[2].id)
        client.register_agent(agent, [kind], max_concurrency=2)

        def agent_loop():
            for task in client.claim(agent, wait_ms=2000, max=2):
                client.complete(task["id"], task["lease_id"], {"ok": task["payload"]["i"]})
        t = threading.Thread(target=agent_loop)
        t.start()
        self.assertEqual([], manager.wait_all(timeout=10))
        t.join()
        self.assertEqual(["COMPLETED", "COMPLETED", "CANCELLED"], [manager.status(h.id) for h in handles])
        self.assertTrue(all(h.task["status"] in TERMINAL for h in handles))
