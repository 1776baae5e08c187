// The load shape both sides share: one producer process (this one) with a fixed number of
// single submits in flight, one consumer process (a child, the same script with PEER_ROLE=consumer)
// whose agents or workers take one task at a time and finish it at once; four priorities in turn;
// phases measured in windows with the CPU time of named processes read from /proc at both ends.
//
// Implementation notes
// - Dispatch latency: the producer stamps process.hrtime (CLOCK_MONOTONIC, one clock for every
//   process on the machine) into the payload just before the submit leaves; the consumer
//   subtracts it from the moment its agent or worker has the task.
// - The consumer reports completions to the producer in batches over the IPC channel every
//   CONSUMER_FLUSH_MILLIS; the producer holds submitted-but-not-completed under --max-backlog, so
//   the queue stays short and both sides are measured on the same small backlog.
// - Fixed-rate phases are open loop: sends go out on a schedule whether earlier ones were
//   answered or not (up to RATE_IN_FLIGHT_CAP in flight); sends issued more than
//   LATE_SEND_MILLIS after their time are counted as late.
// - Every phase ends with a drain (producer stopped, consumers finish what is queued), so the next
//   phase starts from an empty queue.
import { fork, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const PRIORITY_LEVELS = 4;
export const PAYLOAD_BYTES = 200;
const CONSUMER_FLUSH_MILLIS = 10;
const RATE_IN_FLIGHT_CAP = 4096;
const LATE_SEND_MILLIS = 2;
/** A loaded machine may leave a fixed-rate phase's backlog minutes to finish. */
const DRAIN_TIMEOUT_MILLIS = 300_000;
const ERRORS_SHOWN = 5;
/** The CPU line of the whole machine (all cores, every process) in each window. */
const MACHINE = 'machine';
const PAD = 'x'.repeat(PAYLOAD_BYTES - '{"sent_ns":1234567890123456,"pad":""}'.length);
const TICK_NANOS = 1e9 / clockTicksPerSecond();

/** Nanoseconds on the machine's monotonic clock, comparable between processes. */
export const nowNanos = () => Number(process.hrtime.bigint());

/** The 200-byte payload every task carries, stamped with its send time. */
export const payload = (sentNanos) => ({ sent_ns: sentNanos, pad: PAD });

const DEFAULTS = {
  agents: '50', 'in-flight': '64', 'max-backlog': '2000', phases: 'throughput,rate:500,rate:1000',
  warmup: '5s', duration: '20s', 'rate-warmup': '2s', 'rate-duration': '10s', 'idle-settle': '10s',
  'startup-tasks': '20000', 'startup-window': '10s', cpu: '', label: '', batch: '1',
};

/** `--name value` or `--name=value` arguments over DEFAULTS and the side's own defaults. */
export function parseOptions(argv, sideDefaults = {}) {
  const options = { ...DEFAULTS, ...sideDefaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      throw new Error(`unexpected argument '${arg}'; options are --name value`);
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!(name in options)) {
      throw new Error(`unknown option --${name}; known: ${Object.keys(options).map((n) => '--' + n).join(' ')}`);
    }
    if (eq < 0 && i + 1 >= argv.length) {
      throw new Error(`option --${name} needs a value`);
    }
    options[name] = eq > 0 ? arg.slice(eq + 1) : argv[++i];
  }
  for (const name of ['agents', 'in-flight', 'max-backlog', 'startup-tasks', 'batch']) {
    options[name] = positive(name, options[name]);
  }
  for (const name of ['warmup', 'duration', 'rate-warmup', 'rate-duration', 'idle-settle', 'startup-window']) {
    options[name] = millis(name, options[name]);
  }
  options.phases = options.phases.split(',').map((p) => phase(p.trim()));
  options.cpu = options.cpu ? options.cpu.split(',').map((entry) => cpuTarget(entry.trim())) : [];
  return options;
}

function positive(name, text) {
  const n = Number(String(text).replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${name} must be a whole number ≥ 1, was '${text}'`);
  }
  return n;
}

/** `500ms`, `20s`, `2m` or plain seconds, in milliseconds. */
export function millis(name, text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
  if (!m) {
    throw new Error(`--${name} is not a duration; use e.g. 500ms, 20s, 2m: '${text}'`);
  }
  const factor = { ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'];
  return Math.round(Number(m[1]) * factor);
}

/** `startup`, `throughput`, `idle` or `rate:<tasks per second>`. */
export function phase(text) {
  if (text === 'startup' || text === 'throughput' || text === 'idle') {
    return { kind: text };
  }
  const m = /^rate:(\d+)$/.exec(text);
  if (m && Number(m[1]) > 0) {
    return { kind: 'rate', rate: Number(m[1]) };
  }
  throw new Error(`--phases takes startup, throughput, idle and rate:<n> separated by commas, not '${text}'`);
}

/** `name=pid`: a process whose CPU time each window reports. */
function cpuTarget(text) {
  const m = /^([A-Za-z][\w-]*)=(\d+)$/.exec(text);
  if (!m) {
    throw new Error(`--cpu takes name=pid pairs separated by commas, not '${text}'`);
  }
  return { name: m[1], pid: Number(m[2]) };
}

/**
 * User plus system CPU time of {@code pid} and of the children it waited for, in nanoseconds from
 * /proc/<pid>/stat, or -1. The children count: Redis rewrites its append-only file in a forked
 * child, and that CPU is the server's as much as its main thread's (a container's figure has it).
 */
export function cpuNanos(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the fields after the command name, which sits in parentheses and may hold spaces:
    // utime stime cutime cstime are the 12th to the 15th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_NANOS;
  } catch {
    return -1;
  }
}

/** CPU time every process on the machine spent (not idle, not waiting for I/O), in nanoseconds, or -1. */
export function machineBusyNanos() {
  try {
    const fields = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal
    return [1, 2, 3, 6, 7, 8].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) * TICK_NANOS;
  } catch {
    return -1;
  }
}

function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}

/** The value at quantile {@code q} of ascending {@code sorted}, or null when empty. */
export function percentile(sorted, q) {
  if (sorted.length === 0) {
    return null;
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// -------------------------------------------------------------------------------------------
// The consumer process

/**
 * Runs the consumer side: {@code start(options, record)} starts the agents or workers and
 * resolves to a function that stops them; they call {@code record.received(sentNanos)} when
 * one has a task and {@code record.completed()} when its completion was accepted.
 */
export async function consumerProcess(options, start) {
  let completed = 0;
  let latencies = null; // microseconds, while the producer measures a window
  let errors = 0;
  const record = {
    received(sentNanos) {
      if (latencies !== null && sentNanos > 0) {
        latencies.push(Math.max(0, nowNanos() - sentNanos) / 1000);
      }
    },
    completed() {
      completed++;
    },
    error(what, detail) {
      if (errors++ < ERRORS_SHOWN) {
        console.error(`consumer: ${what}: ${detail}`);
      }
    },
  };
  const flush = setInterval(() => {
    if (completed > 0) {
      process.send({ t: 'done', n: completed });
      completed = 0;
    }
  }, CONSUMER_FLUSH_MILLIS);
  const stop = await start(options, record);
  process.on('message', async (message) => {
    if (message.t === 'mark') {
      latencies = [];
    } else if (message.t === 'collect') {
      process.send({ t: 'latencies', values: latencies ?? [] });
      latencies = null;
    } else if (message.t === 'stop') {
      clearInterval(flush);
      await stop();
      process.send({ t: 'stopped', errors }, () => process.exit(0));
    }
  });
  process.send({ t: 'ready' });
}

// -------------------------------------------------------------------------------------------
// The producer process

/**
 * Runs the phases against one side and prints a {@code RESULT <json>} line at the end.
 * {@code submit(level)} sends one task of priority level 0..3 (0 the highest) stamped with
 * {@code payload(nowNanos())} and resolves to 'ok', 'rejected' (back off and try again) or
 * 'error'. {@code consumerRole} names the child's CPU line (agents, workers).
 */
export async function producerProcess({ side, version, scriptUrl, options, submit, close, consumerRole }) {
  const label = options.label ? `${side} ${options.label}` : side;
  const child = fork(fileURLToPath(scriptUrl), process.argv.slice(2), {
    env: { ...process.env, PEER_ROLE: 'consumer' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const producer = new Producer(submit, options, child);
  await producer.childSays('ready');
  const cpu = [...options.cpu, { name: consumerRole, pid: child.pid }];
  const results = [];
  try {
    for (const p of options.phases) {
      const result = p.kind === 'startup' ? await producer.startup(cpu)
        : p.kind === 'idle' ? await producer.idle(cpu)
          : p.kind === 'throughput' ? await producer.throughput(cpu)
            : await producer.fixedRate(p.rate, cpu);
      console.log(`[${label}] ${describe(result)}`);
      results.push(result);
    }
  } finally {
    child.send({ t: 'stop' });
    const stopped = await producer.childSays('stopped');
    await close();
    producer.consumerErrors = stopped.errors;
  }
  console.log('RESULT ' + JSON.stringify({
    side, version, label: options.label, agents: options.agents, in_flight: options['in-flight'],
    errors: producer.errors + producer.consumerErrors, rejected: producer.rejected, phases: results,
  }));
}

function describe(r) {
  const cpu = Object.entries(r.cpu_us_per_task ?? {}).map(([n, us]) => `${n} ${us.toFixed(1)} µs`).join(', ');
  if (r.phase === 'startup') {
    return `startup: ${r.buckets_per_second.map((v) => v.toFixed(0)).join(' / ')} tasks/s in successive `
        + `${r.bucket_seconds} s windows (${r.tasks} tasks)`;
  }
  if (r.phase === 'idle') {
    const cores = Object.entries(r.cores).map(([n, c]) => `${n} ${c.toFixed(4)}`).join(', ');
    return `idle for ${r.seconds.toFixed(1)} s with every agent waiting: cores: ${cores}`;
  }
  if (r.phase === 'throughput') {
    return `throughput: ${r.completed_per_second.toFixed(0)} tasks/s over ${r.seconds.toFixed(1)} s; CPU per task: ${cpu}`;
  }
  const cores = Object.entries(r.cores).map(([n, c]) => `${n} ${c.toFixed(3)}`).join(', ');
  return `rate ${r.rate}/s: dispatch p50 ${fmt(r.dispatch_ms.p50)} p99 ${fmt(r.dispatch_ms.p99)} max ${fmt(r.dispatch_ms.max)} ms `
      + `(${r.dispatch_ms.samples} samples, ${r.late_sends} late sends); completed ${r.completed_per_second.toFixed(0)}/s; cores: ${cores}`;
}

const fmt = (ms) => (ms === null ? '-' : ms.toFixed(2));

class Producer {
  constructor(submit, options, child) {
    this.submit = submit;
    this.options = options;
    this.child = child;
    this.submitted = 0;
    this.inFlight = 0;
    this.completed = 0;
    this.errors = 0;
    this.rejected = 0;
    this.consumerErrors = 0;
    this.waiters = [];
    this.replies = new Map();
    child.on('message', (message) => {
      if (message.t === 'done') {
        this.completed += message.n;
        const waiting = this.waiters;
        this.waiters = [];
        waiting.forEach((wake) => wake());
      } else {
        this.replies.get(message.t)?.(message);
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) {
        console.error(`consumer process exited with ${code}`);
        process.exit(1);
      }
    });
  }

  childSays(type) {
    return new Promise((resolve) => this.replies.set(type, resolve));
  }

  /** Submitted (or in flight) and not yet completed. */
  backlog() {
    return this.submitted + this.inFlight - this.completed;
  }

  /** One submit call: {@code batch} tasks (one unless --batch), counted in flight until answered. */
  async sendOne(level) {
    const tasks = this.options.batch;
    this.inFlight += tasks;
    let outcome;
    try {
      outcome = await this.submit(level);
    } catch (e) {
      outcome = 'error';
      if (this.errors < ERRORS_SHOWN) {
        console.error(`submit: ${e.message}`);
      }
    }
    this.inFlight -= tasks;
    if (outcome === 'ok') {
      this.submitted += tasks;
    } else if (outcome === 'rejected') {
      this.rejected++;
      await sleep(10);
    } else {
      this.errors++;
    }
  }

  /** Starts {@code in-flight} loops submitting as fast as the backlog allows; returns their stop. */
  flatOut() {
    let producing = true;
    let next = 0;
    const slot = async () => {
      while (producing) {
        while (producing && this.backlog() >= this.options['max-backlog']) {
          await new Promise((wake) => this.waiters.push(wake));
        }
        if (producing) {
          await this.sendOne(next++ % PRIORITY_LEVELS);
        }
      }
    };
    const slots = Array.from({ length: this.options['in-flight'] }, slot);
    return async () => {
      producing = false;
      this.waiters.forEach((wake) => wake());
      await Promise.all(slots);
    };
  }

  snapshot(cpu) {
    const usage = process.cpuUsage();
    const times = { producer: (usage.user + usage.system) * 1000 };
    for (const { name, pid } of cpu) {
      times[name] = cpuNanos(pid);
    }
    times[MACHINE] = machineBusyNanos();
    return { at: nowNanos(), completed: this.completed, cpu: times };
  }

  /** Tasks/s, CPU µs per completed task and cores of each process between two snapshots. */
  window(from, to) {
    const seconds = (to.at - from.at) / 1e9;
    const tasks = to.completed - from.completed;
    const perTask = {};
    const cores = {};
    for (const name of Object.keys(from.cpu)) {
      if (from.cpu[name] >= 0 && to.cpu[name] >= 0) {
        const nanos = to.cpu[name] - from.cpu[name];
        if (name !== MACHINE) {
          perTask[name] = tasks > 0 ? nanos / tasks / 1000 : null;
        }
        cores[name] = nanos / 1e9 / seconds;
      }
    }
    return { seconds, tasks, completed_per_second: tasks / seconds, cpu_us_per_task: perTask, cores };
  }

  async drain() {
    const deadline = Date.now() + DRAIN_TIMEOUT_MILLIS;
    while (this.completed < this.submitted) {
      if (Date.now() > deadline) {
        throw new Error(`drain: ${this.submitted - this.completed} tasks not completed ${DRAIN_TIMEOUT_MILLIS} ms after the producer stopped`);
      }
      await sleep(10);
    }
  }

  /** Flat out from the first moment, with tasks/s in successive windows, until at least startup-tasks are done. */
  async startup(cpu) {
    const windowMillis = this.options['startup-window'];
    const first = this.completed;
    const marks = [this.snapshot(cpu)];
    const stop = this.flatOut();
    while (marks.length < 4 || this.completed - first < this.options['startup-tasks']) {
      await sleep(Math.max(0, marks[0].at / 1e6 + marks.length * windowMillis - nowNanos() / 1e6));
      marks.push(this.snapshot(cpu));
    }
    await stop();
    await this.drain();
    const windows = marks.slice(1).map((m, i) => this.window(marks[i], m));
    return {
      phase: 'startup', bucket_seconds: windowMillis / 1000, tasks: this.completed - first,
      buckets_per_second: windows.map((w) => w.completed_per_second),
      cpu_us_per_task: this.window(marks[0], marks.at(-1)).cpu_us_per_task,
    };
  }

  async throughput(cpu) {
    const stop = this.flatOut();
    await sleep(this.options.warmup);
    const from = this.snapshot(cpu);
    await sleep(this.options.duration);
    const to = this.snapshot(cpu);
    await stop();
    await this.drain();
    return { phase: 'throughput', ...this.window(from, to) };
  }

  /**
   * Nothing submitted for rate-duration while every agent or worker waits: what waiting costs.
   * It starts idle-settle (10 s) after the last phase, so that phase's tail (the server's last
   * checkpoint of its tasks, its JIT compiles, the consumer's start) is not counted as waiting.
   */
  async idle(cpu) {
    await sleep(this.options['idle-settle']);
    const from = this.snapshot(cpu);
    await sleep(this.options['rate-duration']);
    const { seconds, cores } = this.window(from, this.snapshot(cpu));
    return { phase: 'idle', seconds, cores };
  }

  /** Open loop at {@code rate} tasks/s: rate-warmup unmeasured, then rate-duration measured. */
  async fixedRate(rate, cpu) {
    const period = 1e9 / rate;
    const start = nowNanos();
    const measureFrom = start + this.options['rate-warmup'] * 1e6;
    const end = measureFrom + this.options['rate-duration'] * 1e6;
    let next = start;
    let late = 0;
    let from = null;
    let level = 0;
    const sends = new Set();
    while (next < end) {
      const now = nowNanos();
      if (from === null && now >= measureFrom) {
        this.child.send({ t: 'mark' });
        from = this.snapshot(cpu);
      }
      while (next <= now && next < end) {
        if (from !== null && now - next > LATE_SEND_MILLIS * 1e6) {
          late++;
        }
        if (this.inFlight < RATE_IN_FLIGHT_CAP) {
          const send = this.sendOne(level++ % PRIORITY_LEVELS);
          sends.add(send);
          send.finally(() => sends.delete(send));
        }
        next += period;
      }
      await sleep(Math.max(0, (next - nowNanos()) / 1e6));
    }
    const to = this.snapshot(cpu);
    await Promise.all(sends);
    await this.drain();
    this.child.send({ t: 'collect' });
    const latencies = Float64Array.from((await this.childSays('latencies')).values).sort();
    const ms = (q) => (latencies.length ? percentile(latencies, q) / 1000 : null);
    return {
      phase: 'rate', rate, ...this.window(from, to), late_sends: late,
      dispatch_ms: { samples: latencies.length, p50: ms(0.5), p99: ms(0.99), max: ms(1) },
    };
  }
}
