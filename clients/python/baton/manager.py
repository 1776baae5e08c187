"""Fire-and-track on top of the client, for code that starts background work and must shut down
cleanly: ``start`` answers a handle at once, ``wait_all`` waits for everything started."""

import threading
import time

from .client import TERMINAL


class TaskHandle:
    def __init__(self, manager, task):
        self._manager = manager
        self.id = task["id"]
        self.type = task["type"]
        self.task = task

    def status(self):
        return self._manager.status(self.id)

    def cancel(self):
        return self._manager.cancel(self.id)

    def wait(self, timeout=None):
        self.task = self._manager.client.wait(self.id, timeout)
        return self.task

    def __repr__(self):
        return "TaskHandle(%s, %s)" % (self.id, self.type)


class BackgroundTaskManager:
    def __init__(self, client):
        self.client = client
        self._handles = {}
        self._lock = threading.Lock()

    def start(self, type, payload=None, **submit_args):
        """Submit a task and answer its :class:`TaskHandle`."""
        task = self.client.submit(type, payload, **submit_args)
        handle = TaskHandle(self, task)
        with self._lock:
            self._handles[handle.id] = handle
        return handle

    def status(self, task_id):
        """The task's status (``PENDING``, ``IN_PROGRESS``, ``COMPLETED``, ...)."""
        return self.client.get(task_id)["status"]

    def cancel(self, task_id):
        return self.client.cancel(task_id)

    def handles(self):
        with self._lock:
            return list(self._handles.values())

    def wait_all(self, timeout=None):
        """Wait until every started task has ended; answers the tasks still running at the timeout
        (an empty list when everything ended)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        left = []
        for handle in self.handles():
            if handle.task.get("status") in TERMINAL:
                continue
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                handle.wait(remaining)
            except TimeoutError:
                left.append(handle)
        return left
