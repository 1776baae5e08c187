#!/usr/bin/env python3
"""Notification latency of a running Baton: a submit sent -> its notification on Redis pub/sub.

Subscribes to task_notifications on Baton's Redis, then submits --tasks tasks one at a time,
--every-ms apart (POST /v1/tasks on one keep-alive connection), and prints, over the new_task
notifications of those tasks, the time from just before each submit was sent to its
notification's arrival: p50, p90, p99 and max.

  python3 src/test/bench/notify_latency.py --url http://127.0.0.1:8080 --redis 127.0.0.1:6379

The embedded Redis's port is in Baton's start-up log ("redis-cli -p <port> SUBSCRIBE
task_notifications"). Standard library only.
"""
import argparse
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse


def percentile(sorted_values, fraction):
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


def command(*words):
    out = [b"*%d\r\n" % len(words)]
    for word in words:
        data = word.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class Resp:
    """Reads RESP replies from a socket: simple strings, integers, bulk strings and arrays."""

    def __init__(self, sock):
        self.file = sock.makefile("rb")

    def read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b":"):
            return rest.decode()
        if kind == b"-":
            raise RuntimeError("Redis answered: " + rest.decode())
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self.file.read(size + 2)
            return data[:-2].decode()
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        raise RuntimeError("unexpected RESP line: %r" % line)


class Subscriber(threading.Thread):
    """Records when the new_task notification of each task id arrives (time.perf_counter())."""

    def __init__(self, host, port, password=None):
        super().__init__(daemon=True)
        self.sock = socket.create_connection((host, port), timeout=10)
        self.resp = Resp(self.sock)
        if password:
            self.sock.sendall(command("AUTH", password))
            self.resp.read()
        self.sock.sendall(command("SUBSCRIBE", "task_notifications"))
        self.resp.read()  # the subscription's confirmation
        self.sock.settimeout(None)
        self.arrived = {}

    def run(self):
        try:
            while True:
                message = self.resp.read()
                at = time.perf_counter()
                if isinstance(message, list) and len(message) == 3 and message[0] == "message":
                    notice = json.loads(message[2])
                    if notice.get("action") == "new_task":
                        self.arrived.setdefault(notice.get("task_id"), at)
        except (EOFError, OSError):
            pass

    def close(self):
        self.sock.close()


def measure(url, redis_host, redis_port, tasks, every_ms, password=None, wait_s=2.0):
    """Latencies in ms of the notified submits, sorted, and how many submits there were."""
    subscriber = Subscriber(redis_host, redis_port, password)
    subscriber.start()
    target = urllib.parse.urlsplit(url)
    http_conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
    sent = {}
    body = json.dumps({"type": "notify-latency", "priority": "LOW", "payload": {}})
    try:
        for _ in range(tasks):
            started = time.perf_counter()
            http_conn.request("POST", "/v1/tasks", body, {"content-type": "application/json"})
            response = http_conn.getresponse()
            answer = response.read()
            if response.status != 201:
                raise RuntimeError("POST /v1/tasks answered %d: %s" % (response.status, answer[:200]))
            sent[json.loads(answer)["id"]] = started
            time.sleep(every_ms / 1000)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and not all(task in subscriber.arrived for task in sent):
            time.sleep(0.01)
    finally:
        http_conn.close()
        subscriber.close()
    latencies = sorted((subscriber.arrived[task] - started) * 1000 for task, started in sent.items()
                       if task in subscriber.arrived)
    return latencies, len(sent)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--redis", default="127.0.0.1:6379", help="host:port of Baton's Redis")
    p.add_argument("--redis-password")
    p.add_argument("--tasks", type=int, default=500)
    p.add_argument("--every-ms", type=float, default=10)
    args = p.parse_args(argv)
    host, _, port = args.redis.rpartition(":")
    latencies, submitted = measure(args.url, host or "127.0.0.1", int(port), args.tasks, args.every_ms,
                                   args.redis_password)
    if not latencies:
        print("notifications 0/%d: none arrived" % submitted)
        return 1
    print("notifications %d/%d: p50 %.2f p90 %.2f p99 %.2f max %.2f ms" % (
        len(latencies), submitted, percentile(latencies, 0.5), percentile(latencies, 0.9),
        percentile(latencies, 0.99), latencies[-1]))
    return 0 if len(latencies) == submitted else 1


if __name__ == "__main__":
    sys.exit(main())
