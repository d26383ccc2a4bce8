// Docker's multiplexed log frames into lines (src/logs/demux.ts) and the
// manager's reading of a worker's NDJSON (readLogLines): the 16 KiB parts of
// one long line joined under one time, a line over the cap cut with a marker
// that says how long it was, and the same lines whatever the chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demultiplex } from '../../src/logs/demux.js';
import { readLogLines, type LogLine } from '../../src/logs/log-line.js';

const T1 = '2026-11-27T17:30:01.123456789Z';
const T2 = '2026-11-27T17:30:02.000000001Z';

/** One frame of Docker's multiplexed stream. */
function frame(stream: number, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function lines(bytes: Buffer, maxLine = 1 << 20, chunk = bytes.length): Promise<LogLine[]> {
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  }
  const out: LogLine[] = [];
  for await (const line of demultiplex(chunks(), maxLine)) out.push(line);
  return out;
}

// As Docker's json-file driver sends a line of 20 KiB: a 16 KiB part with its time and no newline, then the rest with its own time.
const long = 'a'.repeat(16 * 1024) + 'b'.repeat(4 * 1024);
const stream = Buffer.concat([
  frame(1, `${T1} ${long.slice(0, 16 * 1024)}`),
  frame(2, `${T2} on stderr\r\n`),
  frame(1, `${T2} ${long.slice(16 * 1024)}\n`),
  frame(0, 'stdin carries no output\n'),
  frame(1, `${T2} é€ two\n${T2} lines in one frame\n`),
  frame(2, `${T1} no newline at the end`),
]);

test("Docker's parts of one long line become one line with the first part's time; stdout and stderr stay apart", { timeout: 5000 }, async () => {
  assert.deepEqual(await lines(stream), [
    { Time: T2, Stream: 'stderr', Line: 'on stderr' },
    { Time: T1, Stream: 'stdout', Line: long },
    { Time: T2, Stream: 'stdout', Line: 'é€ two' },
    { Time: T2, Stream: 'stdout', Line: `${T2} lines in one frame` },
    { Time: T1, Stream: 'stderr', Line: 'no newline at the end' },
  ]);
});

test('the same lines whatever the chunks: headers, timestamps and characters split anywhere', { timeout: 30_000 }, async () => {
  const whole = await lines(stream);
  for (const size of [1, 2, 3, 7, 8, 9, 31, 33, 1000, 16_391]) assert.deepEqual(await lines(stream, 1 << 20, size), whole, `chunks of ${size} bytes`);
});

test('a line over the cap keeps its first bytes, whole characters only, and says how long it was', { timeout: 5000 }, async () => {
  const [cut] = await lines(Buffer.concat([frame(1, `${T1} ${'é'.repeat(10)}`), frame(1, `${T2} ${'x'.repeat(100)}\n`)]), 15);
  assert.equal(cut!.Time, T1);
  assert.equal(cut!.Line, `${'é'.repeat(7)} [… cut by Cube: the line was 120 bytes; the first 15 are kept (CUBE_LOG_LINE_MAX)]`);
});

test('a frame whose header claims gigabytes is read as it comes, without waiting for it to be whole', { timeout: 5000 }, async () => {
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(0xffffffff, 4);
  const seen: LogLine[] = [];
  async function* chunks() {
    yield Buffer.concat([header, Buffer.from(`${T1} first\n`)]);
    assert.deepEqual(seen, [{ Time: T1, Stream: 'stdout', Line: 'first' }], 'the line is out before the frame ends');
  }
  for await (const line of demultiplex(chunks(), 100)) seen.push(line);
});

test("the manager reads a worker's NDJSON whatever the chunks; a line over its cap stands as a line saying how long it was", { timeout: 5000 }, async () => {
  const sent: LogLine[] = [
    { Time: T1, Stream: 'stderr', Line: 'x'.repeat(300) },
    { Time: T2, Stream: 'stdout', Line: 'short' },
  ];
  const text = Buffer.from(sent.map((line) => `${JSON.stringify(line)}\n`).join(''));
  const read = async (chunk: number) => {
    async function* chunks() {
      for (let at = 0; at < text.length; at += chunk) yield text.subarray(at, at + chunk);
    }
    const out: LogLine[] = [];
    for await (const line of readLogLines(chunks(), 'worker w1', 200)) out.push(line);
    return out;
  };
  for (const size of [1, 5, 64, text.length]) {
    assert.deepEqual(await read(size), [{ Time: T1, Stream: 'stderr', Line: '[… cut by Cube: worker w1 sent a line of 369 bytes, more than 200]' }, sent[1]]);
  }
  async function* garbage() {
    yield Buffer.from('{"Time": 5}\n');
  }
  await assert.rejects(async () => {
    for await (const _ of readLogLines(garbage(), 'worker w1', 200));
  }, /worker w1 sent a line that is not a log line/);
});
