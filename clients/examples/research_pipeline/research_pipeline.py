"""A company research pipeline, io_fetch -> parse -> ai_enrich -> persist, submitted as ONE batch:
the four tasks name each other by ``ref`` in ``depends_on``, so Baton releases each step when the one
before it completes. Each step reads its input from the result of the step before it.

The AI step is flaky: it fails its first attempts (``--enrich-failures``, 2 by default), and Baton
retries it after the type's backoff (``baton.types.ai_enrich.backoff``; the default backoff is
10 s, 30 s, 60 s). Every step reports its progress, which an event listener prints; at the end the
persisted record is printed.

    python3 research_pipeline.py --url http://127.0.0.1:8080 --company "Acme Robotics"
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import EventLog, client, parser, say  # noqa: E402
from baton import Worker  # noqa: E402
from baton.client import parse_instant  # noqa: E402

STEPS = ("io_fetch", "parse", "ai_enrich", "persist")


def submit_pipeline(c, company):
    """The whole DAG in one all-or-nothing batch; answers {step type: task id}."""
    members = []
    for i, step in enumerate(STEPS):
        member = {"ref": step, "type": step, "payload": {"company": company},
                  "description": "%s for %s" % (step, company)}
        if i:
            member["depends_on"] = [STEPS[i - 1]]
        members.append(member)
    return {m["ref"]: m["id"] for m in c.batch(members)}


def work(ctx, seconds, *notes):
    """Pretend to work for ``seconds``, reporting progress at each note."""
    for i, note in enumerate(notes):
        ctx.progress(int(100 * i / len(notes)), note)
        time.sleep(seconds / len(notes))


def research_worker(c, enrich_failures, step_seconds):
    """One agent that runs all four steps, up to four at once."""
    worker = Worker(c, "research-agent", capabilities=STEPS, concurrency=4, grace=5.0)

    def upstream(ctx):
        return c.get(ctx.task["depends_on"][0])["result"]

    @worker.handler("io_fetch")
    def fetch(ctx):
        company = ctx.payload["company"]
        work(ctx, step_seconds, "resolving the website of %s" % company, "downloading 3 pages")
        slug = company.lower().replace(" ", "-")
        return {"company": company, "pages": ["https://%s.example/%s" % (slug, p) for p in ("", "about", "news")]}

    @worker.handler("parse")
    def parse(ctx):
        fetched = upstream(ctx)
        work(ctx, step_seconds, "parsing %d pages" % len(fetched["pages"]), "extracting facts")
        return {"company": fetched["company"], "facts": {"founded": 2011, "employees": 240,
                                                         "sources": len(fetched["pages"])}}

    @worker.handler("ai_enrich")
    def enrich(ctx):
        parsed = upstream(ctx)
        work(ctx, step_seconds, "attempt %d: asking the model" % (ctx.attempt + 1))
        if ctx.attempt < enrich_failures:
            raise RuntimeError("model endpoint overloaded (HTTP 503)")  # retryable: Baton backs off
        return dict(parsed, summary="%s builds warehouse robots" % parsed["company"], industry="robotics",
                    enriched_on_attempt=ctx.attempt + 1)

    @worker.handler("persist")
    def persist(ctx):
        enriched = upstream(ctx)
        work(ctx, step_seconds, "writing the company record")
        return {"record": "companies/%s" % enriched["company"].lower().replace(" ", "-"), "stored": enriched}

    return worker


def shower(c):
    """Prints each step's progress and what happens to it, as the event stream tells."""
    def show(ev):
        kind = ev["event"]
        if kind == "task.progress":
            say("  [%-9s] %3s%% %s" % (ev["task_type"], ev["progress"], ev["message"] or ""))
        elif kind == "task.retrying":
            task = c.get(ev["task_id"])
            wait = parse_instant(task["run_at"]) - parse_instant(ev["at"]) if task.get("run_at") else 0
            say("  [%-9s] failed (%s); retry %d in %.1f s" % (ev["task_type"], task["error"], task["failures"], wait))
        elif kind in ("task.assigned", "task.completed", "task.failed", "task.cancelled", "task.queued"):
            say("  [%-9s] %s" % (ev["task_type"], kind[len("task."):]))
    return show


def main(argv=None):
    p = parser("Company research pipeline as one batch DAG, with a flaky AI step retried with backoff.")
    p.add_argument("--company", default="Acme Robotics")
    p.add_argument("--enrich-failures", type=int, default=2, help="attempts of ai_enrich that fail (default 2)")
    p.add_argument("--step-seconds", type=float, default=1.0, help="how long each step pretends to work")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the pipeline")
    args = p.parse_args(argv)
    c = client(args)
    log = EventLog(c, STEPS, on_event=shower(c))
    worker = research_worker(c, args.enrich_failures, args.step_seconds).start()
    try:
        ids = submit_pipeline(c, args.company)
        say("submitted the pipeline for %s as one batch: %s" % (args.company, " -> ".join(ids[s] for s in STEPS)))
        final = c.wait(ids["persist"], timeout=args.timeout)
        tasks = {step: c.get(ids[step]) for step in STEPS}
        enrich = tasks["ai_enrich"]
        say("ai_enrich: %d failure(s), completed on attempt %d" % (enrich["failures"], enrich["attempt"] + 1))
        say("persist %s: %s" % (final["status"], final.get("result")))
        return {"ids": ids, "tasks": tasks, "events": list(log.events)}
    finally:
        worker.stop()
        log.close()


if __name__ == "__main__":
    main()
