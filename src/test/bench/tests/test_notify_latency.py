"""notify_latency.py end to end against a stand-in Baton and a stand-in Redis pub/sub on loopback."""
import contextlib
import http.server
import io
import json
import os
import socketserver
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import notify_latency  # noqa: E402


class StandInRedis(socketserver.ThreadingTCPServer):
    """Takes SUBSCRIBE task_notifications, then pushes what publish() is given to every subscriber."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SubscribeHandler)
        self.subscribers = []
        self.lock = threading.Lock()

    def publish(self, notice):
        payload = json.dumps(notice).encode()
        message = b"*3\r\n$7\r\nmessage\r\n$18\r\ntask_notifications\r\n$%d\r\n%s\r\n" % (len(payload), payload)
        with self.lock:
            for conn in self.subscribers:
                for i in range(0, len(message), 7):  # in pieces, as TCP may deliver it
                    conn.sendall(message[i:i + 7])


class SubscribeHandler(socketserver.BaseRequestHandler):
    def handle(self):
        seen = b""
        while b"task_notifications\r\n" not in seen:
            data = self.request.recv(1024)
            if not data:
                return
            seen += data
        self.request.sendall(b"*3\r\n$9\r\nsubscribe\r\n$18\r\ntask_notifications\r\n:1\r\n")
        with self.server.lock:
            self.server.subscribers.append(self.request)
        while self.request.recv(1024):
            pass


class StandInBaton(http.server.BaseHTTPRequestHandler):
    """POST /v1/tasks: 201 with a new id, then an update notification and the task's new_task."""
    protocol_version = "HTTP/1.1"
    redis = None
    count = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        StandInBaton.count += 1
        task = "t-%d" % StandInBaton.count
        body = json.dumps({"id": task, "status": "PENDING"}).encode()
        self.send_response(201)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        StandInBaton.redis.publish({"action": "task_updated", "task_id": "other"})
        StandInBaton.redis.publish({"action": "new_task", "task_id": task})

    def log_message(self, *args):
        pass


class NotifyLatencyTest(unittest.TestCase):

    def setUp(self):
        self.redis = StandInRedis()
        threading.Thread(target=self.redis.serve_forever, daemon=True).start()
        StandInBaton.redis = self.redis
        StandInBaton.count = 0
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandInBaton)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def tearDown(self):
        self.http.shutdown()
        self.http.server_close()
        self.redis.shutdown()
        self.redis.server_close()

    def test_every_submit_is_matched_with_its_new_task_notification(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = notify_latency.main(["--url", "http://127.0.0.1:%d" % self.http.server_port,
                                        "--redis", "127.0.0.1:%d" % self.redis.server_address[1],
                                        "--tasks", "5", "--every-ms", "1"])
        self.assertEqual(0, code, out.getvalue())
        self.assertRegex(out.getvalue(), r"^notifications 5/5: p50 [\d.]+ p90 [\d.]+ p99 [\d.]+ max [\d.]+ ms\n$")
        self.assertEqual(5, StandInBaton.count)

    def test_submits_whose_notification_never_comes_are_reported(self):
        self.http.RequestHandlerClass = Silent
        latencies, submitted = notify_latency.measure("http://127.0.0.1:%d" % self.http.server_port, "127.0.0.1",
                                                      self.redis.server_address[1], 3, 1, wait_s=0.2)
        self.assertEqual(([], 3), (latencies, submitted))

    def test_percentile_is_the_nearest_rank(self):
        values = [float(v) for v in range(1, 101)]
        self.assertEqual(50.0, notify_latency.percentile(values, 0.5))
        self.assertEqual(99.0, notify_latency.percentile(values, 0.99))
        self.assertEqual(7.0, notify_latency.percentile([7.0], 0.99))
        with self.assertRaises(ValueError):
            notify_latency.percentile([], 0.5)


class Silent(StandInBaton):
    """Answers submits, publishes nothing."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        StandInBaton.count += 1
        body = json.dumps({"id": "s-%d" % StandInBaton.count}).encode()
        self.send_response(201)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    unittest.main()
