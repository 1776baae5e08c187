"""TaskFlow's two pools: ``embedding`` tasks capped at 2 running and ``workflow`` tasks at 4, across the
whole fleet, by configuration (``baton.types.embedding.max-running=2``,
``baton.types.workflow.max-running=4``), however many free slots the agents have.

The submitter is shown each task's place in the queue (``queue_position`` of ``GET /v1/tasks/{id}``:
how many tasks of its type are handed out before it) until its work starts; a listener follows the
progress of every task over server-sent events and counts how many of each type run at once.

    java -Dbaton.types.embedding.max-running=2 -Dbaton.types.workflow.max-running=4 \
         -jar target/quarkus-app/quarkus-run.jar
    python3 two_pools.py --url http://127.0.0.1:8080
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import RUN_ENDED, EventLog, client, parser, say  # noqa: E402
from baton import Worker  # noqa: E402

POOLS = ("embedding", "workflow")


class RunningCounter:
    """Counts the tasks of each type running at once, from the event stream."""

    def __init__(self):
        self.running = {t: set() for t in POOLS}
        self.peak = {t: 0 for t in POOLS}

    def __call__(self, ev):
        kind, running = ev["event"], self.running[ev["task_type"]]
        if kind == "task.assigned":
            running.add(ev["task_id"])
            self.peak[ev["task_type"]] = max(self.peak[ev["task_type"]], len(running))
        elif kind in RUN_ENDED:
            running.discard(ev["task_id"])
        if kind == "task.progress":
            say("  listener: %-9s %s %3s%% %s" % (ev["task_type"], ev["task_id"][-6:], ev["progress"], ev["message"]))
        elif kind in ("task.assigned", "task.completed"):
            say("  listener: %-9s %s %-14s running now: embedding %d, workflow %d" % (
                ev["task_type"], ev["task_id"][-6:], kind, len(self.running["embedding"]),
                len(self.running["workflow"])))


def pool_worker(c, name, seconds):
    """An agent with more slots than either cap, so that only the caps hold work back."""
    worker = Worker(c, name, capabilities=POOLS, concurrency=6, grace=5.0)

    @worker.handler("embedding")
    def embed(ctx):
        for pct in (0, 50):
            ctx.progress(pct, "embedding %s: chunk %d/2" % (ctx.payload["doc"], pct // 50 + 1))
            time.sleep(seconds / 2)
        return {"doc": ctx.payload["doc"], "vectors": 128}

    @worker.handler("workflow")
    def flow(ctx):
        for pct in (0, 50):
            ctx.progress(pct, "workflow %s: step %d/2" % (ctx.payload["flow"], pct // 50 + 1))
            time.sleep(seconds / 2)
        return {"flow": ctx.payload["flow"], "ok": True}

    return worker


def watch_queue_position(c, task_id, positions):
    """What the submitter sees: the task's place in its queue, until its work starts."""
    last = None
    while True:
        task = c.get(task_id)
        if task["status"] != "PENDING":
            say("  submitter: %s %s started (%s)" % (task["type"], task_id[-6:], task["status"]))
            return
        if task.get("queue_position") != last:
            last = task.get("queue_position")
            positions.append(last)
            say("  submitter: %s %s is number %d in the queue" % (task["type"], task_id[-6:], last + 1))
        time.sleep(0.1)


def main(argv=None):
    p = parser("Two pools capped by max-running: embedding at 2, workflow at 4.")
    p.add_argument("--embeddings", type=int, default=6)
    p.add_argument("--workflows", type=int, default=8)
    p.add_argument("--task-seconds", type=float, default=1.0, help="how long each task pretends to work")
    p.add_argument("--timeout", type=float, default=120.0)
    args = p.parse_args(argv)
    c = client(args)
    counter = RunningCounter()
    log = EventLog(c, POOLS, on_event=counter)
    workers = [pool_worker(c, "pool-agent-%d" % i, args.task_seconds).start() for i in (1, 2)]
    try:
        tasks = c.batch([{"type": "embedding", "payload": {"doc": "doc-%d" % i}} for i in range(args.embeddings)]
                        + [{"type": "workflow", "payload": {"flow": "flow-%d" % i}} for i in range(args.workflows)])
        ids = [t["id"] for t in tasks]
        say("submitted %d embeddings and %d workflows; 2 agents with 6 slots each" % (args.embeddings, args.workflows))
        positions = []
        watcher = threading.Thread(target=watch_queue_position, args=(c, ids[args.embeddings - 1], positions))
        watcher.start()
        finished = [c.wait(task_id, timeout=args.timeout) for task_id in ids]
        watcher.join()
        say("peak running: embedding %d (cap 2), workflow %d (cap 4)" % (counter.peak["embedding"],
                                                                       counter.peak["workflow"]))
        return {"tasks": finished, "peak": counter.peak, "positions": positions, "events": list(log.events)}
    finally:
        for w in workers:
            w.stop()
        log.close()


if __name__ == "__main__":
    main()
