// node --test (from this folder): the option parsing and the arithmetic of common.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpuNanos, millis, parseOptions, payload, percentile, PAYLOAD_BYTES } from './common.mjs';

test('options take --name value and --name=value over the defaults', () => {
  const o = parseOptions(['--agents', '8', '--phases=startup,rate:500', '--cpu', 'baton=12,redis=34'], { url: 'u' });
  assert.equal(o.agents, 8);
  assert.equal(o['in-flight'], 64);
  assert.deepEqual(o.phases, [{ kind: 'startup' }, { kind: 'rate', rate: 500 }]);
  assert.deepEqual(o.cpu, [{ name: 'baton', pid: 12 }, { name: 'redis', pid: 34 }]);
  assert.equal(o.duration, 20_000);
});

test('bad options are refused with the option named', () => {
  assert.throws(() => parseOptions(['--agents', '0']), /--agents/);
  assert.throws(() => parseOptions(['--phases', 'rate:fast']), /--phases/);
  assert.deepEqual(parseOptions(['--phases', 'idle']).phases, [{ kind: 'idle' }]);
  assert.equal(parseOptions([])['idle-settle'], 10_000);
  assert.equal(parseOptions(['--idle-settle', '2s'])['idle-settle'], 2_000);
  assert.throws(() => parseOptions(['--nope', '1']), /unknown option --nope/);
  assert.throws(() => parseOptions(['--cpu', 'baton']), /--cpu/);
  assert.throws(() => parseOptions(['--agents']), /needs a value/);
});

test('durations take ms, s, m or plain seconds', () => {
  assert.equal(millis('d', '500ms'), 500);
  assert.equal(millis('d', '2.5s'), 2500);
  assert.equal(millis('d', '2m'), 120_000);
  assert.equal(millis('d', '3'), 3000);
  assert.throws(() => millis('d', 'soon'), /not a duration/);
});

test('percentiles are nearest-rank on sorted values', () => {
  const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 0.5), 50);
  assert.equal(percentile(values, 0.99), 99);
  assert.equal(percentile(values, 1), 100);
  assert.equal(percentile(new Float64Array(0), 0.5), null);
});

test('the payload is 200 bytes of JSON and this process has a CPU time', () => {
  assert.equal(JSON.stringify(payload(1234567890123456)).length, PAYLOAD_BYTES);
  assert.ok(cpuNanos(process.pid) >= 0);
  assert.equal(cpuNanos(0), -1);
});

test('a process\'s CPU time counts the children it waited for (Redis rewrites its AOF in one)', () => {
  const before = cpuNanos(process.pid);
  // the child spins until it has used 300 ms of CPU; this process waits without spinning
  const child = spawnSync(process.execPath, ['-e',
    'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000) { Math.sqrt(Math.random()); }']);
  assert.equal(child.status, 0);
  const grew = cpuNanos(process.pid) - before;
  assert.ok(grew >= 250e6, `CPU time grew by ${grew / 1e6} ms, the child alone used 300 ms`);
});
