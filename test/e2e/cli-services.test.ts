// `cube service` as a person types it: the real bin/cube.js against a real
// manager and worker on loopback, with the real Docker engine. Create and
// follow a first rollout, list, look at the copies and the service, scale,
// an update that fails and is rolled back by itself, one that succeeds, a
// rollback, the manager's refusals shown as it words them, and rm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customAlphabet } from 'nanoid';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import { cube, noStack, type CliResult } from '../helpers/cube-cli.js';
import { runningCopiesOf, untilEngine } from '../helpers/docker.js';
import { env, lab } from '../helpers/lab.js';
import { untilView } from '../helpers/watch.js';

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 6);

/** A service of the hello page, healthy once its page answers; `Env` makes another version of it. */
const hello = (name: string, count: number, envs: string[] = []) => ({
  Name: name,
  Count: count,
  Task: { Image: 'strm/helloworld-http', ExposedPorts: { '80/tcp': {} }, HealthCheck: '/', Env: envs },
  Update: { Parallelism: 1, Order: 'start-first', MinHealthy: '1s', HealthyDeadline: '40s' },
  ShutdownDelay: '300ms',
});

/** A version whose health check always fails. */
const broken = (name: string, count: number) => ({
  ...hello(name, count),
  Task: { Image: 'timboring/echo-server', ExposedPorts: { '7777/tcp': {} }, HealthCheck: '/healthfail' },
});

/** A manager with one worker, both real processes, and what `cube` needs to reach it; `file` writes a service file in the test's folder. */
async function cluster(t: Parameters<typeof lab>[0]) {
  const cube = lab(t);
  const settings = env(cube.dir, { CUBE_HEALTH_INTERVAL: '300ms' });
  const worker = await cube.worker(`cs-${suffix()}`, settings);
  const manager = await cube.manager([worker.address], settings);
  await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
  const file = (base: string, content: unknown) => {
    const path = join(cube.dir, base);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  return { url: manager.url, worker: worker.address, env: { CUBE_MANAGER: manager.url.replace('http://', '') }, file };
}

/** Exit `code`, said how it went, no stack trace. */
function ended(r: CliResult, code: number, what: string) {
  assert.equal(r.code, code, `${what}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  noStack(r);
}

test("cube service create, ls, ps, inspect, scale and rm; refusals in the manager's words", { timeout: 150_000 }, async (t) => {
  const c = await cluster(t);
  const name = `web-${suffix()}`;

  const created = await cube(['service', 'create', '-f', c.file('web.json', hello(name, 2))], c.env);
  ended(created, 0, 'create');
  assert.match(created.stdout, new RegExp(`^service ${name} runs version 1: 2/2 copies healthy, after \\S+\\n$`));
  assert.match(created.stderr, /Created +version 1: 2 × strm\/helloworld-http/, 'the history, a line an entry, off a terminal');

  const ls = await cube(['service', 'ls'], c.env);
  ended(ls, 0, 'ls');
  assert.match(ls.stdout, /^NAME +VERSION +STATE +COPIES +DEPLOYMENT +IMAGE\n/);
  assert.match(ls.stdout, new RegExp(`^${name} +1 +stable +2/2 +v1 succeeded +strm/helloworld-http$`, 'm'));
  assert.ok((await cube(['service', 'ls', '-q'], c.env)).stdout.split('\n').includes(name), 'ls -q: the names');
  const listed = JSON.parse((await cube(['service', 'ls', '-o', 'json'], c.env)).stdout) as Service[];
  assert.equal(listed.find((s) => s.Name === name)?.Healthy, 2);

  const ps = await cube(['service', 'ps', name], c.env);
  ended(ps, 0, 'ps');
  const rows = ps.stdout.split('\n').filter((line) => line.includes(`${name}.`));
  assert.equal(rows.length, 2, ps.stdout);
  for (const [slot, row] of rows.entries()) {
    assert.match(row, new RegExp(`^\\d{12} +${name}\\.${slot}\\.\\d+\\.[0-9a-f]{6} +${slot} +1 +Running +healthy +${c.worker.replace(/\./g, '\\.')}$`));
  }
  assert.match(ps.stdout, /\nDeployment: version 1: succeeded (\S+ ago|just now)\n$/);
  const copies = JSON.parse((await cube(['service', 'ps', name, '--json'], c.env)).stdout) as Task[];
  assert.deepEqual(copies.map((task) => task.Slot).sort(), [0, 1]);
  const shownId = rows[0]!.split(' ')[0]!;
  const status = await cube(['status', shownId], c.env);
  ended(status, 0, 'cube status takes the ID that ps shows');
  assert.match(status.stdout, new RegExp(`^Name +${name}\\.0\\.`, 'm'));

  const inspect = await cube(['service', 'inspect', name], c.env);
  ended(inspect, 0, 'inspect');
  assert.match(inspect.stdout, new RegExp(`^Name +${name}\\nState +stable\\nVersion +1 \\(last stable: 1\\)\\nCopies +2/2 healthy, 2 running\\n`));
  assert.match(inspect.stdout, /^Update +1 at a time, start-first, healthy for 1s within 40s, on failure rollback$/m);
  assert.equal((JSON.parse((await cube(['service', 'inspect', name, '-o', 'json'], c.env)).stdout) as Service).Version, 1);

  const scaled = await cube(['service', 'scale', name, '3'], c.env);
  ended(scaled, 0, 'scale');
  assert.equal(scaled.stdout, `service ${name} scaled from 2 to 3 copies; cube service ps ${name} shows them\n`);
  await untilView(c.url, (v) => v.tasks.filter((task) => task.Service === name && task.State === 2).length === 3, 60_000);

  // What is wrong says how to fix it: the manager's message for a 4xx, a usage error for bad words.
  const unknown = await cube(['service', 'ps', 'nope'], c.env);
  ended(unknown, 1, 'ps of an unknown service');
  assert.match(unknown.stderr, /^cube service ps: no service nope; /);
  const taken = await cube(['service', 'create', '-f', c.file('again.json', hello(name, 1))], c.env);
  ended(taken, 1, 'create of a name in use');
  assert.match(taken.stderr, new RegExp(`^cube service create: .*${name}`));
  const badKey = await cube(['service', 'create', '-f', c.file('bad.json', { ...hello(`x-${suffix()}`, 1), Cont: 2 })], c.env);
  ended(badKey, 1, 'a key the manager does not know');
  assert.match(badKey.stderr, /^cube service create: the manager refused the service in .*bad\.json: .*Cont/);
  const tooMany = await cube(['service', 'scale', `${name}=5000`], c.env);
  ended(tooMany, 1, 'a count out of range');
  assert.match(tooMany.stderr, /^cube service scale: .*5000/);
  const noCount = await cube(['service', 'scale', name], c.env);
  ended(noCount, 2, 'scale without a count');
  assert.match(noCount.stderr, /like cube service scale web 5, not .* \(see: cube service scale --help\)\n$/);
  const noFile = await cube(['service', 'create'], c.env);
  ended(noFile, 2, 'create without a file');

  const rm = await cube(['service', 'rm', name], c.env);
  ended(rm, 0, 'rm');
  assert.equal(rm.stdout, `service ${name} is deleted, and every copy of it stopped\n`);
  assert.ok(!(await cube(['service', 'ls', '-q'], c.env)).stdout.split('\n').includes(name));
  await untilEngine(
    async () => (await Promise.all(copies.map((task) => runningCopiesOf(task.ID)))).every((found) => found.length === 0),
    30_000,
    'no copy left running',
  );
});

test(
  'cube service update follows a failing version to its rollback (exit 1), a good one to the end, and rollback goes back',
  { timeout: 240_000 },
  async (t) => {
    const c = await cluster(t);
    const name = `web-${suffix()}`;
    ended(await cube(['service', 'create', '-f', c.file('web.json', hello(name, 2))], c.env), 0, 'create');

    const failing = await cube(['service', 'update', name, '-f', c.file('broken.json', broken(name, 2))], c.env);
    ended(failing, 1, 'an update whose copies fail');
    assert.match(failing.stdout, new RegExp(`^service ${name} rolled back to version 1: version 2 failed: .*; its copies: cube service ps ${name}; `));
    assert.match(failing.stderr, /Rolling Back +to version 1/, 'the history as it happened');

    const good = await cube(['service', 'update', name, '-f', c.file('v3.json', hello(name, 2, ['VERSION=3']))], c.env);
    ended(good, 0, 'a good update');
    assert.match(good.stdout, new RegExp(`^service ${name} runs version 3: 2/2 copies healthy, after \\S+\\n$`));
    assert.match(good.stderr, /Progress +deploying version 3 \(from 1\): /, 'a progress line as the rollout moves');

    const back = await cube(['service', 'rollback', name, '-o', 'json'], c.env);
    ended(back, 0, 'rollback');
    const service = JSON.parse(back.stdout) as Service;
    assert.equal(service.Version, 1);
    assert.equal(service.Deployment?.State, 'rolled-back');
    const ps = await cube(['service', 'ps', name], c.env);
    assert.equal(
      ps.stdout.split('\n').filter((line) => new RegExp(`${name}\\.\\d+\\.\\d+\\.[0-9a-f]{6} +\\d+ +1 +Running +healthy`).test(line)).length,
      2,
      ps.stdout,
    );
  },
);
