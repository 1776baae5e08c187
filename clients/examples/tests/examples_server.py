"""The Baton the examples' tests run against: the packaged server, started once for all of them by
``clients/python/tests/baton_server.py`` on a free port with its own Redis, configured as each
example's README says, with the research pipeline's backoff scaled down from 10 s, 30 s, 60 s."""

import atexit
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(EXAMPLES, "..", "python", "tests"))
import baton_server  # noqa: E402  (it puts clients/python on sys.path too)

for folder in ("research_pipeline", "two_pools", "specialist_agents", "background_tasks"):
    sys.path.insert(0, os.path.join(EXAMPLES, folder))

ENRICH_BACKOFF_S = (0.3, 0.6, 1.2)  # 10 s, 30 s, 60 s scaled down
PROPS = {
    "baton.types.ai_enrich.backoff": ",".join("%dms" % (s * 1000) for s in ENRICH_BACKOFF_S),
    "baton.types.embedding.max-running": "2",
    "baton.types.workflow.max-running": "4",
}

_server = []


def server():
    if not _server:
        _server.append(baton_server.BatonServer(PROPS).start())
        atexit.register(_server[0].stop)
    return _server[0]


class ExampleTestCase(baton_server.unittest.TestCase):
    """Runs an example's ``main`` against the examples' Baton; afterwards nothing may be left running."""

    @classmethod
    def setUpClass(cls):
        from baton import Client
        cls.server = server()
        cls.client = Client(cls.server.url)

    def run_example(self, module, *args):
        return module.main(["--url", self.server.url] + list(args))

    def tearDown(self):
        from baton import RUNNING
        running = [t["id"] for status in RUNNING for t in self.client.iter_tasks(status=status)]
        self.assertEqual([], running, "tasks left running")
