import unittest

from examples_server import ExampleTestCase
import background_tasks


class BackgroundTasksTest(ExampleTestCase):
    def test_fire_track_cancel_one_and_wait_all_at_shutdown(self):
        out = self.run_example(background_tasks, "--page-seconds", "0.3")
        self.assertEqual([], out["left"])
        statuses = {t["payload"]["name"]: t["status"] for t in out["tasks"]}
        self.assertEqual({"quarterly-review": "CANCELLED", "daily-sales": "COMPLETED", "inventory": "COMPLETED",
                          "weekly-kpis": "COMPLETED"}, statuses)
        cancelled = next(t for t in out["tasks"] if t["id"] == out["cancelled"])
        self.assertNotIn("result", cancelled)  # the cancelled run wrote nothing
        done = [t for t in out["tasks"] if t["status"] == "COMPLETED"]
        self.assertEqual({t["payload"]["name"]: t["payload"]["pages"] for t in done},
                         {t["result"]["report"]: t["result"]["pages"] for t in done})


if __name__ == "__main__":
    unittest.main()
