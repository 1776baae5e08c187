import json
import os
import signal
import subprocess
import sys

import baton_server
from baton_server import BatonTestCase, await_true, run_cli, unique

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CliTest(BatonTestCase):
    def baton(self, *args, url=None, check=True):
        proc = run_cli(url or self.server.url, *args)
        if check and proc.returncode != 0:
            self.fail("baton %s: exit %d: %s" % (" ".join(args), proc.returncode, proc.stderr))
        return proc

    def test_submit_get_ls_cancel(self):
        kind = unique("cli")
        task = json.loads(self.baton("submit", kind, '{"n": 3}', "--priority", "HIGH").stdout)
        self.assertEqual(({"n": 3}, "HIGH", "PENDING"), (task["payload"], task["priority"], task["status"]))
        got = json.loads(self.baton("get", task["id"]).stdout)
        self.assertEqual(task["id"], got["id"])
        listing = self.baton("ls", "--type", kind).stdout.splitlines()
        self.assertEqual(1, len(listing))
        self.assertTrue(listing[0].startswith(task["id"]))
        self.assertEqual("CANCELLED", json.loads(self.baton("cancel", task["id"]).stdout)["status"])
        self.assertIn("CANCELLED", self.baton("ls", "--type", kind, "--status", "CANCELLED").stdout)

    def test_tail_prints_events_from_a_resume_point(self):
        kind = unique("tail")
        since = self.client.stats()["last_seq"]
        task = self.client.submit(kind)
        self.client.cancel(task["id"])
        out = self.baton("tail", "--type", kind, "--last-event-id", str(since), "--count", "2").stdout
        events = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(["task.submitted", "task.cancelled"], [e["event"] for e in events])
        self.assertEqual({task["id"]}, {e["task_id"] for e in events})

    def test_clear_one_line_errors(self):
        down = self.baton("stats", url="http://127.0.0.1:1", check=False)
        self.assertEqual(2, down.returncode)
        self.assertEqual(1, len(down.stderr.strip().splitlines()))
        self.assertIn("cannot reach Baton at http://127.0.0.1:1", down.stderr)
        missing = self.baton("get", "no-such-task", check=False)
        self.assertEqual((1, "baton: task_not_found"), (missing.returncode, missing.stderr.split(":", 2)[0] + ":" +
                                                        missing.stderr.split(":", 2)[1]))
        bad = self.baton("submit", "x", "--priority", "URGENT", check=False)
        self.assertEqual(2, bad.returncode)
        self.assertIn("invalid choice", bad.stderr)

    def test_work_runs_a_command_per_task(self):
        kind = unique("work")
        script = "import json,sys; d=json.load(sys.stdin); sys.exit(3) if d.get('fail') else print(json.dumps({'n': d['n'] * 2}))"
        env = dict(os.environ, PYTHONPATH=SRC, BATON_URL=self.server.url)
        proc = subprocess.Popen([sys.executable, "-m", "baton", "work", "--type", kind, "--grace", "2",
                                 "--", sys.executable, "-c", script], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            ok = self.client.submit(kind, {"n": 2})
            bad = self.client.submit(kind, {"fail": True}, max_retries=0)
            self.assertEqual({"n": 4}, self.client.wait(ok["id"], 15)["result"])
            failed = self.client.wait(bad["id"], 15)
            self.assertEqual("FAILED", failed["status"])
            self.assertIn("exit 3", failed["error"])
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
        self.assertEqual(0, proc.returncode)

    def test_work_ends_the_command_of_a_cancelled_task(self):
        kind = unique("workcancel")
        pid_file = os.path.join(self.server.dir, kind + ".pid")
        script = "import os,time; open(%r,'w').write(str(os.getpid())); time.sleep(60)" % pid_file
        env = dict(os.environ, PYTHONPATH=SRC, BATON_URL=self.server.url)
        proc = subprocess.Popen([sys.executable, "-m", "baton", "work", "--type", kind, "--grace", "1",
                                 "--", sys.executable, "-c", script], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            task = self.client.submit(kind)
            pid = int(await_true(lambda: os.path.exists(pid_file) and open(pid_file).read(), 15, "the command runs"))
            self.client.cancel(task["id"])
            await_true(lambda: not os.path.exists("/proc/%d" % pid) or
                       open("/proc/%d/stat" % pid).read().split(")")[1].split()[0] == "Z", 5,
                       "the command is terminated within a heartbeat")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)

    def test_retry_all_dead_letters_of_a_type(self):
        kind, agent = unique("dead"), unique("agent")
        ids = [self.client.submit(kind, max_retries=0)["id"] for _ in range(2)]
        self.client.register_agent(agent, [kind], max_concurrency=2)
        for t in self.client.claim(agent, wait_ms=1000, max=2):
            self.client.fail(t["id"], t["lease_id"], "no", retryable=False)
        self.assertIn("retried 2 task(s)", self.baton("retry", "--type", kind).stdout)
        self.assertEqual(["PENDING", "PENDING"], [self.client.get(i)["status"] for i in ids])
        self.client.remove_agent(agent)
