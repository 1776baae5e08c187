"""Throughput of one Python worker process with a trivial handler: tasks/s and HTTP requests per task.

    python3 clients/python/bench_worker.py                 # starts the packaged Baton itself
    python3 clients/python/bench_worker.py --url http://127.0.0.1:8080 --tasks 5000 --concurrency 32

The tasks are submitted first (in batches), then one worker drains them; the figures cover the
worker alone: its claims, heartbeats and completes, from its first claim to its last complete.
"""

import argparse
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from baton import Client, Worker  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="a running Baton (default: start target/quarkus-app/quarkus-run.jar)")
    p.add_argument("--token")
    p.add_argument("--tasks", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    args = p.parse_args()

    server = None
    if not args.url:
        sys.path.insert(0, os.path.join(HERE, "tests"))
        from baton_server import BatonServer
        server = BatonServer({"baton.lease-ttl": "30s"}).start()
        args.url = server.url
    try:
        client = Client(args.url, args.token)
        kind = "bench-%s" % uuid.uuid4().hex[:6]
        for start in range(0, args.tasks, 1000):
            client.batch([{"type": kind, "payload": {"i": i}} for i in range(start, min(args.tasks, start + 1000))])

        worker = Worker(Client(args.url, args.token), kind + "-agent", [kind], concurrency=args.concurrency,
                        claim_wait=1.0, grace=5.0)

        @worker.handler(kind)
        def trivial(ctx):
            return {"i": ctx.payload["i"]}

        began = time.monotonic()
        worker.start()
        while worker.completed < args.tasks:
            time.sleep(0.01)
        elapsed = time.monotonic() - began
        requests = worker.client.requests
        worker.stop()
        print("tasks=%d concurrency=%d seconds=%.2f tasks_per_second=%.0f requests_per_task=%.2f"
              % (args.tasks, args.concurrency, elapsed, args.tasks / elapsed, requests / args.tasks))
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
