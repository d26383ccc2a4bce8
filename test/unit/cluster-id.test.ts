// A data dir's cluster identity (src/store/cluster-id.ts) on real files: its
// own made once and never changed, a manager's taken at the first call and
// kept, another manager's refused naming both, and nothing kept when the
// worker keeps nothing (CUBE_STORE=memory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterIdentity } from '../../src/store/cluster-id.js';

const dir = () => mkdtempSync(join(tmpdir(), 'cube-cluster-id-'));

test(
  "a worker takes the first manager's cluster and keeps it; its own containers stay its own; another cluster is refused, naming both",
  { timeout: 5000 },
  () => {
    const dataDir = dir();
    const worker = ClusterIdentity.open(dataDir, { keep: true });
    const own = worker.id;
    assert.match(own, /^[a-z0-9]{12}$/);
    assert.equal(readFileSync(join(dataDir, 'cluster-id'), 'utf8'), `${own}\n`);
    assert.deepEqual(worker.join('manager00001'), { joined: 'now', own });
    assert.equal(worker.id, 'manager00001', 'new containers carry the cluster');
    assert.ok(worker.isOurs(own) && worker.isOurs('manager00001') && !worker.isOurs('stranger0001') && !worker.isOurs(undefined));
    assert.deepEqual(worker.join('manager00001'), { joined: 'already' });

    const again = ClusterIdentity.open(dataDir, { keep: true });
    assert.equal(again.id, 'manager00001', 'kept for the next start');
    assert.equal(readFileSync(join(dataDir, 'cluster-id'), 'utf8'), `${own}\n`, 'the dir keeps its own identity as it was');
    const refused = again.join('another00002');
    assert.ok('refused' in refused);
    assert.equal(
      refused.refused,
      `this worker is of Cube cluster manager00001, and a manager of cluster another00002 called it: a worker serves one cluster. If it should serve cluster another00002, stop it and remove ${join(dataDir, 'cluster-joined')}`,
    );
  },
);

test('a worker that keeps nothing takes a cluster for as long as it runs', { timeout: 5000 }, () => {
  const dataDir = dir();
  const worker = ClusterIdentity.open(dataDir, { keep: false });
  worker.join('manager00001');
  assert.equal(worker.id, 'manager00001');
  assert.match(String((worker.join('another00002') as { refused: string }).refused), /If it should serve cluster another00002, restart it$/);
  assert.equal(ClusterIdentity.open(dataDir, { keep: false }).id, readFileSync(join(dataDir, 'cluster-id'), 'utf8').trim());
});

test('a file that does not hold an identity is refused, named, and one larger than CUBE_RECORD_MAX unread', { timeout: 5000 }, () => {
  const dataDir = dir();
  writeFileSync(join(dataDir, 'cluster-id'), 'not an id\n');
  assert.throws(() => ClusterIdentity.open(dataDir, { keep: true }), /cluster-id holds "not an id", not a cluster id/);
  writeFileSync(join(dataDir, 'cluster-id'), 'x'.repeat(5000));
  assert.throws(() => ClusterIdentity.open(dataDir, { keep: true, max: 4096 }), /cluster-id is 5000 bytes, more than CUBE_RECORD_MAX \(4096\)/);
});
