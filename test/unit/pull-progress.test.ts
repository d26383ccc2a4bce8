// Docker's per-layer pull events summed into one line for people (a pull can
// take minutes); at most one line per interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullProgress, withDefaultTag } from '../../src/runtime/image-pull.js';

test('layer events become one line with layers done and megabytes', { timeout: 10_000 }, () => {
  const lines: string[] = [];
  const progress = new PullProgress('app:1', (line) => lines.push(line), 0);
  progress.add({ id: 'a', status: 'Pulling fs layer' });
  progress.add({ id: 'b', status: 'Downloading', progressDetail: { current: 1_000_000, total: 4_000_000 } });
  progress.add({ id: 'a', status: 'Downloading', progressDetail: { current: 500_000, total: 2_000_000 } });
  progress.add({ id: 'a', status: 'Pull complete' });
  assert.equal(progress.line(), 'pulling app:1: 1 of 2 layers, 3.0 of 6.0 MB');
  assert.equal(lines.length, 4);
  progress.add({ status: 'Digest: sha256:…' }); // no layer id: not a layer event
  assert.equal(lines.length, 4);
});

test('lines come at most once per interval', { timeout: 10_000 }, () => {
  const lines: string[] = [];
  const progress = new PullProgress('app:1', (line) => lines.push(line), 60_000);
  for (let i = 0; i < 100; i++) progress.add({ id: 'a', status: 'Downloading', progressDetail: { current: i, total: 100 } });
  assert.equal(lines.length, 1);
});

test('a bare name pulls :latest, as docker run does', { timeout: 10_000 }, () => {
  assert.equal(withDefaultTag('strm/helloworld-http'), 'strm/helloworld-http:latest');
});
