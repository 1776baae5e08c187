"""Specialist agents and a generalist: ``coder`` (capability ``coding``), ``analyst`` (``analysis``) and
``reasoner`` (``reasoning``) run their own kind of work; ``generalist`` (capability ``general``) can run
anything and takes the rest.

Baton scores each (task, agent) pair (docs/model.md, "Assignment and scoring"): +50 for an exact
capability, +30 for ``general``, plus the priority boost, minus load, plus the agent's success rate
and speed for the type. When a task becomes ready, the best-scoring agent waiting for work gets it,
so a waiting specialist wins its own type over the generalist. Baton does not publish the scores;
this example computes them before each task from the agent view (``GET /v1/agents/{id}``: load,
history per type) with the default weights, shows them, and checks them against who got the task.

Tasks are handed out one at a time, each once every agent is waiting for work, so that every
decision is made between all four agents (in a burst, a busy specialist's tasks go to whoever is free).

    python3 specialist_agents.py --url http://127.0.0.1:8080
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import EventLog, client, parser, say  # noqa: E402
from baton import Worker  # noqa: E402

AGENTS = {"coder": ["coding"], "analyst": ["analysis"], "reasoner": ["reasoning"], "generalist": ["general"]}

WORK = [("coding", "fix the flaky login test"), ("analysis", "churn by signup cohort"),
        ("translation", "README into German"), ("reasoning", "plan the Postgres 16 migration"),
        ("summary", "this week's incidents"), ("coding", "add retries to the uploader"),
        ("analysis", "latency by region"), ("reasoning", "is the cache worth it?"),
        ("translation", "release notes into French")]

# The default weights (baton.scoring.*), MEDIUM priority.
EXACT, GENERAL, MEDIUM_BOOST, LOAD, HISTORY, SPEED, SPEED_CAP = 50, 30, 10, -20, 20, 10, 2


def expected_score(agent, task_type, fleet_mean):
    """The score Baton gives (task_type, agent), from the agent view; None when it cannot run it."""
    if task_type in agent["capabilities"]:
        score = EXACT
    elif "general" in agent["capabilities"]:
        score = GENERAL
    else:
        return None
    score += MEDIUM_BOOST + LOAD * len(agent["active"]) / agent["max_concurrency"]
    own = agent["history_by_type"].get(task_type)
    score += HISTORY * (own["success_rate"] if own else 1.0)
    if own and own.get("mean_millis") and fleet_mean:
        score += SPEED * min(SPEED_CAP, max(1.0, fleet_mean) / max(1.0, own["mean_millis"]))
    else:
        score += SPEED  # a newcomer is assumed to run at the fleet's pace
    return score


def fleet_mean(agents, task_type):
    """The fleet's mean time for the type, approximated from the agents' own means."""
    runs = [(a["history_by_type"][task_type]["completed"], a["history_by_type"][task_type].get("mean_millis"))
            for a in agents if task_type in a["history_by_type"]]
    runs = [(n, m) for n, m in runs if n and m]
    return sum(n * m for n, m in runs) / sum(n for n, _ in runs) if runs else None


def agent_worker(c, name, capabilities, seconds):
    worker = Worker(c, name, capabilities=capabilities, concurrency=2, grace=5.0)

    @worker.handler()  # every type the agent is given
    def run(ctx):
        ctx.progress(0, "%s working on %s" % (name, ctx.payload["what"]))
        time.sleep(seconds)
        return {"by": name, "what": ctx.payload["what"]}

    return worker


def all_waiting(c, timeout=30.0):
    """The agent views once every agent has a claim parked, waiting for work."""
    deadline = time.monotonic() + timeout
    while True:
        views = [c.agent(name) for name in AGENTS]
        if all(v["waiting_claims"] > 0 for v in views):
            return views
        if time.monotonic() > deadline:
            raise TimeoutError("agents not all waiting for work: %s" % [v["id"] for v in views if not v["waiting_claims"]])
        time.sleep(0.05)


def main(argv=None):
    p = parser("Specialist agents get their task types; a general agent takes the rest.")
    p.add_argument("--task-seconds", type=float, default=0.5, help="how long each task pretends to work")
    p.add_argument("--timeout", type=float, default=60.0)
    args = p.parse_args(argv)
    c = client(args)
    log = EventLog(c, {t for t, _ in WORK})
    workers = [agent_worker(c, name, caps, args.task_seconds).start() for name, caps in AGENTS.items()]
    decisions = []
    try:
        for task_type, what in WORK:
            views = all_waiting(c)
            scores = {v["id"]: expected_score(v, task_type, fleet_mean(views, task_type)) for v in views}
            scores = {name: s for name, s in scores.items() if s is not None}
            task = c.submit(task_type, {"what": what})
            got = log.wait_for(lambda ev: ev["task_id"] == task["id"] and ev["event"] == "task.assigned",
                               args.timeout)["agent_id"]
            decisions.append({"id": task["id"], "type": task_type, "agent": got, "scores": scores})
            say("%-11s %-32s -> %-10s scores: %s" % (task_type, what, got, ", ".join(
                "%s %.1f" % kv for kv in sorted(scores.items(), key=lambda kv: -kv[1]))))
        tasks = [c.wait(d["id"], timeout=args.timeout) for d in decisions]
        say("history per type in the agent view:")
        for view in (c.agent(name) for name in AGENTS):
            say("  %-10s %s" % (view["id"], ", ".join("%s: %d done, success %.2f, %.0f ms" % (
                t, h["completed"], h["success_rate"], h.get("mean_millis") or 0)
                for t, h in sorted(view["history_by_type"].items()))))
        return {"decisions": decisions, "tasks": tasks}
    finally:
        for w in workers:
            w.stop()
        log.close()


if __name__ == "__main__":
    main()
