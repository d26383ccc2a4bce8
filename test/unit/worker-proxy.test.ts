// The proxy that learns a worker's protocol (src/manager/proxies/worker-proxy.ts), with
// stand-in proxies and a stand-in detection (no network): a worker that does
// not answer is reported unreachable and asked again; commands that came
// meanwhile reach the proxy of its protocol, in order; heartbeats say which
// protocol brought them; everything else passes through as it came; the
// detection asks through the transport it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, setup } from 'xstate';
import { workerProxy } from '../../src/manager/proxies/worker-proxy.js';
import { silentLog } from '../../src/log.js';
import type { FromWorker, ToWorker, WorkerProtocol } from '../../src/vocabulary/protocol.js';
import { newTask } from '../../src/vocabulary/task.js';
import { workerStats } from '../helpers/stats.js';

test(
  'commands wait until the worker answers, then reach the proxy of its protocol; its messages come back, heartbeats marked',
  { timeout: 10_000 },
  async () => {
    const received: Record<WorkerProtocol, ToWorker[]> = { cube: [], book: [] };
    /** A stand-in proxy: records commands, answers each with a heartbeat and a refusal. */
    const standIn = (protocol: WorkerProtocol) =>
      fromCallback<ToWorker, { name: string; address: string }>(({ input, receive, sendBack }) => {
        receive((command) => {
          received[protocol].push(command);
          sendBack({ type: 'worker.stats', worker: input.name, stats: workerStats(input.name), at: command.at } satisfies FromWorker);
          sendBack({ type: 'task.refused', worker: input.name, id: 't1', placement: 'p1', command: 'stop', reason: 'no', status: 404 } satisfies FromWorker);
        });
      });
    let attempts = 0;
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const detect = async (): Promise<WorkerProtocol> => {
      if (++attempts === 1) throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      await answered;
      return 'book';
    };
    const proxy = workerProxy({ proxies: { cube: standIn('cube'), book: standIn('book') }, detectTimeoutMs: 1000, log: silentLog, detect });

    const toManager: FromWorker[] = [];
    let heard: () => void = () => undefined;
    const manager = setup({ actors: { proxy } }).createMachine({
      invoke: { id: 'w1', src: 'proxy', input: { name: 'w1', address: '10.0.0.1:5555' } },
      on: { '*': { actions: ({ event }) => (toManager.push(event as FromWorker), heard()) } },
    });
    const actor = createActor(manager).start();
    const w1 = actor.getSnapshot().children['w1']!;
    const until = (n: number) => new Promise<void>((resolve) => ((heard = () => toManager.length >= n && resolve()), heard()));

    await until(1);
    assert.deepEqual(toManager[0], { ...toManager[0], type: 'worker.unreachable', worker: 'w1', reason: '10.0.0.1:5555: ECONNREFUSED' });
    const task = newTask({ ID: 't1', Name: 'web', Image: 'strm/helloworld-http', Placement: 'p1' });
    w1.send({ type: 'task.run', task, at: 'a' });
    w1.send({ type: 'task.stop', id: 't1', placement: 'p1', at: 'b' });
    w1.send({ type: 'task.run', task, at: 'c' }); // the latest run of a task replaces the one waiting
    w1.send({ type: 'worker.sync', at: 'd' });
    answer();
    await until(1 + 2 * 3);
    assert.deepEqual(
      received.book.map((c) => `${c.type}@${c.at}`),
      ['task.stop@b', 'task.run@c', 'worker.sync@d'],
    );
    assert.deepEqual(received.cube, []);
    const stats = toManager.find((m): m is Extract<FromWorker, { type: 'worker.stats' }> => m.type === 'worker.stats')!;
    assert.equal(stats.stats.Protocol, 'book');
    assert.ok(
      toManager.some((m) => m.type === 'task.refused' && m.placement === 'p1'),
      'the rest passes as it came',
    );

    w1.send({ type: 'task.stop', id: 't2', placement: 'p9', at: 'e' });
    await until(1 + 2 * 4);
    assert.equal(received.book.at(-1)?.type, 'task.stop', 'once it answered, commands go straight through');
    actor.stop();
  },
);

test('the detection asks through the transport the proxies are given, not the global fetch', { timeout: 10_000 }, async () => {
  const asked: string[] = [];
  const transport = (async (input: string | URL | Request) => {
    asked.push(String(input));
    return new Response('no such route', { status: 404 });
  }) as typeof fetch;
  let spoke: (line: string) => void = () => undefined;
  const said = new Promise<string>((resolve) => (spoke = resolve));
  const idle = fromCallback(() => undefined);
  const proxy = workerProxy({ proxies: { cube: idle, book: idle }, detectTimeoutMs: 1000, log: (line) => spoke(line), transport });
  const actor = createActor(setup({ actors: { proxy } }).createMachine({ invoke: { src: 'proxy', input: { name: 'w1', address: '10.0.0.1:5555' } } })).start();
  assert.match(await said, /speaks the book's protocol/);
  assert.deepEqual(asked, ['http://10.0.0.1:5555/events']);
  actor.stop();
});
