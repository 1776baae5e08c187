// Baton driven by an independent HTTP/1.1 client (undici, keep-alive): one producer with
// --in-flight single submits (POST /v1/tasks) in flight, and a consumer process whose --agents
// agents each long-poll POST /v1/agents/{id}/claim?max=1&wait_ms=... and complete at once.
// With --batch N each submit call sends N tasks (POST /v1/tasks/batch, no refs), and each agent
// claims up to N (max=N, max_concurrency N) and completes them in one call
// (POST /v1/agents/{id}/complete); fixed-rate phases then send N tasks per scheduled send.
//
//   node baton-load.mjs --url http://127.0.0.1:8080 [--cpu baton=<pid>,redis=<pid>] [--phases ...]
//   node baton-load.mjs --batch 100 --agents 4 --in-flight 4 --phases throughput ...
//
// Options and phases: see common.mjs (parseOptions) and the README's benchmark section.
import { Client, Pool } from 'undici';
import { readFileSync } from 'node:fs';
import { consumerProcess, nowNanos, parseOptions, payload, producerProcess } from './common.mjs';

const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const CLAIM_WAIT_MILLIS = 5_000;
const TASK_TYPE = 'bench';

const options = parseOptions(process.argv.slice(2), { url: 'http://127.0.0.1:8080', token: '' });
const headers = { 'content-type': 'application/json' };
if (options.token) {
  headers.authorization = `Bearer ${options.token}`;
}
const undiciVersion = JSON.parse(readFileSync(new URL('./node_modules/undici/package.json', import.meta.url))).version;

if (process.env.PEER_ROLE === 'consumer') {
  await consumerProcess(options, startAgents);
} else {
  const pool = new Pool(options.url, { connections: options['in-flight'], pipelining: 1 });
  await producerProcess({
    side: 'baton',
    version: `undici ${undiciVersion}`,
    scriptUrl: import.meta.url,
    options,
    consumerRole: 'agents',
    submit: async (level) => {
      const path = options.batch > 1 ? '/v1/tasks/batch' : '/v1/tasks';
      const response = await pool.request({ path, method: 'POST', headers, body: submitBody(level) });
      const text = await response.body.text();
      if (response.statusCode === 201) {
        return 'ok';
      }
      if (response.statusCode === 429) {
        return 'rejected';
      }
      throw new Error(`POST ${path} answered ${response.statusCode}: ${text}`);
    },
    close: () => pool.close(),
  });
}

/** One task, or with --batch N a batch body of N tasks of the same priority. */
function submitBody(level) {
  const task = () => ({ type: TASK_TYPE, priority: PRIORITIES[level], payload: payload(nowNanos()) });
  if (options.batch <= 1) {
    return JSON.stringify(task());
  }
  return JSON.stringify({ tasks: Array.from({ length: options.batch }, task) });
}

/** Registers the agents and starts each one's claim-complete loop on its own connection. */
async function startAgents(opts, record) {
  let running = true;
  const clients = [];
  const loops = [];
  for (let i = 0; i < opts.agents; i++) {
    const id = `peer-agent-${i}`;
    const client = new Client(opts.url, { pipelining: 1, headersTimeout: CLAIM_WAIT_MILLIS + 60_000 });
    clients.push(client);
    const registered = await client.request({
      path: `/v1/agents/${id}`, method: 'PUT', headers,
      body: JSON.stringify({ capabilities: [TASK_TYPE], max_concurrency: opts.batch }),
    });
    const answer = await registered.body.text();
    if (registered.statusCode !== 200 && registered.statusCode !== 201) {
      throw new Error(`PUT /v1/agents/${id} answered ${registered.statusCode}: ${answer}`);
    }
    loops.push(agent(client, id, () => running, record));
  }
  return async () => {
    running = false;
    await Promise.all(clients.map((c) => c.destroy()));
    await Promise.allSettled(loops);
  };
}

async function agent(client, id, running, record) {
  const claimPath = `/v1/agents/${id}/claim?max=${options.batch}&wait_ms=${CLAIM_WAIT_MILLIS}`;
  while (running()) {
    try {
      const claim = await client.request({ path: claimPath, method: 'POST', headers });
      const text = await claim.body.text();
      if (claim.statusCode === 204) {
        continue;
      }
      if (claim.statusCode !== 200) {
        record.error('claim', `${claim.statusCode} ${text}`);
        continue;
      }
      const tasks = JSON.parse(text).tasks;
      if (options.batch > 1) {
        await completeMany(client, id, tasks, record);
        continue;
      }
      const task = tasks[0];
      if (!task) {
        continue;
      }
      record.received(task.payload.sent_ns);
      const done = await client.request({
        path: `/v1/tasks/${task.id}/complete`, method: 'POST', headers,
        body: `{"lease_id":${JSON.stringify(task.lease_id)},"result":{}}`,
      });
      const answer = await done.body.text();
      if (done.statusCode === 200) {
        record.completed();
      } else {
        record.error('complete', `${done.statusCode} ${answer}`);
      }
    } catch (e) {
      if (running()) {
        record.error(`agent ${id}`, e.message);
      }
    }
  }
}

/** Completes every claimed task in one call; each item answered 200 counts as completed. */
async function completeMany(client, id, tasks, record) {
  tasks.forEach((task) => record.received(task.payload.sent_ns));
  const body = JSON.stringify({ tasks: tasks.map((task) => ({ task_id: task.id, lease_id: task.lease_id, result: {} })) });
  const done = await client.request({ path: `/v1/agents/${id}/complete`, method: 'POST', headers, body });
  const answer = await done.body.text();
  if (done.statusCode !== 200) {
    record.error('complete many', `${done.statusCode} ${answer}`);
    return;
  }
  for (const item of JSON.parse(answer).tasks) {
    if (item.code === 200) {
      record.completed();
    } else {
      record.error('complete many', JSON.stringify(item));
    }
  }
}
