// The one reader of server-sent events (src/ui/event-stream.js, shared by the
// manager, the CLI and the live view) and the line splitter under it
// (src/ui/lines.js): the standard's line ends (LF, CR, CRLF, also split
// between chunks), multi-line data, comments, ids, and the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamParser, EventTooLarge, readEventStream } from '../../src/ui/event-stream.js';
import { LineSplitter, utf8Cut } from '../../src/ui/lines.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every event of `text` fed in pieces of `size` bytes. */
function parse(text: string, size = Infinity, max = 1 << 20) {
  const events: { type: string; data: string; id: string }[] = [];
  const parser = new EventStreamParser(max, (e) => events.push(e));
  const all = bytes(text);
  for (let at = 0; at < all.length; at += size) parser.push(all.subarray(at, Math.min(all.length, at + size)));
  return events;
}

const stream = 'event: a\r\ndata: {"x":\r\ndata: 1}\r\nid: 7\r\n\r\n: keep-alive\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n';
const expected = [
  { type: 'a', data: '{"x":\n1}', id: '7' },
  { type: 'b', data: '2', id: '7' },
  { type: 'message', data: '3', id: '7' },
];

test('CRLF, CR and LF end lines; data lines join with newlines; comments are skipped; the last id holds for the events after it', { timeout: 5000 }, () => {
  assert.deepEqual(parse(stream), expected);
});

test('the same events whatever the chunks, a CRLF split between two of them included', { timeout: 5000 }, () => {
  for (let size = 1; size <= 12; size++) assert.deepEqual(parse(stream, size), expected, `chunks of ${size} bytes`);
});

test(
  '"data" without a colon is an empty line of data; one space after the colon is dropped, not two; a leading BOM is not the field name',
  { timeout: 5000 },
  () => {
    assert.deepEqual(parse('\uFEFFdata\ndata:  two\n\n'), [{ type: 'message', data: '\n two', id: '' }]);
    assert.deepEqual(parse('event: only\n\n'), [], 'an event without data is not dispatched');
  },
);

test('an event over the cap is refused as it passes it, ended or not, and whatever its lines', { timeout: 5000 }, () => {
  const parser = new EventStreamParser(100, () => assert.fail('nothing is dispatched'));
  parser.push(bytes('data: '));
  assert.throws(() => parser.push(new Uint8Array(200).fill(120)), EventTooLarge, 'one line that never ends');
  const many = new EventStreamParser(100, () => assert.fail('nothing is dispatched'));
  assert.throws(() => many.push(bytes('data: 0123456789\n'.repeat(10))), EventTooLarge, 'many short lines of one event');
  assert.deepEqual(parse(`data: ${'y'.repeat(90)}\n\n`.repeat(3), 7, 100).length, 3, 'events under the cap, one after another');
});

test('readEventStream parses the JSON, gives numeric ids, and gives the events a chunk ends before the error it causes', { timeout: 5000 }, async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes(`id: 3\nevent: one\ndata: {"n":1}\n\ndata: ${'z'.repeat(200)}`));
      controller.close();
    },
  });
  const seen: unknown[] = [];
  await assert.rejects(async () => {
    for await (const event of readEventStream(body, 100)) seen.push(event);
  }, EventTooLarge);
  assert.deepEqual(seen, [{ type: 'one', data: { n: 1 }, id: 3 }]);
});

test('a line splitter keeps the first bytes of a long line and counts the rest; a CR before LF is not part of the line', { timeout: 5000 }, () => {
  const lines: [string, number][] = [];
  const splitter = new LineSplitter(4, (kept, length) => lines.push([new TextDecoder().decode(kept), length]));
  for (const piece of ['ab', 'cdefgh\r', '\nij\r\n', 'k\rl', '']) splitter.push(bytes(piece));
  splitter.end();
  assert.deepEqual(lines, [
    ['abcd', 8],
    ['ij', 2],
    ['k\rl', 3],
  ]);
});

test('a cut never splits a UTF-8 character', { timeout: 5000 }, () => {
  const text = bytes('aé€');
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((max) => utf8Cut(text, max)),
    [0, 1, 1, 3, 3, 3, 6],
  );
});
