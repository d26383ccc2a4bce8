// The manager's state in a real etcd (src/store/etcd-*.ts) and the election
// (src/manager/ha/leadership.ts): guarded writes that two writers cannot both
// win, a new leader's reads at one revision, a leader that goes or is cut off,
// and writes refused in words while etcd does not answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEtcd, etcdKeys, type EtcdConnection } from '../../src/store/etcd.js';
import { EtcdReads, loadLeaderState } from '../../src/store/etcd-reads.js';
import { EtcdWriter } from '../../src/store/etcd-writer.js';
import { Leadership } from '../../src/manager/ha/leadership.js';
import { silentLog } from '../../src/log.js';
import { newTask, TaskState, type Task } from '../../src/vocabulary/task.js';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';

let etcd: EtcdCluster;
const open: { close(): unknown }[] = [];
before(
  async () => {
    etcd = await startEtcd(1);
  },
  { timeout: 60_000 },
);
after(
  async () => {
    for (const o of open.splice(0)) await o.close();
    await etcd?.stop();
  },
  { timeout: 60_000 },
);

function connect(prefix: string, timeoutMs = 1000): EtcdConnection {
  const connection = connectEtcd({ etcd: etcd.endpoints, etcdPrefix: prefix, etcdTimeoutMs: timeoutMs });
  open.push(connection);
  return connection;
}

const task = (id: string, fields: Partial<Task> = {}): Task => newTask({ ID: id, Name: `task-${id}`, Image: 'img', ...fields });

/** Takes the lead directly, as the election would: the leader key under a lease; returns the term. */
async function takeLead(connection: EtcdConnection, name: string): Promise<string> {
  const { ID } = await connection.client.leaseClient.leaseGrant({ TTL: 30 });
  const result = await connection.kv
    .if(etcdKeys.leader, 'Create', '==', 0)
    .then(
      connection.kv
        .put(etcdKeys.leader)
        .value(JSON.stringify({ name, url: `http://${name}` }))
        .lease(ID),
    )
    .commit();
  assert.ok(result.succeeded, `${name} takes the lead`);
  return result.header.revision;
}

function writer(connection: EtcdConnection, term: string, known = new Map<string, string>()) {
  const lost: string[] = [];
  const w = new EtcdWriter({ connection, term, known, log: silentLog, onLost: (reason) => lost.push(reason) });
  open.push(w);
  return { w, lost };
}

test(
  'a leader stores intents and records in batches; a new leader reads them at one revision, with a floor above every version and placement',
  { timeout: 60_000 },
  async () => {
    const prefix = etcd.prefix();
    const connection = connect(prefix);
    const term = await takeLead(connection, 'm1');
    const { w } = writer(connection, term);
    await w.storeIntent(task('a', { Version: 3 }), false);
    for (let i = 0; i < 150; i++) w.save(task(`t${i}`, { Version: 10 + i, Placement: `inc.${(900).toString(36)}` }), i % 2 === 0);
    w.appendLog({ Time: new Date().toISOString(), Type: 'Received', Message: 'task a', Task: 'a' });
    await w.settled();
    assert.equal(w.problem(), '');

    const state = await loadLeaderState(connection, prefix, term, silentLog);
    assert.equal(state.tasks.length, 151);
    assert.equal(state.tasks[0]!.ID, 'a', 'in the order first stored');
    assert.equal(state.stopRequested.length, 75);
    assert.ok(state.versionFloor >= 900, `the floor passes the placements' numbers (${state.versionFloor})`);
    assert.equal(state.log.at(-1)?.Message, 'task a');

    const reads = new EtcdReads(connection, prefix, silentLog);
    assert.equal((await reads.task('t3'))?.Version, 13);
    assert.equal(await reads.task('nope'), undefined);
    assert.equal((await reads.tasks()).length, 151);
  },
);

test(
  "Completed records: the leader reads them at once from memory, prunes them under the guards, and keeps the ledger's meta for the next leader",
  { timeout: 60_000 },
  async () => {
    const prefix = etcd.prefix();
    const connection = connect(prefix);
    const term = await takeLead(connection, 'm1');
    const { w } = writer(connection, term);
    const meta = { pruned: 0, incarnations: ['i1'], heard: { w1: 7 } };
    w.metaFrom(() => meta);
    await w.writeMeta();
    const completed = (id: string, Version: number) =>
      task(id, { Version, State: TaskState.Completed, StateName: 'completed', Worker: 'w1', FinishTime: new Date().toISOString() });
    w.save(completed('a', 5), false);
    w.save(completed('b', 6), false);
    w.save(task('c', { Version: 7, State: TaskState.Running, StateName: 'running', Worker: 'w1' }), false);
    assert.equal(w.read('a')?.Version, 5, 'a Completed record is read at once, before etcd answers');
    assert.equal(w.read('c'), undefined, "a live record is the ledger's to keep");
    await w.settled();

    const state = await loadLeaderState(connection, prefix, term, silentLog);
    assert.deepEqual(
      state.tasks.map((t) => t.ID),
      ['c'],
    );
    assert.deepEqual([...state.done.values()].map((d) => [d.ID, d.Version, d.Worker]).sort(), [
      ['a', 5, 'w1'],
      ['b', 6, 'w1'],
    ]);
    assert.equal(state.completed.get('b')?.Version, 6, 'the whole record, for reads from memory');
    assert.deepEqual(state.meta, meta);

    // A sweep: the record goes from etcd, and the meta that counts it goes with the write that leaves nothing waiting.
    const kept = new EtcdWriter({ connection, term, known: state.known, completed: state.completed, log: silentLog, onLost: () => undefined });
    open.push(kept);
    assert.equal(kept.read('a')?.Version, 5);
    kept.metaFrom(() => ({ ...meta, pruned: 1 }));
    kept.forget(['a']);
    assert.equal(kept.read('a'), undefined);
    await kept.settled();
    const reads = new EtcdReads(connection, prefix, silentLog);
    assert.equal(await reads.task('a'), undefined, 'pruned from etcd');
    const after = await loadLeaderState(connection, prefix, term, silentLog);
    assert.deepEqual([...after.done.keys()], ['b']);
    assert.equal(after.meta?.pruned, 1);

    // A writer whose term ended prunes nothing: its delete fails with the intent that goes with it.
    await connection.kv.delete().key(etcdKeys.leader).exec();
    await takeLead(connection, 'm2');
    const stale = new EtcdWriter({ connection, term, known: after.known, completed: after.completed, log: silentLog, onLost: () => undefined });
    open.push(stale);
    stale.forget(['b']);
    await assert.rejects(stale.storeIntent(task('z'), false), /another manager leads now/);
    assert.equal((await reads.task('b'))?.Version, 6, 'still there');
  },
);

test('two writers can never both win: one whose term ended, or who read a key before another changed it, stops leading', { timeout: 60_000 }, async () => {
  const prefix = etcd.prefix();
  const connection = connect(prefix);
  const term = await takeLead(connection, 'm1');
  const first = writer(connection, term);
  await first.w.storeIntent(task('a'), false);

  // Another writer of the same term that read nothing: its write of `a` is refused, and it stops.
  const second = writer(connection, term);
  await assert.rejects(second.w.storeIntent(task('a', { Version: 99 }), false), /tasks\/a was changed by someone else/);
  assert.equal(second.lost.length, 1);
  assert.match(second.w.problem(), /changed by someone else/);
  await assert.rejects(second.w.storeIntent(task('b'), false), /changed by someone else/, 'a writer that lost does not write again');

  // The lead moves: the first writer's next write is refused.
  await connection.kv.delete().key(etcdKeys.leader).exec();
  await takeLead(connection, 'm2');
  await assert.rejects(first.w.storeIntent(task('c'), false), /another manager leads now/);
  assert.equal(first.lost.length, 1);
  const reads = new EtcdReads(connection, prefix, silentLog);
  assert.equal((await reads.task('a'))?.Version, 0, 'neither refused write is there');
  assert.equal(await reads.task('c'), undefined);
});

test('a record that is not a record is skipped, named, and left in etcd', { timeout: 60_000 }, async () => {
  const prefix = etcd.prefix();
  const connection = connect(prefix);
  const term = await takeLead(connection, 'm1');
  await connection.kv.put(etcdKeys.task('bad')).value('{"stopRequested":false,"task":{"ID":7}}').exec();
  await connection.kv
    .put(etcdKeys.task('good'))
    .value(JSON.stringify({ stopRequested: false, task: task('good') }))
    .exec();
  const said: string[] = [];
  const state = await loadLeaderState(connection, prefix, term, (line) => said.push(line));
  assert.deepEqual(
    state.tasks.map((t) => t.ID),
    ['good'],
  );
  assert.match(said.join('\n'), /skipped tasks\/bad, which is not a task record \(tasks\/bad: task.ID: expected a string/);
  assert.ok(await connection.kv.get(etcdKeys.task('bad')).string(), 'left in etcd');
});

test('one manager leads; when it leaves the next leads at once, and when it is cut off the next leads after its lease', { timeout: 60_000 }, async () => {
  const prefix = etcd.prefix();
  const events: string[] = [];
  const candidate = (name: string) => {
    const connection = connectEtcd({ etcd: etcd.endpoints, etcdPrefix: prefix, etcdTimeoutMs: 1000 });
    const leadership = new Leadership(
      connection,
      { name, url: `http://${name}`, startedAt: '' },
      {
        leaseMs: 2000,
        renewMs: 500,
        log: silentLog,
        elected: (term) => events.push(`${name} leads ${term}`),
        deposed: (reason) => events.push(`${name} deposed: ${reason}`),
      },
    );
    open.push({ close: () => leadership.stop().then(() => connection.close()) });
    return { leadership, connection };
  };
  const until = async (what: () => boolean, timeoutMs: number) => {
    const start = Date.now();
    while (!what()) {
      if (Date.now() - start > timeoutMs) throw new Error(`waited ${timeoutMs} ms; events: ${events.join('; ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - start;
  };
  const a = candidate('a');
  a.leadership.start();
  await until(() => a.leadership.leading() !== undefined, 5000);
  const b = candidate('b');
  const c = candidate('c');
  b.leadership.start();
  c.leadership.start();
  await until(() => b.leadership.leader()?.name === 'a' && c.leadership.leader()?.name === 'a', 5000);

  // a leaves: it gives up the key, and one of b and c leads within moments.
  await a.leadership.stop();
  const handover = await until(() => (b.leadership.leading() ?? c.leadership.leading()) !== undefined, 5000);
  assert.ok(handover < 1000, `a leader that leaves is replaced at once (${handover} ms)`);
  const [leader, other] = b.leadership.leading() ? [b, c] : [c, b];
  await until(() => other.leadership.leader()?.name === leader.leadership.me.name, 2000);
  const firstTerm = leader.leadership.leading()!;

  // The leader is cut off from etcd (its client closes, as a partition would): the other leads after its lease.
  leader.connection.close();
  const takeover = await until(() => other.leadership.leading() !== undefined, 10_000);
  assert.ok(takeover >= 1000 && takeover < 4000, `the other waits for the lease (2 s) and no longer (${takeover} ms)`);
  assert.ok(Number(other.leadership.leading()) > Number(firstTerm), 'a later term');
  await until(() => leader.leadership.leading() === undefined, 3000);
  assert.ok(
    events.some((e) => e.startsWith(`${leader.leadership.me.name} deposed: could not renew its lease`)),
    events.join('; '),
  );
});

test('while etcd does not answer, intents are refused in words at once and records wait; they are written when it is back', { timeout: 60_000 }, async () => {
  const prefix = etcd.prefix();
  const connection = connect(prefix, 500);
  const term = await takeLead(connection, 'm1');
  const said: string[] = [];
  const w = new EtcdWriter({ connection, term, known: new Map(), log: (line) => said.push(line), onLost: (reason) => assert.fail(reason) });
  open.push(w);
  await w.storeIntent(task('before'), false);

  await etcd.members[0]!.stop();
  const started = Date.now();
  await assert.rejects(
    w.storeIntent(task('during'), false),
    /etcd did not store it: etcd at http:\/\/127\.0\.0\.1:\d+ (did not answer within 500 ms|cannot be reached)/,
  );
  assert.ok(Date.now() - started < 3000, `refused within moments (${Date.now() - started} ms)`);
  w.undo('during', undefined, false); // as the manager does once it took the command back: the store must not keep it
  w.save(task('behind', { Version: 5 }), true);
  const written = w.settled();
  assert.match(w.problem(), /etcd at/);
  assert.match(said.join('\n'), /etcd does not take writes: .*commands are answered 503/);

  await etcd.members[0]!.start();
  await written;
  assert.equal(w.problem(), '');
  const state = await loadLeaderState(connection, prefix, term, silentLog);
  assert.deepEqual(state.tasks.map((t) => t.ID).sort(), ['before', 'behind']);
  assert.deepEqual(state.stopRequested, ['behind']);
  assert.match(said.join('\n'), /etcd takes writes again/);
});

test('a value larger than CUBE_RECORD_MAX is named and left in etcd, unread, by a new leader and a follower alike', { timeout: 20_000 }, async () => {
  const prefix = etcd.prefix();
  const connection = connectEtcd({ etcd: etcd.endpoints, etcdPrefix: prefix, etcdTimeoutMs: 1000, recordMax: 4096 });
  open.push(connection);
  await connection.kv.put(etcdKeys.task('small')).value(JSON.stringify({ task: task('small') }));
  await connection.kv.put(etcdKeys.task('large')).value(JSON.stringify({ task: task('large', { Env: [`BIG=${'x'.repeat(5000)}`] }) }));
  const lines: string[] = [];
  const reads = new EtcdReads(connection, prefix, (line) => lines.push(line));
  assert.deepEqual(
    (await reads.tasks()).map((t) => t.ID),
    ['small'],
  );
  const term = await takeLead(connection, 'm1');
  const state = await loadLeaderState(connection, prefix, term, (line) => lines.push(line));
  assert.deepEqual(
    state.tasks.map((t) => t.ID),
    ['small'],
  );
  for (const line of lines)
    assert.match(line, /^etcd: skipped tasks\/large, which is not a task record \(it is \d+ bytes, more than CUBE_RECORD_MAX \(4096\)\); it is left in etcd$/);
  assert.equal(lines.length, 2);
});
