"""The ``baton`` command line: ``python -m baton --help``."""

import argparse
import json
import logging
import os
import subprocess
import sys

from .client import BatonError, BatonUnavailable, Client
from .worker import Worker


def _json_arg(text):
    try:
        return json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError("not JSON: %s" % e)


def _parser():
    p = argparse.ArgumentParser(prog="baton", description="Talk to a Baton server.")
    p.add_argument("--url", default=os.environ.get("BATON_URL", "http://127.0.0.1:8080"),
                   help="Baton's address (env BATON_URL; default http://127.0.0.1:8080)")
    p.add_argument("--token", default=os.environ.get("BATON_TOKEN"), help="bearer token (env BATON_TOKEN)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("submit", help="submit a task")
    s.add_argument("type")
    s.add_argument("payload", nargs="?", type=_json_arg, help="payload JSON object")
    s.add_argument("--id")
    s.add_argument("--description")
    s.add_argument("--priority", choices=["CRITICAL", "HIGH", "MEDIUM", "LOW"])
    s.add_argument("--depends-on", action="append", metavar="ID")
    s.add_argument("--max-retries", type=int)
    s.add_argument("--run-at", metavar="INSTANT")
    s.add_argument("--on-dependency-failure", choices=["cancel", "run"])
    s.add_argument("--wait", type=float, metavar="SECONDS", help="wait for the task to end")

    g = sub.add_parser("get", help="show a task")
    g.add_argument("id")

    ls = sub.add_parser("ls", help="list tasks")
    ls.add_argument("--status")
    ls.add_argument("--type")
    ls.add_argument("--agent")
    ls.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")

    c = sub.add_parser("cancel", help="cancel a task")
    c.add_argument("id")

    r = sub.add_parser("retry", help="re-queue a dead letter, or all of one type")
    r.add_argument("id", nargs="?")
    r.add_argument("--type", help="retry every FAILED task of this type")

    t = sub.add_parser("tail", help="print live events, one JSON per line")
    t.add_argument("--event", help="event kinds, comma-separated")
    t.add_argument("--type", dest="task_type")
    t.add_argument("--agent")
    t.add_argument("--last-event-id", help="resume after this seq")
    t.add_argument("--count", type=int, help="stop after this many events")

    sub.add_parser("stats", help="queue depths and figures")
    a = sub.add_parser("agents", help="list agents, or show one")
    a.add_argument("id", nargs="?")

    w = sub.add_parser("work", help="run a command per task: payload on stdin, stdout is the result",
                       usage="baton work --type T [--agent ID] [--concurrency N] -- CMD [ARGS...]")
    w.add_argument("--type", action="append", required=True, dest="types")
    w.add_argument("--agent", default="%s-%d" % (os.uname().nodename, os.getpid()))
    w.add_argument("--concurrency", type=int, default=1)
    w.add_argument("--grace", type=float, default=10.0)
    w.add_argument("cmd", nargs=argparse.REMAINDER)
    return p


def _print(value):
    print(json.dumps(value, indent=2, sort_keys=True))


def _work(client, args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        raise SystemExit("baton: error: work needs a command after --")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = Worker(client, args.agent, capabilities=args.types, concurrency=args.concurrency,
                    grace=args.grace)

    @worker.handler()
    def run(ctx):
        env = dict(os.environ, BATON_TASK_ID=ctx.id, BATON_TASK_TYPE=ctx.type, BATON_ATTEMPT=str(ctx.attempt))
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        data = json.dumps(ctx.payload).encode()
        while True:
            try:
                out, err = proc.communicate(data, timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                data = None  # already sent
                if ctx.cancelled.is_set():  # cancelled, lease lost or worker stopping: end the command
                    proc.terminate()
                    proc.communicate()
                    raise RuntimeError("command terminated: the task was cancelled or the worker stopped")
        if proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError("exit %d%s" % (proc.returncode, ": " + lines[-1] if lines else ""))
        out = out.decode("utf-8", "replace").strip()
        try:
            return json.loads(out) if out else None
        except ValueError:
            return out

    worker.run()
    return 0


def main(argv=None):
    args = _parser().parse_args(argv)
    client = Client(args.url, args.token)
    try:
        if args.command == "submit":
            task = client.submit(args.type, args.payload, id=args.id, description=args.description,
                                 priority=args.priority, depends_on=args.depends_on, max_retries=args.max_retries,
                                 run_at=args.run_at, on_dependency_failure=args.on_dependency_failure)
            _print(client.wait(task["id"], args.wait) if args.wait else task)
        elif args.command == "get":
            _print(client.get(args.id))
        elif args.command == "ls":
            tasks = []
            for task in client.iter_tasks(args.status, args.type, args.agent, page_size=min(args.limit, 1000)):
                tasks.append(task)
                if len(tasks) >= args.limit:
                    break
            for task in tasks:
                print("%-28s %-12s %-14s %-8s %s" % (task["id"], task["status"], task["type"],
                                                    task.get("priority", ""), task.get("assigned_agent") or ""))
        elif args.command == "cancel":
            _print(client.cancel(args.id))
        elif args.command == "retry":
            if bool(args.id) == bool(args.type):
                raise SystemExit("baton: error: retry needs a task id or --type (not both)")
            if args.id:
                _print(client.retry(args.id))
            else:
                ids = [t["id"] for t in client.iter_tasks(status="FAILED", type=args.type)]
                for task_id in ids:
                    client.retry(task_id)
                print("retried %d task(s) of type %s" % (len(ids), args.type))
        elif args.command == "tail":
            stream = client.events(args.event, args.task_type, args.agent, args.last_event_id)
            for n, ev in enumerate(stream, 1):
                print(json.dumps(ev), flush=True)
                if args.count and n >= args.count:
                    break
        elif args.command == "stats":
            _print(client.stats())
        elif args.command == "agents":
            _print(client.agent(args.id) if args.id else client.agents())
        elif args.command == "work":
            return _work(client, args)
    except BatonUnavailable as e:
        print("baton: %s (is the server running? set --url or BATON_URL)" % e.message, file=sys.stderr)
        return 2
    except BatonError as e:
        hint = ""
        if e.status == 401:
            hint = " (set --token or BATON_TOKEN)"
        elif e.status == 403:
            hint = " (this token's role may not do that)"
        print("baton: %s: %s%s" % (e.error, e.message, hint), file=sys.stderr)
        return 1
    except TimeoutError as e:
        print("baton: timed out: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
