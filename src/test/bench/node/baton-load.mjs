// Baton driven by an independent HTTP/1.1 client (undici, keep-alive): one producer with
// --in-flight single submits (POST /v1/tasks) in flight, and a consumer process whose --agents
// agents each long-poll POST /v1/agents/{id}/claim?max=1&wait_ms=... and complete at once.
//
//   node baton-load.mjs --url http://127.0.0.1:8080 [--cpu baton=<pid>,redis=<pid>] [--phases ...]
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
      const body = JSON.stringify({ type: TASK_TYPE, priority: PRIORITIES[level], payload: payload(nowNanos()) });
      const response = await pool.request({ path: '/v1/tasks', method: 'POST', headers, body });
      const text = await response.body.text();
      if (response.statusCode === 201) {
        return 'ok';
      }
      if (response.statusCode === 429) {
        return 'rejected';
      }
      throw new Error(`POST /v1/tasks answered ${response.statusCode}: ${text}`);
    },
    close: () => pool.close(),
  });
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
      body: JSON.stringify({ capabilities: [TASK_TYPE], max_concurrency: 1 }),
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
  const claimPath = `/v1/agents/${id}/claim?max=1&wait_ms=${CLAIM_WAIT_MILLIS}`;
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
      const task = JSON.parse(text).tasks[0];
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
