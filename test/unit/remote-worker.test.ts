// The proxy of a Cube worker (src/manager/proxies/remote-worker.ts) over a
// transport the test plays: an event stream cut while it is read is the
// network's failure, named by its code, and the stream is opened again; one
// that sends what is not JSON is the worker's, "something that Cube cannot
// read".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, setup } from 'xstate';
import { remoteWorkerActor } from '../../src/manager/proxies/remote-worker.js';
import { silentLog } from '../../src/log.js';
import type { FromWorker } from '../../src/vocabulary/protocol.js';

const snapshot = 'event: worker.tasks\ndata: {"type":"worker.tasks","worker":"w1","tasks":[],"version":0}\n\n';

/** A transport whose every GET /events answers `first`, then ends as `end` says. */
function streams(first: string, end: (controller: ReadableStreamDefaultController<Uint8Array>) => void): { transport: typeof fetch; opened: () => number } {
  let opened = 0;
  const transport = (async () => {
    opened++;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(first));
        end(controller);
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return { transport, opened: () => opened };
}

/** Runs the proxy over `transport` until it has said `count` times that the worker is unreachable; their reasons. */
async function unreachable(transport: typeof fetch, count: number): Promise<string[]> {
  const reasons: string[] = [];
  let enough: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (enough = resolve));
  const proxy = remoteWorkerActor({ token: '', idleMs: 5000, maxBytes: 1 << 20, callTimeoutMs: 1000, stopTimeoutMs: 1000, log: silentLog, transport });
  const manager = setup({ actors: { proxy } }).createMachine({
    invoke: { src: 'proxy', input: { name: 'w1', address: '10.0.0.1:5555' } },
    on: {
      'worker.unreachable': {
        actions: ({ event }) => {
          reasons.push((event as Extract<FromWorker, { type: 'worker.unreachable' }>).reason);
          if (reasons.length === count) enough();
        },
      },
    },
  });
  const actor = createActor(manager).start();
  await done;
  actor.stop();
  return reasons;
}

test('an event stream cut while it is read is the network failing, named by its code, and is opened again', { timeout: 10_000 }, async () => {
  const cut = Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } });
  const { transport, opened } = streams(snapshot, (controller) => controller.error(cut));
  assert.deepEqual(await unreachable(transport, 2), ['10.0.0.1:5555: UND_ERR_SOCKET', '10.0.0.1:5555: UND_ERR_SOCKET']);
  assert.ok(opened() >= 2, 'it was opened again');
});

test('an event stream that sends what is not JSON is the worker failing: something Cube cannot read', { timeout: 10_000 }, async () => {
  const { transport } = streams(`${snapshot}event: worker.stats\ndata: {"stats": \n\n`, () => undefined);
  const [reason] = await unreachable(transport, 1);
  assert.match(reason!, /^10\.0\.0\.1:5555: its event stream sent something that Cube cannot read \(.*JSON/);
});
