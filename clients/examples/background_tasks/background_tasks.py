"""The BackgroundTaskManager: code that fires work and must shut down cleanly. It fires four report
tasks (``start`` answers a handle at once), tracks their status, cancels the long one while it runs,
and at shutdown waits for everything it started (``wait_all``) before stopping.

A worker in the same process plays the agent that builds the reports. A cancelled task is
``CANCELLED`` on the server at once; its handler learns it from the answer to its next heartbeat
(every third of the lease) through ``ctx.cancelled`` and stops, and nothing is written for it.

    python3 background_tasks.py --url http://127.0.0.1:8080
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import client, parser, say  # noqa: E402
from baton import BackgroundTaskManager, RUNNING, Worker  # noqa: E402

REPORTS = [("quarterly-review", 60), ("daily-sales", 2), ("inventory", 3), ("weekly-kpis", 2)]  # name, pages


def report_worker(c, page_seconds):
    # The grace outlasts a heartbeat interval (a third of the lease), so the cancelled run sees its cancel.
    worker = Worker(c, "report-agent", capabilities=["report"], concurrency=2, grace=15.0)

    @worker.handler("report")
    def build(ctx):
        pages = ctx.payload["pages"]
        for page in range(pages):
            ctx.progress(100 * page // pages, "page %d of %d" % (page + 1, pages))
            if ctx.cancelled.wait(page_seconds):
                say("  worker: %s was cancelled; stopping at page %d" % (ctx.payload["name"], page + 1))
                return None  # the run is abandoned: nothing is written
        return {"report": ctx.payload["name"], "pages": pages}

    return worker


def show_statuses(manager, when):
    say("%s: %s" % (when, ", ".join("%s %s" % (h.task["payload"]["name"], h.status()) for h in manager.handles())))


def main(argv=None):
    p = parser("Fire, track, cancel one, wait_all at shutdown: the BackgroundTaskManager.")
    p.add_argument("--page-seconds", type=float, default=0.5, help="how long a report page takes")
    p.add_argument("--timeout", type=float, default=60.0, help="how long shutdown waits for the reports")
    args = p.parse_args(argv)
    c = client(args)
    worker = report_worker(c, args.page_seconds).start()
    manager = BackgroundTaskManager(c)
    try:
        handles = [manager.start("report", {"name": name, "pages": pages}) for name, pages in REPORTS]
        show_statuses(manager, "fired")
        long_one = handles[0]
        while long_one.status() not in RUNNING:
            time.sleep(0.1)
        show_statuses(manager, "tracking")
        manager.cancel(long_one.id)
        say("cancelled %s: %s" % (long_one.task["payload"]["name"], long_one.status()))
        left = manager.wait_all(timeout=args.timeout)  # shutdown: wait for everything started
        show_statuses(manager, "at shutdown")
        if left:
            say("still running at the timeout: %s" % left)
        return {"handles": handles, "cancelled": long_one.id, "left": left,
                "tasks": [c.get(h.id) for h in handles]}
    finally:
        worker.stop()


if __name__ == "__main__":
    main()
