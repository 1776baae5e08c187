#!/usr/bin/env python3
"""Idle CPU of a running Baton and its Redis, per thread.

Registers N agents, keeps one long-poll claim parked for each (re-issued when it returns),
waits for things to settle, then reads /proc at both ends of a window: the CPU time
(utime + stime) of Baton's JVM and of Redis, and per JVM thread its CPU time and voluntary
context switches (each one a wake-up after the thread blocked or parked).

  java -Dquarkus.http.port=18080 -Dbaton.embedded-redis.data-dir=/tmp/idle-data \
       -jar target/quarkus-app/quarkus-run.jar &
  python3 src/test/bench/idle_cpu.py --url http://127.0.0.1:18080 --pid <java pid> [--redis-pid <pid>]

Without --redis-pid, a redis-server child of the JVM (the embedded Redis) is used if there is one.
Standard library only.
"""
import argparse
import http.client
import os
import threading
import time
import urllib.parse

TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(path):
    with open(path) as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def thread_sample(pid):
    """tid -> (name, cpu seconds, voluntary switches, involuntary switches)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(base + "/comm") as f:
                name = f.read().strip()
            with open(base + "/schedstat") as f:  # nanoseconds on a CPU, unlike stat's 10 ms ticks
                cpu = int(f.read().split()[0]) / 1e9
            vol = invol = 0
            with open(base + "/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        vol = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        invol = int(line.split()[1])
            out[tid] = (name, cpu, vol, invol)
        except (OSError, ValueError):
            pass
    return out


def redis_child(pid):
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                for child in f.read().split():
                    with open(f"/proc/{child}/comm") as c:
                        if c.read().startswith("redis"):
                            return int(child)
        except OSError:
            pass
    return None


def request(conn, method, path, body=None):
    headers = {"content-type": "application/json"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def parked_claims(url, agent, wait_ms, stop, counts):
    u = urllib.parse.urlparse(url)
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=wait_ms / 1000 + 30)
            while not stop.is_set():
                status, _ = request(conn, "POST", f"/v1/agents/{agent}/claim?max=1&wait_ms={wait_ms}")
                counts[agent] = counts.get(agent, 0) + 1
                if status not in (200, 204):
                    time.sleep(1)
        except OSError:
            time.sleep(1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--pid", type=int, required=True, help="Baton's JVM")
    p.add_argument("--redis-pid", type=int)
    p.add_argument("--agents", type=int, default=50)
    p.add_argument("--wait-ms", type=int, default=30000)
    p.add_argument("--settle", type=float, default=30)
    p.add_argument("--window", type=float, default=60)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--intervals", type=int, default=1, help="also print the top threads of each part of the window")
    a = p.parse_args()
    redis_pid = a.redis_pid or redis_child(a.pid)

    u = urllib.parse.urlparse(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    for i in range(a.agents):  # --agents 0: sample only, someone else keeps claims parked
        status, body = request(conn, "PUT", f"/v1/agents/idle-{i}",
                               '{"capabilities":["idle-bench"],"max_concurrency":1}')
        if status != 200:
            raise SystemExit(f"register idle-{i}: {status} {body[:200]!r}")
    stop = threading.Event()
    counts = {}
    for i in range(a.agents):
        threading.Thread(target=parked_claims, args=(a.url, f"idle-{i}", a.wait_ms, stop, counts),
                         daemon=True).start()
    time.sleep(a.settle)

    t0 = time.monotonic()
    jvm0 = proc_cpu_seconds(f"/proc/{a.pid}/stat")
    redis0 = proc_cpu_seconds(f"/proc/{redis_pid}/stat") if redis_pid else None
    threads0 = thread_sample(a.pid)
    claims0 = sum(counts.values())
    previous = threads0
    for part in range(a.intervals):
        time.sleep(a.window / a.intervals)
        if a.intervals > 1:
            now = thread_sample(a.pid)
            print_threads(f"part {part + 1}/{a.intervals}", previous, now, a.window / a.intervals, 6)
            previous = now
    threads1 = thread_sample(a.pid)
    jvm1 = proc_cpu_seconds(f"/proc/{a.pid}/stat")
    redis1 = proc_cpu_seconds(f"/proc/{redis_pid}/stat") if redis_pid else None
    elapsed = time.monotonic() - t0
    claims = sum(counts.values()) - claims0
    stop.set()

    print(f"window {elapsed:.1f} s, {a.agents} agents parked, {claims} claims returned in the window")
    print(f"baton JVM {a.pid}: {(jvm1 - jvm0) / elapsed * 100:.2f} % of a core")
    if redis_pid:
        print(f"redis {redis_pid}: {(redis1 - redis0) / elapsed * 100:.2f} % of a core")
    print_threads("whole window", threads0, threads1, elapsed, a.top)


def print_threads(title, before, after, elapsed, top):
    rows = []
    for tid, (name, cpu, vol, invol) in after.items():
        _, cpu0, vol0, invol0 = before.get(tid, (name, 0, 0, 0))
        rows.append((cpu - cpu0, (vol - vol0) / elapsed, (invol - invol0) / elapsed, name, tid))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    print(f"{title:<24} {'tid':>7} {'cpu ms/s':>9} {'wakeups/s':>10} {'preempt/s':>10}")
    for cpu, vol, invol, name, tid in rows[:top]:
        print(f"  {name:<22} {tid:>7} {cpu / elapsed * 1000:>9.2f} {vol:>10.1f} {invol:>10.1f}")
    print(f"  all {len(rows)} threads: {sum(r[0] for r in rows) / elapsed * 1000:.2f} ms/s, "
          f"{sum(r[1] for r in rows):.0f} wake-ups/s")


if __name__ == "__main__":
    main()
