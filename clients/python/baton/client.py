"""HTTP client for Baton, standard library only.

Each thread keeps one keep-alive connection (http.client) to the server; server-sent event streams
get a connection of their own, since they hold it for as long as they run. Calls that are safe to
repeat (submit with an id, batch, complete, fail, heartbeat) are retried on 503 and 429, honouring
Retry-After, for at most ``retry_total`` seconds in all; every other call raises at once.
"""

import datetime
import http.client
import json
import socket
import threading
import time
import urllib.parse

TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
RUNNING = ("ASSIGNED", "IN_PROGRESS")
_TERMINAL_EVENTS = ("task.completed", "task.failed", "task.cancelled")


class BatonError(Exception):
    """An error answer from Baton: ``status`` (HTTP), ``error`` (the API's code) and ``message``."""

    def __init__(self, status, error, message, retry_after=None):
        super().__init__("%s: %s" % (error, message) if error else message)
        self.status = status
        self.error = error
        self.message = message
        self.retry_after = retry_after


class BatonUnavailable(BatonError):
    """Baton could not be reached at all (connection refused, reset, timed out)."""

    def __init__(self, url, cause):
        super().__init__(None, "unreachable", "cannot reach Baton at %s: %s" % (url, cause))


def _timestamp(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def parse_instant(text):
    """An ISO-8601 instant as Baton writes it, as seconds since the epoch."""
    text = text.replace("Z", "+00:00")
    head, sep, rest = text.partition(".")
    if sep:  # fromisoformat before 3.11 takes exactly 3 or 6 fraction digits
        n = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[:n][:6].ljust(6, "0") + rest[n:]
    return datetime.datetime.fromisoformat(text).timestamp()


def _submit_body(type, id=None, description=None, priority=None, payload=None, depends_on=None,
                 max_retries=None, run_at=None, on_dependency_failure=None, ref=None, rate_key=None, cost=None,
                 concurrency_key=None):
    body = {"type": type}
    for key, value in (("id", id), ("description", description), ("priority", priority),
                       ("payload", payload), ("depends_on", depends_on), ("max_retries", max_retries),
                       ("run_at", _timestamp(run_at)), ("on_dependency_failure", on_dependency_failure),
                       ("ref", ref), ("rate_key", rate_key), ("cost", cost), ("concurrency_key", concurrency_key)):
        if value is not None:
            body[key] = list(value) if key == "depends_on" else value
    return body


class Client:
    """Every call of Baton's HTTP API. Thread-safe: each thread uses its own connection."""

    def __init__(self, url="http://127.0.0.1:8080", token=None, timeout=30.0, retry_total=30.0):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("url: expected http://host:port, got %r" % url)
        self.url = url.rstrip("/")
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self._base = parsed.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retry_total = retry_total
        self._local = threading.local()
        self.requests = 0  # HTTP requests sent, for measurements
        self._count_lock = threading.Lock()

    # ---- plumbing -------------------------------------------------------------------------------

    def _new_connection(self, timeout):
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=timeout)

    def _headers(self, extra=None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if extra:
            headers.update(extra)
        return headers

    def _path(self, path, query=None):
        path = self._base + path
        if query:
            items = [(k, v) for k, v in query.items() if v is not None]
            if items:
                path += "?" + urllib.parse.urlencode(items)
        return path

    def _send_once(self, method, path, data, headers, timeout, abort=None):
        """One request on this thread's connection; a stale kept-alive connection is reopened once
        (unless ``abort()`` says the connection was cut on purpose)."""
        for attempt in (0, 1):
            conn = getattr(self._local, "conn", None)
            reused = conn is not None
            if conn is None:
                conn = self._local.conn = self._new_connection(timeout)
            try:
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                else:
                    conn.timeout = timeout
                with self._count_lock:
                    self.requests += 1
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._drop_connection()
                return response.status, response.getheader("Retry-After"), raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self._drop_connection()
                if not reused or attempt == 1 or (abort is not None and abort()):
                    raise BatonUnavailable(self.url, e) from None
            except (OSError, http.client.HTTPException) as e:
                self._drop_connection()
                raise BatonUnavailable(self.url, e) from None

    def _drop_connection(self):
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def _request(self, method, path, body=None, query=None, retry=False, timeout=None, ok=(200, 201),
                 abort=None):
        data = None
        headers = self._headers()
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        full_path = self._path(path, query)
        deadline = time.monotonic() + self.retry_total
        while True:
            status, retry_after, raw = self._send_once(method, full_path, data, headers, timeout or self.timeout,
                                                     abort)
            if status in ok or status == 204 and 204 in ok:
                return status, (json.loads(raw) if raw else None)
            error = _error_of(status, raw, retry_after)
            if retry and status in (429, 503):
                wait = error.retry_after if error.retry_after is not None else 1.0
                if time.monotonic() + wait <= deadline:
                    time.sleep(wait)
                    continue
            raise error

    def close(self):
        """Close this thread's connection."""
        self._drop_connection()

    # ---- tasks ----------------------------------------------------------------------------------

    def submit(self, type, payload=None, id=None, description=None, priority=None, depends_on=None,
               max_retries=None, run_at=None, on_dependency_failure=None, rate_key=None, cost=None,
               concurrency_key=None):
        """Submit a task; with an ``id`` the call is idempotent and retried on 503/429. ``rate_key`` and
        ``cost`` spend from a rate limit's budget, ``concurrency_key`` caps and shares by key."""
        body = _submit_body(type, id, description, priority, payload, depends_on, max_retries, run_at,
                            on_dependency_failure, rate_key=rate_key, cost=cost, concurrency_key=concurrency_key)
        return self._request("POST", "/v1/tasks", body, retry=id is not None)[1]

    def batch(self, tasks):
        """Submit many tasks at once, all or nothing. Each member is a dict of submit arguments plus
        an optional ``ref``; ``depends_on`` may name refs. Answers ``[{"ref", "id", "status", "created"}]``."""
        members = [_submit_body(**t) for t in tasks]
        retry = all("id" in m for m in members)
        return self._request("POST", "/v1/tasks/batch", {"tasks": members}, retry=retry)[1]["tasks"]

    def submit_many(self, tasks):
        """Submit many tasks without dependencies on each other in one call, all or nothing: the
        cheap form of ``batch`` (one engine step and one durable write for all). Each member is a dict
        of submit arguments. Answers ``[{"ref", "id", "status", "created"}]`` in order."""
        return self.batch(tasks)

    def get(self, task_id):
        return self._request("GET", "/v1/tasks/" + _quote(task_id))[1]

    def list(self, status=None, type=None, agent=None, limit=None, after=None, priority=None, created_after=None,
             created_before=None):
        """One page: ``{"tasks": [...], "next_after": id-or-absent}``. ``created_after`` and ``created_before``
        are ISO-8601 instants (as ``created_at`` is written). A page may hold fewer than ``limit`` tasks while
        ``next_after`` is present: follow it until it is absent."""
        query = {"status": status, "type": type, "agent": agent, "limit": limit, "after": after,
                 "priority": priority, "created_after": created_after, "created_before": created_before}
        return self._request("GET", "/v1/tasks", query=query)[1]

    def iter_tasks(self, status=None, type=None, agent=None, page_size=100, priority=None, created_after=None,
                   created_before=None):
        """Every task matching the filters, page after page."""
        after = None
        while True:
            page = self.list(status=status, type=type, agent=agent, limit=page_size, after=after, priority=priority,
                             created_after=created_after, created_before=created_before)
            yield from page["tasks"]
            after = page.get("next_after")
            if not after:
                return

    def timeline(self, task_id):
        """A task's events so far, oldest first, each as the stream's event dict; as far back as Baton's
        replay ring (``baton.events.ring-size``) holds them. The task's ``attempts`` keep each run."""
        return self._request("GET", "/v1/tasks/%s/events" % _quote(task_id))[1]["events"]

    def cancel(self, task_id):
        return self._request("POST", "/v1/tasks/%s/cancel" % _quote(task_id))[1]

    def retry(self, task_id):
        return self._request("POST", "/v1/tasks/%s/retry" % _quote(task_id))[1]

    def stats(self):
        return self._request("GET", "/v1/stats")[1]

    # ---- agents ---------------------------------------------------------------------------------

    def register_agent(self, agent_id, capabilities, max_concurrency=None, labels=None):
        body = {"capabilities": list(capabilities)}
        if max_concurrency is not None:
            body["max_concurrency"] = max_concurrency
        if labels is not None:
            body["labels"] = labels
        return self._request("PUT", "/v1/agents/" + _quote(agent_id), body, retry=True)[1]

    def agents(self):
        return self._request("GET", "/v1/agents")[1]

    def agent(self, agent_id):
        return self._request("GET", "/v1/agents/" + _quote(agent_id))[1]

    def remove_agent(self, agent_id):
        return self._request("DELETE", "/v1/agents/" + _quote(agent_id))[1]

    def claim(self, agent_id, wait_ms=0, max=1, abort=None):
        """Claimed tasks (each with ``lease_id`` and ``lease_expires_at``); ``[]`` after the wait.
        ``abort``: a callable telling that a cut connection was cut on purpose (no reconnect)."""
        status, body = self._request("POST", "/v1/agents/%s/claim" % _quote(agent_id),
                                     query={"wait_ms": int(wait_ms), "max": int(max)},
                                     timeout=self.timeout + wait_ms / 1000.0, ok=(200, 204), abort=abort)
        return body["tasks"] if status == 200 and body else []

    def heartbeat(self, task_id, lease_id, progress=None, message=None):
        """``{"lease_expires_at", "cancel_requested", "status"}``; 409 ``lease_expired`` when stale."""
        body = {"lease_id": lease_id}
        if progress is not None:
            body["progress"] = int(progress)
        if message is not None:
            body["message"] = message
        return self._request("POST", "/v1/tasks/%s/heartbeat" % _quote(task_id), body, retry=True)[1]

    def complete(self, task_id, lease_id, result=None):
        body = {"lease_id": lease_id}
        if result is not None:
            body["result"] = result
        return self._request("POST", "/v1/tasks/%s/complete" % _quote(task_id), body, retry=True)[1]

    def complete_many(self, agent_id, items):
        """Complete many of the agent's tasks in one call. ``items``: ``(task_id, lease_id, result)``
        tuples (``result`` may be None). Answers one dict per item, in order: ``{"task_id", "code": 200,
        "status", "duplicate"}``, or the refusal the single complete would give (``code`` 409 or 404,
        ``error``, ``message``)."""
        members = []
        for task_id, lease_id, result in items:
            member = {"task_id": task_id, "lease_id": lease_id}
            if result is not None:
                member["result"] = result
            members.append(member)
        return self._request("POST", "/v1/agents/%s/complete" % _quote(agent_id), {"tasks": members},
                             retry=True)[1]["tasks"]

    def fail(self, task_id, lease_id, error, retryable=True):
        body = {"lease_id": lease_id, "error": error, "retryable": bool(retryable)}
        return self._request("POST", "/v1/tasks/%s/fail" % _quote(task_id), body, retry=True)[1]

    # ---- events ---------------------------------------------------------------------------------

    def events(self, event=None, task_type=None, agent=None, last_event_id=None, reconnect_delay=0.5):
        """An :class:`EventStream` over ``/v1/events``: every event as a dict, resuming with
        Last-Event-ID after a dropped connection. A ``resync`` event is yielded as it comes."""
        if isinstance(event, (list, tuple, set)):
            event = ",".join(event)
        path = self._path("/v1/events", {"event": event, "task_type": task_type, "agent": agent})
        return EventStream(self, path, last_event_id, reconnect_delay)

    def task_events(self, task_id, last_event_id=None):
        """One task's events; ends after its terminal event."""
        path = self._path("/v1/tasks/%s/events" % _quote(task_id))
        return EventStream(self, path, last_event_id, reconnect_delay=0.2, ends=True)

    def wait(self, task_id, timeout=None):
        """Block until the task has ended and answer it; ``TimeoutError`` after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        stream = self.task_events(task_id)
        stream.deadline = deadline
        try:
            for ev in stream:
                if ev.get("event") in _TERMINAL_EVENTS:
                    break
        finally:
            stream.close()
        task = self.get(task_id)
        if task["status"] not in TERMINAL:
            raise TimeoutError("task %s still %s" % (task_id, task["status"]))
        return task


class EventStream:
    """Iterator over a server-sent event stream. ``drop()`` cuts the current connection (the next
    read reconnects with Last-Event-ID); ``close()`` ends the iteration."""

    def __init__(self, client, path, last_event_id=None, reconnect_delay=0.5, ends=False):
        self._client = client
        self._path = path
        self.last_event_id = last_event_id
        self._reconnect_delay = reconnect_delay
        self._ends = ends
        self._conn = None
        self._response = None
        self._closed = False
        self.deadline = None
        self.connects = 0

    def __iter__(self):
        return self

    def _open(self):
        timeout = 60.0
        if self.deadline is not None:
            timeout = max(0.01, self.deadline - time.monotonic())
        headers = self._client._headers({"Accept": "text/event-stream"})
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        conn = self._client._new_connection(timeout)
        try:
            conn.request("GET", self._path, headers=headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise BatonUnavailable(self._client.url, e) from None
        if response.status != 200:
            raw = response.read()
            conn.close()
            raise _error_of(response.status, raw, response.getheader("Retry-After"))
        self.connects += 1
        self._conn, self._response = conn, response

    def _read_event(self):
        """The next event, or None at the end of the stream."""
        data, kind, seq = [], None, None
        while True:
            if self.deadline is not None:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no terminal event within the timeout")
                self._conn.sock.settimeout(left)
            line = self._response.readline()
            if not line:
                return None
            line = line.decode("utf-8").rstrip("\r\n")
            if not line:
                if data:
                    ev = json.loads("\n".join(data))
                    if seq is not None:
                        self.last_event_id = seq
                    if kind and "event" not in ev:
                        ev["event"] = kind
                    return ev
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "id":
                seq = value
            elif field == "event":
                kind = value

    def __next__(self):
        while not self._closed:
            if self._response is None:
                try:
                    self._open()
                except BatonUnavailable:
                    if self.connects == 0:
                        raise
                    time.sleep(self._reconnect_delay)
                    continue
            try:
                ev = self._read_event()
            except socket.timeout:
                if self.deadline is not None and time.monotonic() >= self.deadline:
                    self._disconnect()
                    raise TimeoutError("no terminal event within the timeout") from None
                self._disconnect()
                continue
            except (OSError, ValueError, AttributeError, http.client.HTTPException):
                self._disconnect()  # dropped: reconnect with Last-Event-ID
                if self._closed:
                    break
                time.sleep(self._reconnect_delay)
                continue
            if ev is None:
                self._disconnect()
                if self._ends:
                    self._closed = True
                    break
                time.sleep(self._reconnect_delay)
                continue
            return ev
        raise StopIteration

    def _disconnect(self):
        conn, self._conn, self._response = self._conn, None, None
        if conn is not None:
            try:
                if conn.sock is not None:
                    conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def drop(self):
        """Cut the connection as a network failure would; iteration resumes where it was."""
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self._closed = True
        self._disconnect()


def _quote(segment):
    return urllib.parse.quote(str(segment), safe="")


def _error_of(status, raw, retry_after):
    error, message = "http_%d" % status, ""
    try:
        body = json.loads(raw) if raw else {}
        error = body.get("error", error)
        message = body.get("message", "")
    except (ValueError, AttributeError):
        message = raw.decode("utf-8", "replace")[:200] if raw else ""
    seconds = None
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            seconds = None
    return BatonError(status, error, message or "HTTP %d" % status, seconds)
