"""What the examples share: the command line (--url, --token), the ``baton`` package from this
repository when it is not installed, and an event listener that follows ``/v1/events``."""

import argparse
import os
import sys
import threading
import time

try:
    import baton
except ImportError:  # not installed (pip install ./clients/python): use the package next door
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import baton

# Events after which a task no longer runs on an agent.
RUN_ENDED = ("task.completed", "task.failed", "task.retrying", "task.expired", "task.requeued",
             "task.cancelled")


def parser(description):
    """An argument parser with --url and --token (defaults: $BATON_URL, $BATON_TOKEN)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--url", default=os.environ.get("BATON_URL", "http://127.0.0.1:8080"),
                   help="Baton's address (default $BATON_URL or http://127.0.0.1:8080)")
    p.add_argument("--token", default=os.environ.get("BATON_TOKEN"), help="a bearer token, if Baton wants one")
    return p


def client(args):
    return baton.Client(args.url, token=args.token)


def say(text):
    print(text, flush=True)


class EventLog:
    """Follows ``/v1/events`` in a thread from this moment on (no event missed: it starts at the
    server's ``last_seq``), keeps the events of the given task types and hands each to ``on_event``."""

    def __init__(self, client, types, on_event=None):
        self.types = set(types)
        self.events = []
        self._on_event = on_event
        self._cond = threading.Condition()
        self._stream = client.events(last_event_id=client.stats()["last_seq"])
        self._thread = threading.Thread(target=self._follow, name="baton-example-events", daemon=True)
        self._thread.start()

    def _follow(self):
        try:
            for ev in self._stream:
                if ev.get("task_type") not in self.types:
                    continue
                with self._cond:
                    self.events.append(ev)
                    self._cond.notify_all()
                if self._on_event:
                    self._on_event(ev)
        except baton.BatonError as e:
            say("event stream ended: %s" % e)

    def wait_for(self, predicate, timeout):
        """The first event kept so far, or arriving within ``timeout`` s, that ``predicate`` accepts."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in self.events:
                    if predicate(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no such event within %ss" % timeout)
                self._cond.wait(left)

    def of(self, task_id, kind=None):
        with self._cond:
            return [e for e in self.events if e["task_id"] == task_id and (kind is None or e["event"] == kind)]

    def close(self):
        self._stream.close()
