// The `cube` command follows the leader (issue 25), with real processes: one
// etcd, three `cube manager`s, a `cube worker --join`, real Docker.
// `cube events -f -m LEADER,F1,F2` (its stream straight from the leader) and
// `cube status -w -m F1,LEADER,F2` (through a follower, which relays the
// leader's) run while the leader is killed with -9; both go on through another
// manager, say so in one line on stderr, and lose nothing: every event of the
// event log (the tasks' histories and the managers' log, read afterwards) is
// printed by `cube events` exactly once, and `cube status -w` ends with every
// task as the new leader has it. `cube run -m DEAD,F1,F2` goes to whichever
// manager leads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { LogEntry } from '../../src/vocabulary/log-entry.js';
import type { Task } from '../../src/vocabulary/task.js';
import { cube, root } from '../helpers/cube-cli.js';
import { cubeBin, spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { leaderOf, managerEnvOn, startEtcd } from '../helpers/etcd.js';
import { get } from '../helpers/http.js';

const run = `hacli${nanoid(5)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, 'x')}`;

/** A `cube` command that runs until it is stopped, and what it printed so far. */
interface Following {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
}

function following(args: string[]): Following {
  const child = spawn(process.execPath, [cubeBin, ...args], { cwd: root, env: { ...process.env, CUBE_MANAGER: '', CUBE_TOKEN: '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

/** Resolves once `check` holds, asked again on each output of `proc` and at most every 250 ms; fails after `timeoutMs` saying what it waited for. */
async function until(proc: Following, what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms\nstdout:\n${proc.stdout().slice(-3000)}\nstderr:\n${proc.stderr()}`);
    if (proc.child.exitCode !== null) assert.fail(`${what}: the command exited ${proc.child.exitCode}\nstderr:\n${proc.stderr()}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 250);
      function done() {
        clearTimeout(timer);
        proc.child.stdout!.off('data', done);
        proc.child.stderr!.off('data', done);
        resolve();
      }
      proc.child.stdout!.once('data', done);
      proc.child.stderr!.once('data', done);
    });
  }
}

const address = (url: string) => url.replace('http://', '');
const lines = (text: string) => text.split('\n').filter(Boolean);

/** An event as `cube events` tells one event from another: a task's by time, type and task; the manager's own by its message too. */
const keyOf = (e: LogEntry) => (e.Task ? `${e.Time} ${e.Type} ${e.Task}` : `${e.Time} ${e.Type} - ${e.Message}`);

/** Every event of the event log as the leader has it now: the tasks' histories and the manager's log. */
async function eventLog(leader: string): Promise<Set<string>> {
  const tasks = (await get<Task[]>(`${leader}/tasks`)).body;
  const log = (await get<LogEntry[]>(`${leader}/log?limit=10000`)).body;
  return new Set([...tasks.flatMap((t) => (t.Events ?? []).map((e) => keyOf({ ...e, Task: t.ID }))), ...log.map(keyOf)]);
}

test(
  'cube events -f and cube status -w go on across a kill -9 of the leader, losing nothing; cube run -m goes to the leader',
  { timeout: 240_000 },
  async (t) => {
    const etcd = await startEtcd(1);
    t.after(() => etcd.stop());
    const settings = managerEnvOn(etcd, { CUBE_ETCD_TIMEOUT: '1s', CUBE_HEARTBEAT_TTL: '4s', CUBE_STOP_TIMEOUT: '1s' });
    const managers: CubeProcess[] = [];
    const worker = `${run}-w1`;
    const cleanup: (() => Promise<void>)[] = [];
    t.after(async () => {
      for (const step of cleanup) await step();
      await Promise.all(managers.map((m) => m.stop('SIGKILL')));
      await removeContainersOf(worker);
    });
    for (let i = 0; i < 3; i++) managers.push(await spawnCube(['manager', '--port', '0'], settings));
    const joined = await spawnCube(['worker', '--port', '0', '--name', worker, '--join', managers.map((m) => address(m.url)).join(',')], {
      ...settings,
      CUBE_STORE: 'sqlite',
    });
    cleanup.push(() => joined.stop('SIGKILL'));

    const leaderUrl = await leaderOf(managers.map((m) => m.url));
    const leader = managers.find((m) => m.url === leaderUrl)!;
    const [f1, f2] = managers.filter((m) => m !== leader).map((m) => address(m.url)) as [string, string];
    const dir = mkdtempSync(join(tmpdir(), 'cube-ha-cli-'));
    const taskFile = (name: string) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: `${run}-${name}` } }));
      return file;
    };

    // Before: two tasks, run through the list with the leader first.
    const list = [address(leaderUrl), f1, f2].join(',');
    for (const name of ['before1', 'before2']) {
      const ran = await cube(['run', '-f', taskFile(name), '-m', list, '--timeout', '60s']);
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(ran.stdout, /running/i);
    }

    const events = following(['events', '-f', '-o', 'json', '--tail', '100000', '-m', list]);
    const watch = following(['status', '-w', '-o', 'json', '-m', [f1, address(leaderUrl), f2].join(',')]);
    for (const proc of [events, watch]) cleanup.push(async () => void proc.child.kill('SIGKILL'));
    const printedEvents = () => lines(events.stdout()).map((l) => JSON.parse(l) as LogEntry);
    const watched = () => {
      const last = new Map<string, Task>();
      for (const l of lines(watch.stdout())) {
        const task = JSON.parse(l) as Task;
        last.set(task.ID, task);
      }
      return last;
    };
    await until(events, 'cube events prints the tasks so far', () => printedEvents().filter((e) => e.Type === 'Started').length >= 2);
    await until(watch, 'cube status -w prints the tasks so far', () => [...watched().values()].filter((task) => task.State === 2).length >= 2);

    await leader.stop('SIGKILL');

    // After: `cube run` with the dead leader first in its list, and through the followers' list.
    for (const [name, managersOf] of [
      ['after1', [address(leaderUrl), f1, f2]],
      ['after2', [f2, f1]],
    ] as const) {
      const ran = await cube(['run', '-f', taskFile(name), '-m', managersOf.join(','), '--timeout', '60s']);
      assert.equal(ran.code, 0, `cube run -m ${managersOf.join(',')}: ${ran.stderr}`);
      assert.doesNotMatch(ran.stderr, /npm start/);
    }
    const survivors = managers.filter((m) => m !== leader);
    const newLeader = await leaderOf(survivors.map((m) => m.url));
    assert.notEqual(newLeader, leaderUrl);

    const resumed = (who: string) =>
      new RegExp(`^cube ${who}: lost ${address(leaderUrl).replace(/\./g, '\\.')} \\(.+\\); following 127\\.0\\.0\\.1:\\d+ from (event \\d+|its snapshot .*)$`);
    const resumedLines = (proc: Following, who: string) => lines(proc.stderr()).filter((l) => resumed(who).test(l));
    await until(events, 'cube events says it follows another manager', () => resumedLines(events, 'events').length > 0);
    // status -w reads through a follower: what it lost is the leader's stream, relayed by the follower.
    const watchResumed = new RegExp(`^cube status: lost 127\\.0\\.0\\.1:\\d+ \\(.+\\); following 127\\.0\\.0\\.1:\\d+ from (event \\d+|its snapshot .*)$`);
    await until(watch, 'cube status -w says it follows again', () => lines(watch.stderr()).some((l) => watchResumed.test(l)));

    // Nothing lost: every event of the log is printed, once.
    await until(events, 'cube events prints every event of the event log', async () => {
      const printed = new Set(printedEvents().map(keyOf));
      return [...(await eventLog(newLeader))].every((key) => printed.has(key));
    });
    const printed = printedEvents().map(keyOf);
    assert.deepEqual(
      printed.filter((key, i) => printed.indexOf(key) !== i),
      [],
      'no event printed twice',
    );
    const stored = await eventLog(newLeader);
    assert.deepEqual(
      printed.filter((key) => !stored.has(key)),
      [],
      'nothing printed that the event log does not hold',
    );
    const tasks = (await get<Task[]>(`${newLeader}/tasks`)).body;
    for (const name of ['after1', 'after2']) {
      const id = tasks.find((task) => task.Name === `${run}-${name}`)?.ID;
      assert.ok(id && printedEvents().some((e) => e.Task === id && e.Type === 'Started'), `cube events printed that ${name} started`);
    }

    // cube status -w ends with every task as the new leader has it.
    await until(watch, 'cube status -w shows every task as the new leader has it', async () => {
      const now = (await get<Task[]>(`${newLeader}/tasks`)).body;
      const last = watched();
      return now.length === 4 && now.every((task) => last.get(task.ID)?.Version === task.Version && last.get(task.ID)?.State === task.State);
    });
    assert.equal(resumedLines(events, 'events').length, 1, `one line on stderr:\n${events.stderr()}`);
    assert.equal(events.child.exitCode, null, 'cube events -f still runs');
    assert.equal(watch.child.exitCode, null, 'cube status -w still runs');

    // Ctrl-C ends both, with exit 0.
    for (const proc of [events, watch]) {
      const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
      proc.child.kill('SIGINT');
      assert.equal(await exited, 0, proc.stderr());
    }
  },
);
