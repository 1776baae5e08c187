// BullMQ driven in the shape baton-load.mjs drives Baton: one producer with --in-flight single
// Queue.add calls in flight, and a consumer process with one Worker of concurrency --agents whose
// handler returns at once; priorities 1..4 in turn (1 the highest in BullMQ, as CRITICAL in Baton).
// Dispatch latency is add sent → handler entered. Completed jobs are removed (removeOnComplete),
// the cheapest setting BullMQ offers and a common one.
//
//   node bullmq-load.mjs --redis 127.0.0.1:6390 [--cpu redis=<pid>] [--phases ...]
import { Queue, Worker } from 'bullmq';
import { readFileSync } from 'node:fs';
import { consumerProcess, nowNanos, parseOptions, payload, producerProcess } from './common.mjs';

const QUEUE = 'peer-bench';
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000 };

const options = parseOptions(process.argv.slice(2), { redis: '127.0.0.1:6379' });
const [host, port] = options.redis.split(':');
if (options.batch !== 1) {
  throw new Error('--batch is a Baton-only mode (batch submit and complete-many); BullMQ runs single adds');
}
const connection = { host, port: Number(port), maxRetriesPerRequest: null };
const version = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version;

if (process.env.PEER_ROLE === 'consumer') {
  await consumerProcess(options, startWorker);
} else {
  const queue = new Queue(QUEUE, { connection });
  await queue.waitUntilReady();
  await queue.obliterate({ force: true }); // what an earlier run left
  await producerProcess({
    side: 'bullmq',
    version: `bullmq ${version('bullmq')}, ioredis ${version('ioredis')}`,
    scriptUrl: import.meta.url,
    options,
    consumerRole: 'workers',
    submit: async (level) => {
      await queue.add('bench', payload(nowNanos()), { ...JOB_OPTIONS, priority: level + 1 });
      return 'ok';
    },
    close: () => queue.close(),
  });
}

async function startWorker(opts, record) {
  const worker = new Worker(QUEUE, async (job) => {
    record.received(job.data.sent_ns);
    return {};
  }, { connection, concurrency: opts.agents });
  worker.on('completed', () => record.completed());
  worker.on('failed', (job, e) => record.error('job failed', e.message));
  worker.on('error', (e) => record.error('worker', e.message));
  await worker.waitUntilReady();
  return () => worker.close();
}
