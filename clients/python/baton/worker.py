"""The agent loop: claim what fits the free slots, run handlers, heartbeat leases, drain on stop.

Threads: one claimer (a long-poll claim sized to the free slots), one heartbeater (wakes for the
earliest due lease), and one thread per running task. A lease is first heartbeated a third of its
length after the claim, so a task shorter than that costs exactly a claim share and a complete.
A 409 on a lease means the server gave up on this run (expired, cancelled, handed to another
agent): the run is abandoned, its handler told through ``ctx.cancelled``, and nothing is written.
"""

import logging
import signal
import socket
import threading
import time
import traceback

from .client import BatonError, RUNNING, parse_instant

log = logging.getLogger("baton.worker")


class NonRetryable(Exception):
    """Raised by a handler: the task fails for good, with no retry."""


class TaskContext:
    """What a handler gets: the ``task``, its ``payload`` and ``attempt``, ``cancelled`` (an Event set
    when the task was cancelled or the lease lost), and ``progress(pct, message)``."""

    def __init__(self, worker, task):
        self.task = task
        self.id = task["id"]
        self.type = task["type"]
        self.payload = task.get("payload") or {}
        self.attempt = task.get("attempt", 0)
        self.lease_id = task["lease_id"]
        self.cancelled = threading.Event()
        self.lost = False  # the lease went stale or the task was cancelled: write nothing
        self._worker = worker
        lease_s = max(0.3, parse_instant(task["lease_expires_at"]) - time.time())
        self.interval = lease_s / 3.0
        self.next_beat = time.monotonic() + self.interval
        self.last_beat = 0.0
        self._progress = None

    def progress(self, pct, message=None):
        """Report progress (0..100); sent with the next heartbeat, at most twice a second."""
        self._progress = (pct, message)
        self.next_beat = min(self.next_beat, max(time.monotonic(), self.last_beat + 0.5))
        self._worker._wake_heartbeater()

    @property
    def is_cancelled(self):
        return self.cancelled.is_set()


class Worker:
    """Run handlers for task types as agent ``agent_id``.

    >>> worker = Worker(client, "agent-1", concurrency=4)
    >>> @worker.handler("resize")
    ... def resize(ctx): return {"ok": True}
    >>> worker.run()   # until SIGTERM/SIGINT or worker.stop()
    """

    def __init__(self, client, agent_id, capabilities=None, concurrency=1, claim_wait=20.0, grace=10.0,
                 labels=None, claim_max=100):
        self.client = client
        self.agent_id = agent_id
        self.capabilities = list(capabilities) if capabilities else None
        self.concurrency = concurrency
        self._claim_batch = max(1, concurrency // 4)
        self.claim_max = claim_max  # the server's baton.claim-max-tasks
        self.claim_wait = claim_wait
        self.grace = grace
        self.labels = labels
        self._handlers = {}
        self._default = None
        self._lock = threading.Condition()
        self._running = {}  # task id -> TaskContext
        self._stopping = threading.Event()
        self._claim_sock = None
        self._threads = []
        self._beat_wakeup = threading.Event()
        self.completed = 0
        self.failed = 0
        self.heartbeats = 0

    def handler(self, task_type=None):
        """Decorator: ``@worker.handler("type")``; with no type, the handler for every other type."""
        def register(fn):
            if task_type is None:
                self._default = fn
            else:
                self._handlers[task_type] = fn
            return fn
        return register

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self):
        caps = self.capabilities or (list(self._handlers) if self._handlers and not self._default else ["general"])
        self.client.register_agent(self.agent_id, caps, max_concurrency=self.concurrency, labels=self.labels)
        for name, target in (("claimer", self._claim_loop), ("heartbeater", self._heartbeat_loop)):
            t = threading.Thread(target=target, name="baton-%s-%s" % (name, self.agent_id), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def run(self):
        """Start, and block until SIGTERM/SIGINT (main thread) or ``stop()``; then drain."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self._stopping.set())
        self.start()
        while not self._stopping.wait(0.5):
            pass
        self.stop()

    def stop(self, grace=None):
        """Stop claiming, give running handlers ``grace`` seconds, fail what is left as retryable."""
        grace = self.grace if grace is None else grace
        self._stopping.set()
        self._interrupt_claim()
        deadline = time.monotonic() + grace
        with self._lock:
            while self._running and time.monotonic() < deadline:
                self._lock.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            left = list(self._running.values())
            for ctx in left:
                ctx.lost = True
        for ctx in left:
            ctx.cancelled.set()
            try:
                self.client.fail(ctx.id, ctx.lease_id, "worker stopped before the task finished", retryable=True)
                log.info("task %s failed as retryable: the worker stopped", ctx.id)
            except BatonError as e:
                log.info("task %s left to the server at stop: %s", ctx.id, e)
            with self._lock:
                self._running.pop(ctx.id, None)
        self._beat_wakeup.set()
        for t in self._threads:
            t.join(timeout=5)
        self._release_strays()

    def _release_strays(self):
        """A claim answered while it was being interrupted leaves tasks assigned to us with no
        lease we know; leaving as an agent hands them back at once instead of after their lease."""
        try:
            strays = [t for status in RUNNING for t in self.client.iter_tasks(status=status, agent=self.agent_id)]
            if strays:
                log.info("%d task(s) assigned during stop; leaving as an agent to hand them back", len(strays))
                self.client.remove_agent(self.agent_id)
        except BatonError as e:
            log.warning("could not check for tasks left assigned: %s", e)

    def _interrupt_claim(self):
        sock = self._claim_sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # ---- claiming -------------------------------------------------------------------------------

    def _claim_loop(self):
        backoff = 0.5
        while not self._stopping.is_set():
            with self._lock:
                # With some work running, wait for a quarter of the slots to free up, so that short
                # tasks are claimed several per request rather than one by one.
                while (self._running and self.concurrency - len(self._running) < self._claim_batch
                       and not self._stopping.is_set()):
                    self._lock.wait(0.5)
                free = self.concurrency - len(self._running)
            if self._stopping.is_set():
                break
            try:
                tasks = self._claim(free)
                backoff = 0.5
            except BatonError as e:
                if self._stopping.is_set():
                    break
                log.warning("claim failed: %s", e)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            for task in tasks:
                try:
                    self._launch(task)
                except Exception:  # never lose the claimer thread; the lease runs out and it is re-queued
                    log.exception("task %s could not be started", task.get("id"))
        self.client.close()

    def _claim(self, free):
        # Keep the socket so stop() can end the long-poll at once.
        conn = getattr(self.client._local, "conn", None)
        if conn is None or conn.sock is None:
            conn = self.client._local.conn = self.client._new_connection(self.client.timeout)
            conn.connect()
        self._claim_sock = conn.sock
        try:
            return self.client.claim(self.agent_id, wait_ms=int(self.claim_wait * 1000), max=min(free, self.claim_max),
                                     abort=self._stopping.is_set)
        finally:
            self._claim_sock = None

    def _launch(self, task):
        ctx = TaskContext(self, task)
        with self._lock:
            self._running[ctx.id] = ctx
        t = threading.Thread(target=self._run_task, args=(ctx,), name="baton-task-%s" % ctx.id, daemon=True)
        t.start()

    def _run_task(self, ctx):
        fn = self._handlers.get(ctx.type, self._default)
        try:
            if fn is None:
                raise NonRetryable("no handler for task type %r" % ctx.type)
            result = fn(ctx)
            outcome = ("complete", result)
        except NonRetryable as e:
            outcome = ("fail", (str(e) or type(e).__name__, False))
        except Exception as e:  # a handler's failure is the task's failure
            log.debug("task %s failed: %s", ctx.id, traceback.format_exc())
            outcome = ("fail", ("%s: %s" % (type(e).__name__, e), True))
        try:
            self._finish(ctx, outcome)
        finally:
            self.client.close()  # this thread's connection

    def _finish(self, ctx, outcome):
        with self._lock:
            if ctx.lost or ctx.id not in self._running:
                self._running.pop(ctx.id, None)
                self._lock.notify_all()
                log.info("task %s: run abandoned (lease lost, cancelled or stopped); nothing written", ctx.id)
                return
        try:
            if outcome[0] == "complete":
                self.client.complete(ctx.id, ctx.lease_id, outcome[1])
                self.completed += 1
            else:
                error, retryable = outcome[1]
                self.client.fail(ctx.id, ctx.lease_id, error, retryable=retryable)
                self.failed += 1
        except BatonError as e:
            if e.status == 409:
                log.info("task %s: %s; run abandoned", ctx.id, e)
            else:
                log.warning("task %s: could not report the outcome: %s", ctx.id, e)
        finally:
            with self._lock:
                self._running.pop(ctx.id, None)
                self._lock.notify_all()

    # ---- heartbeats -----------------------------------------------------------------------------

    def _wake_heartbeater(self):
        self._beat_wakeup.set()

    def _heartbeat_loop(self):
        while True:
            with self._lock:
                if self._stopping.is_set() and not self._running:
                    self.client.close()
                    return
                contexts = list(self._running.values())
            now = time.monotonic()
            due = [c for c in contexts if c.next_beat <= now and not c.lost]
            for ctx in due:
                self._beat(ctx)
            with self._lock:
                pending = [c.next_beat for c in self._running.values() if not c.lost]
            wait = min(pending) - time.monotonic() if pending else 1.0
            self._beat_wakeup.wait(max(0.01, min(wait, 1.0)))
            self._beat_wakeup.clear()

    def _beat(self, ctx):
        progress, message = ctx._progress if ctx._progress else (None, None)
        ctx._progress = None
        ctx.last_beat = time.monotonic()
        ctx.next_beat = ctx.last_beat + ctx.interval
        self.heartbeats += 1
        try:
            answer = self.client.heartbeat(ctx.id, ctx.lease_id, progress, message)
        except BatonError as e:
            if e.status == 409 or e.status == 404:
                log.info("task %s: %s; abandoning the run", ctx.id, e)
                ctx.lost = True
                ctx.cancelled.set()
            else:
                log.warning("task %s: heartbeat failed: %s", ctx.id, e)
            return
        if answer.get("cancel_requested"):
            log.info("task %s was cancelled", ctx.id)
            ctx.lost = True
            ctx.cancelled.set()
