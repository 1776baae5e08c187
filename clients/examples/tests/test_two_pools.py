import unittest

from examples_server import ExampleTestCase
from common import RUN_ENDED
import two_pools

CAPS = {"embedding": 2, "workflow": 4}


class TwoPoolsTest(ExampleTestCase):
    def test_running_tasks_never_exceed_each_pools_cap_and_the_submitter_sees_its_queue_position(self):
        out = self.run_example(two_pools, "--embeddings", "6", "--workflows", "8", "--task-seconds", "0.8")
        self.assertEqual(["COMPLETED"] * 14, [t["status"] for t in out["tasks"]])

        running = {t: set() for t in CAPS}  # replayed from the events, in seq order
        peak = dict.fromkeys(CAPS, 0)
        for ev in sorted(out["events"], key=lambda e: e["seq"]):
            if ev["event"] == "task.assigned":
                running[ev["task_type"]].add(ev["task_id"])
                peak[ev["task_type"]] = max(peak[ev["task_type"]], len(running[ev["task_type"]]))
            elif ev["event"] in RUN_ENDED:
                running[ev["task_type"]].discard(ev["task_id"])
        self.assertEqual(CAPS, peak)  # reached, never exceeded
        self.assertEqual(CAPS, out["peak"])

        positions = out["positions"]  # the last embedding's place in its queue, as the submitter saw it
        self.assertLessEqual(positions[0], 5 - CAPS["embedding"])  # the first two were handed out at once
        self.assertEqual(sorted(set(positions), reverse=True), positions)  # only ever moving forward
        for task in out["tasks"]:
            progress = [e for e in out["events"] if e["task_id"] == task["id"] and e["event"] == "task.progress"]
            self.assertTrue(progress, "progress streamed for %s" % task["id"])


if __name__ == "__main__":
    unittest.main()
