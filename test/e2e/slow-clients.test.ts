// Clients that hold on without doing their part, against a real `cube start`
// process over real sockets: readers of GET /events that never read, requests
// whose headers or bodies stall, and more connections than the cap. The
// manager's memory stays bounded and comes back, GET /tasks stays quick, and
// every stalled socket is closed within its configured time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { spawnCube } from '../helpers/cube-process.js';
import { closeAll, eventsOf, openRaw, stalledReaders, untilClosed, type HeldSocket } from '../helpers/slow-clients.js';
import { inMiB, measureReaderLoad } from '../helpers/reader-load.js';

const MiB = 2 ** 20;

test(
  '200 readers of /events that never read: the manager stays within 50 MB of its baseline, gives it back, and GET /tasks p99 stays within 2x',
  { timeout: 90_000 },
  async () => {
    const result = await measureReaderLoad({
      readers: 200,
      seedTasks: 60,
      envBytes: 4096,
      submitEveryMs: 10,
      phaseMs: 5000,
      warmVersions: 5000,
      returnSlack: 10 * MiB,
      returnPhases: 6,
    });
    const mb = (bytes: number) => inMiB(bytes);
    const shown = JSON.stringify(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, /Rss$|^readers(Peak|Left)$/.test(k) ? mb(v) : v])));
    // Like with like (docs/benchmarks.md): highest with readers against highest without, lowest after against lowest
    // before, less what the twin manager's memory did meanwhile with no reader at all.
    assert.ok(result.readersPeak <= 50 * MiB, `the readers added ${mb(result.readersPeak)} MB at the highest: ${shown}`);
    assert.ok(result.readersLeft <= 10 * MiB, `${mb(result.readersLeft)} MB still there 30 s after the readers left: ${shown}`);
    // Without readers: the twin manager, asked in turn at the same moments, under the same noise of a shared machine.
    assert.ok(
      result.loadedP99 <= 2 * result.twinLoadedP99,
      `GET /tasks p99 ${result.loadedP99.toFixed(1)} ms with the readers, ${result.twinLoadedP99.toFixed(1)} ms without: ${shown}`,
    );
    assert.ok(result.submitted > 100 && result.loadedGets > 100, `too little load to judge: ${shown}`);
  },
);

test('a reader that falls behind is dropped with a last event that says so and how to resume; the manager serves on', { timeout: 60_000 }, async (t) => {
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `drop-${nanoid(5)}`], {
    CUBE_LOG: '0',
    CUBE_STREAM_BUFFER: '65536',
  });
  t.after(() => cube.stop());
  const [reader] = await stalledReaders(cube.url, 1);
  // 150 tasks no worker can take (they wait, Pending), each event about 64 KiB (a large Env): far more than the socket's buffers and the stream's.
  const env = Array.from({ length: 64 }, (_, i) => `PAYLOAD_${i}=${'x'.repeat(1000)}`);
  for (let i = 0; i < 150; i++) {
    const response = await fetch(`${cube.url}/tasks`, {
      method: 'POST',
      body: JSON.stringify({ Task: { ID: `drop-${i}`, Image: 'strm/helloworld-http', Memory: 2 ** 50, Env: env } }),
    });
    assert.equal(response.status, 201);
    await response.arrayBuffer();
  }
  // Now it reads: what was queued, then the last event, then the end of the response.
  const chunks: Buffer[] = [];
  reader!.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  reader!.socket.resume();
  await untilClosed([reader!], 10_000);
  const events = eventsOf(Buffer.concat(chunks).toString('utf8'));
  assert.equal(events[0]![1], 'snapshot');
  const [, type, last] = events.at(-1)!;
  assert.equal(type, 'stream.dropped');
  assert.match(last.reason, /^this client read too slowly: \d+ bytes of events would wait for it, more than CUBE_STREAM_BUFFER \(65536\); reconnect/);
  assert.ok('lastEventId' in last);
  assert.ok(events.length < 150 * 2, `it was dropped before every event was queued for it (${events.length} events)`);

  const again = await fetch(`${cube.url}/events`);
  assert.equal(again.status, 200, 'a new reader is served');
  await again.body?.cancel();
});

test(
  'stalled sockets are closed within their time limits: slow headers, half-sent bodies, trickled bodies, idle connections',
  { timeout: 60_000 },
  async (t) => {
    const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `stall-${nanoid(5)}`], {
      CUBE_LOG: '0',
      CUBE_HEADERS_TIMEOUT: '1s',
      CUBE_BODY_TIMEOUT: '1s',
      CUBE_REQUEST_TIMEOUT: '3s',
      CUBE_KEEP_ALIVE_TIMEOUT: '500ms',
    });
    const host = new URL(cube.url).host;
    const sockets: HeldSocket[] = [];
    const timers: NodeJS.Timeout[] = [];
    t.after(async () => {
      timers.forEach(clearInterval);
      closeAll(sockets);
      await cube.stop();
    });
    /** Sends `head`, then `drip` every `everyMs` while the socket is open. */
    const stalled = async (head: string, drip?: { text: string; everyMs: number }) => {
      const socket = await openRaw(cube.url, head, { read: true });
      sockets.push(socket);
      if (drip) timers.push(setInterval(() => socket.closedAfterMs === undefined && socket.socket.write(drip.text), drip.everyMs));
      return socket;
    };

    const slowHeaders: HeldSocket[] = [];
    for (let i = 0; i < 200; i++) slowHeaders.push(await stalled(`GET /tasks HTTP/1.1\r\nHost: ${host}\r\n`, { text: `X-Slow-${i}: a\r\n`, everyMs: 200 }));
    const halfBodies: HeldSocket[] = [];
    for (let i = 0; i < 100; i++) halfBodies.push(await stalled(`POST /tasks HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000\r\n\r\n{"Task": {`));
    const trickled = await stalled(`POST /tasks HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000\r\n\r\n{"Task": {"Env": ["A=`, { text: 'x', everyMs: 50 });
    const silent = await stalled('');
    const keptAlive = await stalled(`GET /tasks HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

    const everything = [...slowHeaders, ...halfBodies, trickled, silent, keptAlive];
    await untilClosed(everything, 5000);
    const slack = 1500; // Node looks for expired requests every 250 ms here; a loaded machine adds its own delay
    for (const s of [...slowHeaders, silent]) {
      assert.ok(s.closedAfterMs! >= 900 && s.closedAfterMs! <= 1000 + slack, `headers timeout 1s: closed after ${s.closedAfterMs} ms`);
    }
    for (const s of slowHeaders) {
      assert.match(s.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.match(
        s.received(),
        /"Message":"the request did not arrive in time: headers within 1s \(CUBE_HEADERS_TIMEOUT\), all of it within 3s \(CUBE_REQUEST_TIMEOUT\); send it whole, at once"/,
      );
    }
    for (const s of [...halfBodies, trickled]) {
      assert.ok(s.closedAfterMs! >= 900 && s.closedAfterMs! <= 1000 + slack, `body timeout 1s: closed after ${s.closedAfterMs} ms`);
      assert.match(s.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.match(s.received(), /"Message":"the request body did not arrive within 1s \(CUBE_BODY_TIMEOUT\); send it whole, at once"/);
    }
    assert.match(keptAlive.received(), /^HTTP\/1\.1 200 OK/);
    assert.ok(keptAlive.closedAfterMs! <= 500 + slack, `keep-alive timeout 500ms: closed after ${keptAlive.closedAfterMs} ms`);

    const after = await fetch(`${cube.url}/tasks`);
    assert.equal(after.status, 200, 'the manager serves on');
  },
);

test('past CUBE_MAX_CONNECTIONS new connections are closed at once; once some close, new ones are served', { timeout: 60_000 }, async (t) => {
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `cap-${nanoid(5)}`], {
    CUBE_LOG: '0',
    CUBE_MAX_CONNECTIONS: '50',
  });
  const held: HeldSocket[] = [];
  t.after(async () => {
    closeAll(held);
    await cube.stop();
  });
  held.push(...(await stalledReaders(cube.url, 50)));
  const extra = await openRaw(cube.url, `GET /tasks HTTP/1.1\r\nHost: ${new URL(cube.url).host}\r\n\r\n`, { read: true });
  await untilClosed([extra], 2000);
  assert.equal(extra.received(), '', 'refused without an answer');
  closeAll(held.splice(0, 10));
  // The server hears of the closes a moment later; a new request is served once it has.
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${cube.url}/tasks`).catch(() => undefined);
    if (response?.status === 200) break;
    assert.ok(attempt < 20, 'never served again');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

test('what Node would refuse with a bare status line is answered in JSON too: headers too large, not HTTP at all', { timeout: 60_000 }, async (t) => {
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `bad-${nanoid(5)}`], { CUBE_LOG: '0' });
  t.after(() => cube.stop());
  const huge = await openRaw(cube.url, `GET /tasks HTTP/1.1\r\nHost: ${new URL(cube.url).host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, { read: true });
  const garbage = await openRaw(cube.url, 'HELLO CUBE\r\n\r\n', { read: true });
  await untilClosed([huge, garbage], 5000);
  assert.match(
    huge.received(),
    /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[^]*\{"HTTPStatusCode":431,"Message":"the request headers are larger than 16 KiB; send fewer or smaller headers"\}$/,
  );
  assert.match(
    garbage.received(),
    /^HTTP\/1\.1 400 Bad Request\r\n[^]*\{"HTTPStatusCode":400,"Message":"this is not an HTTP request Cube can read \(HPE_INVALID_METHOD\); speak HTTP\/1\.1"\}$/,
  );
});
