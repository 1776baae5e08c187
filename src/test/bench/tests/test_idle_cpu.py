"""idle_cpu.py end to end against a stand-in Baton on loopback, sampling this very process."""
import contextlib
import http.server
import io
import os
import sys
import threading
import time
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import idle_cpu  # noqa: E402


class StandIn(http.server.BaseHTTPRequestHandler):
    """Registers anything; a claim waits a little and answers 204, as an empty long-poll does."""
    protocol_version = "HTTP/1.1"
    registered = []

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        StandIn.registered.append(self.path)
        self.reply(200, b'{"ok":true}')

    def do_POST(self):
        time.sleep(0.05)
        self.reply(204, b"")

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class IdleCpuTest(unittest.TestCase):

    def test_cpu_of_a_process_grows_while_it_works(self):
        stat = f"/proc/{os.getpid()}/stat"
        before = idle_cpu.proc_cpu_seconds(stat)
        deadline = time.monotonic() + 30
        while idle_cpu.proc_cpu_seconds(stat) < before + 0.05:
            self.assertLess(time.monotonic(), deadline, "no CPU time counted for a busy loop")
            sum(range(10_000))

    def test_each_thread_is_sampled_with_its_name(self):
        sample = idle_cpu.thread_sample(os.getpid())
        self.assertIn(str(threading.get_native_id()), sample)
        name, cpu, voluntary, _ = sample[str(threading.get_native_id())]
        self.assertTrue(name)
        self.assertGreater(cpu, 0)
        self.assertGreaterEqual(voluntary, 0)

    def test_a_whole_run_registers_the_agents_keeps_claims_parked_and_prints_the_window(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        argv = ["idle_cpu.py", "--url", f"http://127.0.0.1:{server.server_port}", "--pid", str(os.getpid()),
                "--redis-pid", str(os.getpid()), "--agents", "3", "--wait-ms", "100", "--settle", "0.3",
                "--window", "0.6", "--intervals", "2"]
        out = io.StringIO()
        with mock.patch.object(sys, "argv", argv), contextlib.redirect_stdout(out):
            idle_cpu.main()
        text = out.getvalue()
        self.assertEqual(["/v1/agents/idle-0", "/v1/agents/idle-1", "/v1/agents/idle-2"], StandIn.registered)
        self.assertRegex(text, r"window 0\.\d s, 3 agents parked, [1-9]\d* claims returned in the window")
        self.assertRegex(text, rf"baton JVM {os.getpid()}: \d+\.\d\d % of a core")
        self.assertIn("part 2/2", text)
        self.assertRegex(text, r"all \d+ threads: \d+\.\d\d ms/s, \d+ wake-ups/s")


if __name__ == "__main__":
    unittest.main()
