// The pure parts of `cube service`: the tables of ls and ps (fitted to 120
// columns), a copy's HEALTH, the deployment under ps, the progress and last
// lines of a followed rollout, inspect's fields, the words scale and the others
// take, and a group of commands in --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newService, rollingBack, ended, rememberStable, withVersion } from '../../machines/service/record.js';
import { UsageError } from '../../src/cli/args.js';
import { commands } from '../../src/cli/commands.js';
import { commandHelp } from '../../src/cli/help.js';
import { oneService, scaleArgs } from '../../src/cli/service-args.js';
import {
  answeredOutcome,
  copiesTable,
  deploymentCell,
  deploymentDetail,
  healthOf,
  judge,
  noCopiesMessage,
  outcomeOf,
  progressText,
  serviceDetail,
  serviceTable,
} from '../../src/cli/service-views.js';
import { DEFAULT_UPDATE, type Service, type ServiceDefinition } from '../../src/vocabulary/service.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';

const now = Date.parse('2026-01-10T12:00:00Z');
const at = (secondsBefore: number) => new Date(now - secondsBefore * 1000).toISOString();
const UID = '6be4cb6b-61d1-40cb-bc7b-9cacefefa60c';

const definition = (image: string, fields: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  Name: 'web',
  Count: 3,
  Task: { ...newTask({ ID: '', Name: '', Image: image }) } as never,
  Update: DEFAULT_UPDATE,
  ShutdownDelay: '1s',
  ...fields,
});

/** Version 1 out: stable, 3 healthy copies. */
function stable(): Service {
  const created = newService(definition('strm/helloworld-http'), UID, at(60));
  return {
    ...rememberStable(ended(created, 'succeeded', at(50))),
    Running: 3,
    Healthy: 3,
    Deployment: { ...created.Deployment!, State: 'succeeded', Healthy: 3, Finished: at(50) },
  };
}

/** Version 2 being rolled out from 1: one copy of it counts, four run. */
function deploying(): Service {
  const next = withVersion(stable(), definition('timboring/echo-server'), at(20));
  return { ...next, Running: 4, Healthy: 3, Deployment: { ...next.Deployment!, Healthy: 1 } };
}

test('cube service ls: a row a service, COPIES healthy/count, the last rollout in words, the image cut to fit 120 columns', { timeout: 10_000 }, () => {
  const long = { ...deploying(), Name: 'checkout' };
  long.Versions = long.Versions.map((v) => ({ ...v, Task: { ...v.Task, Image: `registry.example.com/${'team/'.repeat(30)}checkout:2` } }));
  const out = serviceTable([stable(), long]);
  assert.deepEqual(out.split('\n').slice(0, 2), [
    'NAME       VERSION   STATE       COPIES   DEPLOYMENT       IMAGE',
    'web        1         stable      3/3      v1 succeeded     strm/helloworld-http',
  ]);
  const row = out.split('\n')[2]!;
  assert.match(row, /^checkout {3}2 {9}deploying {3}3\/3 {6}v2 running 1\/3 {3}registry\.example\.com\/team\/.*…$/);
  assert.equal([...row].length, 120, 'cut to the width, ending in …');
  assert.equal(serviceTable([]), 'no services yet; create one with: cube service create -f service.json\n');
});

test('DEPLOYMENT says the version, where the rollout is, and its progress while it runs', { timeout: 10_000 }, () => {
  const d = deploying().Deployment!;
  assert.equal(deploymentCell(null), '-');
  assert.equal(deploymentCell(d), 'v2 running 1/3');
  assert.equal(deploymentCell({ ...d, State: 'rolling-back', Healthy: 2 }), 'v2 rolling back to v1 2/3');
  assert.equal(deploymentCell({ ...d, State: 'rolled-back' }), 'v2 rolled back to v1');
  assert.equal(deploymentCell({ ...d, State: 'paused' }), 'v2 paused at 1/3');
  assert.equal(deploymentCell({ ...d, State: 'failed' }), 'v2 failed');
  assert.equal(deploymentCell({ ...d, State: 'succeeded' }), 'v2 succeeded');
});

const copy = (n: number, fields: Partial<Task>): Task =>
  newTask({
    ID: `${UID.slice(0, 24)}${n.toString(16).padStart(12, '0')}`,
    Name: `web.${fields.Slot ?? 0}.${n}`,
    Image: 'timboring/echo-server',
    State: 2,
    StateName: 'running',
    Service: 'web',
    ServiceVersion: 1,
    Worker: 'w1',
    SubmitTime: at(30),
    Events: [{ Time: at(29), Type: 'Started', Message: 'container abc started' }],
    ...fields,
  });

test(
  'HEALTH: healthy once its check passed (or Running without one), starting before, unhealthy when it failed its check, - when not running',
  { timeout: 10_000 },
  () => {
    const started = { Time: at(29), Type: 'Started', Message: 'started' };
    assert.equal(healthOf(copy(0, {})), 'healthy', 'no check: Running counts');
    assert.equal(healthOf(copy(0, { HealthCheck: '/health' })), 'starting');
    assert.equal(healthOf(copy(0, { HealthCheck: '/health', Events: [started, { Time: at(28), Type: 'Healthy', Message: 'passed' }] })), 'healthy');
    const unhealthy = [started, { Time: at(20), Type: 'Unhealthy', Message: 'failed 3 checks' }];
    assert.equal(healthOf(copy(0, { HealthCheck: '/healthfail', State: 4, StateName: 'restarting', Events: unhealthy })), 'unhealthy');
    assert.equal(healthOf(copy(0, { State: 4, StateName: 'failed', Events: [started, { Time: at(20), Type: 'Terminated', Message: 'exited' }] })), '-');
    assert.equal(healthOf(copy(0, { State: 3, StateName: 'completed' })), '-');
  },
);

test('cube service ps: by slot, older versions first, the end of each ID, the worker cut to fit 120 columns', { timeout: 10_000 }, () => {
  const out = copiesTable([
    copy(4, { Slot: 1, ServiceVersion: 2, HealthCheck: '/health' }),
    copy(1, { Slot: 1 }),
    copy(0, { Slot: 0, Worker: `w-${'x'.repeat(120)}` }),
  ]);
  const lines = out.split('\n');
  assert.equal(lines[0], 'ID             NAME      SLOT   VERSION   STATE     HEALTH     WORKER');
  assert.match(lines[1]!, /^000000000000 {3}web\.0\.0 {3}0 {6}1 {9}Running {3}healthy {4}w-x+…$/);
  assert.equal([...lines[1]!].length, 120);
  assert.equal(lines[2], '000000000001   web.1.1   1      1         Running   healthy    w1');
  assert.equal(lines[3], '000000000004   web.1.4   1      2         Running   starting   w1');
  assert.equal(
    noCopiesMessage({ ...stable(), Count: 0 }, false),
    'service web has no copies that are not completed (-a shows those too); it is scaled to 0: cube service scale web=N starts N\n',
  );
});

test('under ps: the deployment in a line; when it did not simply succeed, its reason and its history since it began', { timeout: 10_000 }, () => {
  assert.equal(deploymentDetail(stable(), now), '\nDeployment: version 1: succeeded 50s ago\n');
  const back = ended(rollingBack(deploying(), 1, at(10), 'copy web.0.3 (slot 0) failed before it was healthy'), 'rolled-back', at(5));
  assert.equal(
    deploymentDetail(back, now),
    [
      '',
      'Deployment: version 2 (from 1): rolled back to version 1 5s ago',
      'Reason: copy web.0.3 (slot 0) failed before it was healthy',
      'History (oldest first):',
      '20s ago  Updated       version 2: 3 × timboring/echo-server, rolled out from version 1',
      '10s ago  Rolling Back  to version 1: copy web.0.3 (slot 0) failed before it was healthy',
      '5s ago   Rolled Back   back on version 1: 3 healthy copies',
      '',
    ].join('\n'),
    'the history before the deployment (Created, Deployed) is left out',
  );
});

test('a followed rollout: its progress in a line, and its end in one that says what to do', { timeout: 10_000 }, () => {
  assert.equal(progressText(deploying()), 'deploying version 2 (from 1): 1/3 healthy, 4 copies running');
  const back = rollingBack(deploying(), 1, at(10), 'copy web.0.3 (slot 0) failed before it was healthy');
  assert.equal(progressText(back), 'rolling back to version 1: 0/3 healthy, 4 copies running');
  assert.equal(progressText(stable()), '', 'nothing rolls out');

  const out = { ...rememberStable(ended(deploying(), 'succeeded', at(1))), Healthy: 3 };
  assert.deepEqual(outcomeOf(out, 'rollout', 12_000), { code: 0, line: 'service web runs version 2: 3/3 copies healthy, after 12s' });
  const rolledBack = ended(back, 'rolled-back', at(1));
  assert.deepEqual(outcomeOf(rolledBack, 'rollout', 5000), {
    code: 1,
    line: 'service web rolled back to version 1: version 2 failed: copy web.0.3 (slot 0) failed before it was healthy; its copies: cube service ps web; once the definition is fixed: cube service update web -f FILE',
  });
  assert.deepEqual(outcomeOf(rolledBack, 'rollback', 5000), { code: 0, line: 'service web is back on version 1: 3/3 copies healthy, after 5.0s' });
  assert.deepEqual(outcomeOf(ended(deploying(), 'paused', at(1), 'copy web.0.3 (slot 0) failed before it was healthy'), 'rollout', 0), {
    code: 1,
    line: 'service web paused the rollout of version 2 at 1/3 healthy: copy web.0.3 (slot 0) failed before it was healthy; cube service rollback web goes back to version 1, cube service update web -f FILE rolls out a fixed definition',
  });
  const first = ended(newService(definition('nope'), UID, at(9)), 'failed', at(1), 'copy web.0.0 (slot 0) failed before it was healthy');
  assert.equal(
    outcomeOf(first, 'rollout', 0).line.split(';')[0],
    'service web failed: copy web.0.0 (slot 0) failed before it was healthy (version 1, with no earlier version to go back to)',
  );
  assert.equal(
    outcomeOf(ended(back, 'failed', at(1), 'copy web.0.5 failed'), 'rollout', 0).line.split(';')[0],
    'service web failed rolling back to version 1: copy web.0.5 failed',
  );
});

test('what an answer says before any following: a rollout runs, nothing to roll out, or over; and a rollout replaced by another', { timeout: 10_000 }, () => {
  assert.equal(answeredOutcome(deploying(), 'rollout'), undefined, 'a rollout runs: follow it');
  const scaled = { ...stable(), Events: [...stable().Events, { Time: at(1), Type: 'Scaled', Message: 'from 3 to 5 copies' }] };
  assert.deepEqual(answeredOutcome(scaled, 'rollout'), {
    code: 0,
    line: 'service web already runs this definition (version 1): nothing to roll out; scaled from 3 to 5 copies',
  });
  const followed = deploying();
  assert.equal(judge(followed, followed, 'rollout', 0), undefined);
  const other = withVersion(followed, definition('strm/helloworld-http:3'), at(2));
  assert.equal(
    judge(other, followed, 'rollout', 0)?.line,
    'the rollout of service web was replaced by another: Updated: version 3: 3 × strm/helloworld-http:3, rolled out from version 1; cube service ps web shows where it is',
  );
});

test('cube service --help lists its commands; each has a help of its own', { timeout: 10_000 }, () => {
  const group = commandHelp(commands['service']!);
  assert.match(group, /^usage: cube service <command> \[flags\]\n/);
  for (const name of ['create', 'ls', 'ps', 'inspect', 'scale', 'update', 'rollback', 'rm']) assert.match(group, new RegExp(`^ {2}${name} +\\S`, 'm'));
  assert.doesNotMatch(group, /Flags:/);
});

test('cube service inspect: the fields, how it rolls out, the versions it keeps, then the history', { timeout: 10_000 }, () => {
  const lines = serviceDetail(deploying(), now).split('\n');
  assert.deepEqual(lines.slice(0, 10), [
    'Name            web',
    'State           deploying',
    'Version         2 (last stable: 1)',
    'Copies          3/3 healthy, 4 running',
    'Image           timboring/echo-server',
    `Created         1m ago (${at(60)})`,
    `ID              ${UID} (its copies' IDs start with it)`,
    'Update          1 at a time, start-first, healthy for 10s within 5m, on failure rollback',
    'Shutdown delay  1s',
    'Deployment      version 2 (from 1): running, 1/3 healthy, started 20s ago',
  ]);
  assert.deepEqual(lines.slice(10, 17), [
    '',
    'Versions (oldest first):',
    'VERSION   CREATED   IMAGE',
    '1         1m ago    strm/helloworld-http',
    '2         20s ago   timboring/echo-server',
    '',
    'History (oldest first):',
  ]);
  assert.match(lines.at(-2)!, /^20s ago +Updated +version 2: 3 × timboring\/echo-server, rolled out from version 1$/);
});

test('service commands take one NAME; scale takes NAME N or NAME=N, and says how to write a wrong one', { timeout: 10_000 }, () => {
  assert.equal(oneService(['web'], 'rm', 'deletes'), 'web');
  assert.throws(
    () => oneService([], 'rm', 'deletes'),
    (e: Error) => e instanceof UsageError && e.message === 'which service? give its name: cube service rm NAME (cube service ls lists them)',
  );
  assert.throws(
    () => oneService(['a', 'b'], 'rm', 'deletes'),
    (e: Error) => e instanceof UsageError && e.message === 'deletes one service at a time, got 2: a b',
  );
  assert.deepEqual(scaleArgs(['web', '5']), { name: 'web', count: 5 });
  assert.deepEqual(scaleArgs(['web=0']), { name: 'web', count: 0 });
  const refused = (words: string[], message: string) =>
    assert.throws(
      () => scaleArgs(words),
      (e: Error) => e instanceof UsageError && e.message === message,
      words.join(' '),
    );
  refused([], 'give one service and its count, like cube service scale web 5');
  refused(['web'], 'give one service and its count, like cube service scale web 5, not web');
  refused(['web', '5', '6'], 'give one service and its count, like cube service scale web 5, not web 5 6');
  refused(['=5'], 'give one service and its count, like cube service scale web 5, not =5');
  refused(['web', 'five'], 'the count "five" is not a whole number: write it like cube service scale web 5');
  refused(['web=-1'], 'the count "-1" is not a whole number: write it like cube service scale web 5');
});
