import unittest

from examples_server import ENRICH_BACKOFF_S, ExampleTestCase
from baton.client import parse_instant
import research_pipeline
from research_pipeline import STEPS


class ResearchPipelineTest(ExampleTestCase):
    def test_the_dag_runs_in_order_and_the_flaky_step_is_retried_with_the_types_backoff(self):
        out = self.run_example(research_pipeline, "--step-seconds", "0.4", "--enrich-failures", "2",
                               "--timeout", "60")
        tasks, events = out["tasks"], out["events"]
        self.assertEqual(["COMPLETED"] * 4, [tasks[s]["status"] for s in STEPS])

        def seq(step, kind):
            return [e["seq"] for e in events if e["task_id"] == out["ids"][step] and e["event"] == kind]

        for before, after in zip(STEPS, STEPS[1:]):  # each step assigned only after the one before completed
            self.assertLess(seq(before, "task.completed")[0], seq(after, "task.assigned")[0], after)
            self.assertEqual([out["ids"][before]], tasks[after]["depends_on"])

        enrich = tasks["ai_enrich"]
        self.assertEqual((2, 2, 3), (enrich["failures"], enrich["attempt"], enrich["result"]["enriched_on_attempt"]))
        retrying = [e for e in events if e["task_id"] == enrich["id"] and e["event"] == "task.retrying"]
        queued = [e for e in events if e["task_id"] == enrich["id"] and e["event"] == "task.queued"]
        self.assertEqual((2, 2), (len(retrying), len(queued)))
        for failed, back, backoff in zip(retrying, queued, ENRICH_BACKOFF_S):  # the type's backoff, -10 % jitter
            self.assertGreaterEqual(parse_instant(back["at"]) - parse_instant(failed["at"]), 0.9 * backoff)

        for step in STEPS:
            self.assertTrue(seq(step, "task.progress"), "progress reported by %s" % step)
        persisted = tasks["persist"]["result"]
        self.assertEqual(("companies/acme-robotics", "robotics"), (persisted["record"], persisted["stored"]["industry"]))


if __name__ == "__main__":
    unittest.main()
