// Mutual TLS between the manager and its workers, as separate processes on
// loopback with the real engine: `cube tls init` makes the cluster's
// certificates; a worker and a manager started with --tls-dir run a real task
// end to end, driven by the cube command over HTTPS; a worker that presents
// no certificate or one of a foreign CA is refused by the manager; a client
// without the manager's certificate is refused by the worker.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nanoid } from 'nanoid';
import { Agent } from 'undici';
import { readEvents } from '../../src/http/sse-client.js';
import { tlsClient } from '../../src/tls/client.js';
import { loadTls } from '../../src/tls/files.js';
import { containersOf, removeContainersOf } from '../helpers/docker.js';
import { cubeBin, spawnCube, type CubeProcess } from '../helpers/cube-process.js';

const exec = promisify(execFile);
// With a token too: TLS and the token are checked one after the other, and both must pass.
const token = 'tls-and-token';
const quick = { CUBE_STORE: 'memory', CUBE_HEARTBEAT_TTL: '1500ms', CUBE_RESTART_DELAY: '1m', CUBE_TOKEN: token };
const cube = (args: string[], env: Record<string, string> = {}) => exec(process.execPath, [cubeBin, ...args], { env: { ...process.env, ...env } });

async function tlsDir(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cube-tls-')), 'tls');
  const { stdout } = await cube(['tls', 'init', '--dir', dir, '--names', 'cube-test.internal']);
  assert.match(stdout, /made a cluster CA and certificates/);
  return dir;
}

/** A fetch that presents no certificate (or `cert` of `dir`) and trusts the CA of `caDir`. */
function fetchWith(caDir: string, cert?: { dir: string; role: 'manager' | 'worker' | 'client' }): typeof fetch {
  const ca = loadTls(caDir, 'worker').ca;
  const own = cert ? loadTls(cert.dir, cert.role) : undefined;
  const agent = new Agent({ connect: { ca, ...(own ? { cert: own.cert, key: own.key } : {}) } });
  return (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit);
}

/** Follows the manager's events over HTTPS until its nodes satisfy `done`; returns them. */
async function untilNodes(f: typeof fetch, url: string, done: (nodes: Map<string, any>) => boolean): Promise<Map<string, any>> {
  const nodes = new Map<string, any>();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`nodes never settled: ${JSON.stringify([...nodes.values()])}`)), 30_000);
  try {
    const response = await f(`${url}/events`, { signal: abort.signal });
    for await (const { type, data } of readEvents(response.body!)) {
      if (type === 'snapshot') for (const node of data.nodes) nodes.set(node.Name, node);
      if (type === 'node.updated') nodes.set(data.node.Name, data.node);
      if (done(nodes)) return nodes;
    }
    throw new Error('the manager closed its event stream');
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** Starts `cube` processes for one test: killed, and the containers of the workers `names` removed, after it. */
/** Resolves once `p` has printed a line matching `pattern`, or after `ms` (the caller checks which). */
function untilOutput(p: CubeProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      p.child.stdout!.off('data', look);
      p.child.stderr!.off('data', look);
      resolve();
    };
    const look = () => {
      if (pattern.test(p.output())) done();
    };
    const timer = setTimeout(done, ms);
    p.child.stdout!.on('data', look);
    p.child.stderr!.on('data', look);
    look();
  });
}

function processStarter(t: TestContext, names: Record<string, string>): (args: string[]) => Promise<CubeProcess> {
  const processes: CubeProcess[] = [];
  t.after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    for (const name of Object.values(names)) await removeContainersOf(name);
  });
  return async (args) => {
    const p = await spawnCube(args, quick);
    processes.push(p);
    return p;
  };
}

test(
  'with --tls-dir (and a token), the cluster runs a real task over mutual TLS; a worker without a certificate or of a foreign CA is refused',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tlsDir();
    const foreign = await tlsDir();
    const names = { good: `tls-${nanoid(5)}`, plain: `tls-plain-${nanoid(5)}`, foreign: `tls-foreign-${nanoid(5)}` };
    const start = processStarter(t, names);
    const good = await start(['worker', '--port', '0', '--name', names.good, '--tls-dir', dir]);
    const plain = await start(['worker', '--port', '0', '--name', names.plain]);
    const impostor = await start(['worker', '--port', '0', '--name', names.foreign, '--tls-dir', foreign]);
    assert.match(good.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(plain.url, /^http:\/\//);
    const address = (p: CubeProcess) => p.url.replace(/^https?:\/\//, '');
    const manager = await start(['manager', '--port', '0', '--workers', [good, plain, impostor].map(address).join(','), '--tls-dir', dir]);
    assert.match(manager.url, /^https:\/\//);

    const tlsFetch = tlsClient(dir, 'client', 'manager').fetch;
    const asClient: typeof fetch = (input, init) => tlsFetch(input, { ...init, headers: { authorization: `Bearer ${token}` } });
    const nodes = await untilNodes(
      asClient,
      manager.url,
      (n) => n.get(address(good))?.State === 'up' && n.get(address(plain))?.Problem !== '' && n.get(address(impostor))?.Problem !== '' && n.size === 3,
    );
    assert.notEqual(nodes.get(address(plain)).State, 'up', 'a worker that speaks plain HTTP is not taken');
    assert.match(nodes.get(address(plain)).Problem, /ECONNRESET|SSL|TLS|socket|closed/i);
    assert.notEqual(nodes.get(address(impostor)).State, 'up', 'a worker with a certificate of another CA is not taken');
    assert.match(nodes.get(address(impostor)).Problem, /certificate|VERIFY|SELF_SIGNED/i);
    assert.equal(nodes.get(address(good)).Api, good.url, 'GET /nodes names the worker’s API as the manager calls it, over HTTPS');

    // The cube command, with the client certificate, runs a real container on the good worker.
    const taskFile = join(mkdtempSync(join(tmpdir(), 'cube-tls-task-')), 'task.json');
    writeFileSync(taskFile, JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: `tls-web-${nanoid(5)}`, ExposedPorts: { '80/tcp': {} } } }));
    const run = await cube(['run', '-f', taskFile, '--json', '-m', address(manager), '--timeout', '60s'], { CUBE_TLS_DIR: dir, CUBE_TOKEN: token });
    const task = JSON.parse(run.stdout);
    assert.equal(task.State, 2, run.stdout);
    assert.equal(task.Worker, address(good));
    const [container] = await containersOf(names.good);
    assert.equal(container?.State, 'running');
    const status = await cube(['status', '--json', '-m', address(manager)], { CUBE_TLS_DIR: dir, CUBE_TOKEN: token });
    assert.equal(JSON.parse(status.stdout)[0].ID, task.ID);

    // The command without the certificate is told what to do.
    const refused = await cube(['status', '-m', manager.url], { CUBE_TOKEN: token }).catch((error: { stderr: string; code: number }) => error);
    assert.equal((refused as { code: number }).code, 1);
    assert.match(
      (refused as { stderr: string }).stderr,
      /SELF_SIGNED_CERT_IN_CHAIN: it serves HTTPS with certificates of its own cluster CA; give the folder that cube tls init made with --tls-dir/,
    );

    // The worker takes calls from the manager's certificate only.
    const noCert = await fetchWith(dir)(`${good.url}/tasks`);
    assert.equal(noCert.status, 401);
    assert.match((await noCert.json()).Message, /requires a client certificate signed by the cluster CA: present manager\.crt/);
    const clientCert = await fetchWith(dir, { dir, role: 'client' })(`${good.url}/tasks`);
    assert.equal(clientCert.status, 403);
    assert.match((await clientCert.json()).Message, /a certificate for "cube-client" may not call this API; it takes manager\.crt/);
    const foreignManager = await fetchWith(dir, { dir: foreign, role: 'manager' })(`${good.url}/tasks`);
    assert.equal(foreignManager.status, 401);
    assert.match((await foreignManager.json()).Message, /was refused \(.*\): present manager\.crt, signed by this cluster's CA/);
    const certOnly = await fetchWith(dir, { dir, role: 'manager' })(`${good.url}/tasks`);
    assert.equal(certOnly.status, 401, 'the right certificate without the token');
    assert.match((await certOnly.json()).Message, /requires a token/);
    const asManager = await fetchWith(dir, { dir, role: 'manager' })(`${good.url}/tasks`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asManager.status, 200);
    assert.deepEqual(
      (await asManager.json()).map((x: { ID: string }) => x.ID),
      [task.ID],
    );
    await assert.rejects(fetch(`${good.url.replace('https:', 'http:')}/tasks`), 'plain HTTP to a TLS worker gets no answer');

    // The manager's client API, like Docker's with --tlsverify, wants a certificate of the cluster too.
    const anonymous = await fetchWith(dir)(`${manager.url}/tasks`);
    assert.equal(anonymous.status, 401);

    const stop = await cube(['stop', task.ID, '-m', address(manager)], { CUBE_TLS_DIR: dir, CUBE_TOKEN: token });
    assert.match(stop.stdout, /stopped/i);
    assert.deepEqual(await containersOf(names.good), []);
  },
);

test(
  'with --tls-dir, a worker joins a running manager with one command (cube worker --join) and takes a task over mutual TLS; one of a foreign CA cannot join',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tlsDir();
    const foreign = await tlsDir();
    const names = { joined: `tls-join-${nanoid(5)}`, foreign: `tls-join-foreign-${nanoid(5)}` };
    const start = processStarter(t, names);
    const manager = await start(['manager', '--port', '0', '--tls-dir', dir]);
    const at = manager.url.replace(/^https:\/\//, '');
    await start(['worker', '--port', '0', '--name', names.joined, '--tls-dir', dir, '--join', at]);
    const impostor = await start(['worker', '--port', '0', '--name', names.foreign, '--tls-dir', foreign, '--join', at]);

    const asClient: typeof fetch = (input, init) => fetchWith(dir, { dir, role: 'client' })(input, { ...init, headers: { authorization: `Bearer ${token}` } });
    const nodes = await untilNodes(asClient, manager.url, (n) => n.get(names.joined)?.State === 'up');
    assert.equal(nodes.size, 1, `only the worker of this cluster's CA joined: ${[...nodes.keys()].join(', ')}`);
    // Its refusal may be said after the good worker is up: wait for the line (or 10 s), then check it.
    await untilOutput(impostor, /could not join/, 10_000);
    assert.match(impostor.output(), /could not join/, impostor.output());

    // A worker's certificate may join, and nothing else: it cannot submit a task.
    const asWorker = fetchWith(dir, { dir, role: 'worker' });
    const submitted = await asWorker(`${manager.url}/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{"Task":{"Image":"x"}}' });
    assert.equal(submitted.status, 403);
    assert.match((await submitted.json()).Message, /a certificate for "cube-worker" may not call this API; it takes manager\.crt or client\.crt/);

    const taskFile = join(mkdtempSync(join(tmpdir(), 'cube-tls-task-')), 'task.json');
    writeFileSync(taskFile, JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: `tls-join-web-${nanoid(5)}` } }));
    const run = await cube(['run', '-f', taskFile, '--json', '-m', at, '--timeout', '60s'], { CUBE_TLS_DIR: dir, CUBE_TOKEN: token });
    const task = JSON.parse(run.stdout);
    assert.equal(task.State, 2, run.stdout);
    assert.equal(task.Worker, names.joined);
    assert.equal((await containersOf(names.joined))[0]?.State, 'running');
  },
);
