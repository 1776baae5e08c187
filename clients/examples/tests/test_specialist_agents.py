import unittest

from examples_server import ExampleTestCase
import specialist_agents

SPECIALIST = {"coding": "coder", "analysis": "analyst", "reasoning": "reasoner"}


class SpecialistAgentsTest(ExampleTestCase):
    def test_specialists_get_their_types_the_generalist_the_rest_as_the_scores_say(self):
        out = self.run_example(specialist_agents, "--task-seconds", "0.3")
        self.assertEqual(["COMPLETED"] * len(specialist_agents.WORK), [t["status"] for t in out["tasks"]])
        for d in out["decisions"]:
            self.assertEqual(SPECIALIST.get(d["type"], "generalist"), d["agent"], d)
            self.assertEqual(max(d["scores"], key=d["scores"].get), d["agent"], d)
            if d["type"] in SPECIALIST:  # the generalist could have run it, and scored lower
                self.assertLess(d["scores"]["generalist"], d["scores"][d["agent"]])
            else:
                self.assertEqual(["generalist"], list(d["scores"]))
        for task in out["tasks"]:
            self.assertEqual(task["assigned_agent"], task["result"]["by"])


if __name__ == "__main__":
    unittest.main()
