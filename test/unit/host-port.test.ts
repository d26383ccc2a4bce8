// host:port is read one way wherever Cube takes an address (src/config/host-port.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostPort } from '../../src/config/host-port.js';

test('a name, an IPv4 address or a bracketed IPv6 address, and a port 1…65535', { timeout: 10_000 }, () => {
  assert.deepEqual(parseHostPort('worker-2:5555'), { host: 'worker-2', hostname: 'worker-2', port: 5555 });
  assert.deepEqual(parseHostPort('10.0.0.7:1'), { host: '10.0.0.7', hostname: '10.0.0.7', port: 1 });
  assert.deepEqual(parseHostPort('[::1]:65535'), { host: '[::1]', hostname: '::1', port: 65535 });
  assert.deepEqual(parseHostPort('[::ffff:10.0.0.7]:5556'), { host: '[::ffff:10.0.0.7]', hostname: '::ffff:10.0.0.7', port: 5556 });
});

test('anything else is not host:port', { timeout: 10_000 }, () => {
  for (const text of ['worker-2', 'worker-2:0', 'worker-2:65536', 'worker-2:', '::1:5555', 'http://worker-2:5555', 'worker 2:5555', ' worker-2:5555', '']) {
    assert.equal(parseHostPort(text), undefined, JSON.stringify(text));
  }
});

test('a default port lets the port be left out', { timeout: 10_000 }, () => {
  assert.deepEqual(parseHostPort('localhost', 5556), { host: 'localhost', hostname: 'localhost', port: 5556 });
  assert.deepEqual(parseHostPort('localhost:7000', 5556), { host: 'localhost', hostname: 'localhost', port: 7000 });
});
