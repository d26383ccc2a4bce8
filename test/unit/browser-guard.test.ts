// The rules of the browser defences, alone: which Host names an API answers
// to, and which requests a browser marks as coming from another site. The
// real browser's view is in test/e2e/browser-defences.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import Router from '@koa/router';
import type { Context } from 'koa';
import { readSettings, SettingsError } from '../../src/config/settings.js';
import { createApp, listen } from '../../src/http/app.js';
import { crossSite } from '../../src/http/browser-guard.js';
import { hostAllowed, hostName, hostRule } from '../../src/http/hosts.js';
import { silentLog } from '../../src/log.js';

test('Host names: loopback names, IP addresses, the listen address and this hostname pass; other names only when allowed', { timeout: 10_000 }, () => {
  const rule = hostRule('', ['cube.lan']);
  for (const ok of [
    'localhost:5556',
    'LOCALHOST',
    'app.localhost:1',
    '127.0.0.1:5556',
    '[::1]:5556',
    '10.0.0.7',
    'cube.lan:5556',
    `${hostname()}:5556`,
    'localhost.',
    undefined,
    '',
  ]) {
    assert.ok(hostAllowed(ok, rule), `${ok} passes`);
  }
  for (const refused of ['evil.example:5556', 'localhost.evil.example', '127.0.0.1.evil.example', 'cube.lan.evil.example', 'xn--localhost']) {
    assert.ok(!hostAllowed(refused, rule), `${refused} is refused`);
  }
  const listed = hostRule(' cube.example.com , .corp.example ');
  assert.ok(hostAllowed('cube.example.com:443', listed));
  assert.ok(hostAllowed('a.b.corp.example', listed));
  assert.ok(hostAllowed('corp.example', listed));
  assert.ok(!hostAllowed('example.com', listed));
  assert.ok(!hostAllowed('notcorp.example', listed));
  assert.ok(hostAllowed('anything.example', hostRule('*')));
});

test('hostName strips the port, a trailing dot and IPv6 brackets', { timeout: 10_000 }, () => {
  assert.equal(hostName('Example.COM:80'), 'example.com');
  assert.equal(hostName('[::1]:5556'), '::1');
  assert.equal(hostName('[fe80::1]'), 'fe80::1');
  assert.equal(hostName('localhost.'), 'localhost');
});

const ctx = (headers: Record<string, string>) => ({ get: (name: string) => headers[name.toLowerCase()] ?? '' }) as unknown as Context;

test(
  'cross-site: an Origin other than the server itself, or Sec-Fetch-Site same-site/cross-site; none, same-origin and no header pass',
  { timeout: 10_000 },
  () => {
    const host = '127.0.0.1:5556';
    assert.equal(crossSite(ctx({ host })), undefined, 'curl: no Origin, no Sec-Fetch-Site');
    assert.equal(crossSite(ctx({ host, origin: 'http://127.0.0.1:5556', 'sec-fetch-site': 'same-origin' })), undefined);
    assert.equal(crossSite(ctx({ host: 'cube.example.com', origin: 'https://cube.example.com' })), undefined, 'behind a proxy that ends TLS');
    assert.equal(crossSite(ctx({ host, 'sec-fetch-site': 'none' })), undefined, 'typed in the address bar');
    assert.match(
      crossSite(ctx({ host, origin: 'http://localhost:8000' }))!,
      /^it comes from a page at http:\/\/localhost:8000, not from this server \(127\.0\.0\.1:5556\)$/,
    );
    assert.match(crossSite(ctx({ host, origin: 'http://127.0.0.1:8000' }))!, /comes from a page at/, 'another port is another origin');
    assert.match(crossSite(ctx({ host, origin: 'null' }))!, /comes from a page at null/);
    assert.match(crossSite(ctx({ host, 'sec-fetch-site': 'same-site' }))!, /marks it as same-site/);
    assert.match(crossSite(ctx({ host, 'sec-fetch-site': 'cross-site' }))!, /marks it as cross-site/);
  },
);

test('CUBE_PUBLISH_HOST takes an IP address or nothing, and says how to write it', { timeout: 10_000 }, () => {
  assert.equal(readSettings({}, { CUBE_PUBLISH_HOST: '127.0.0.1' }).publishHost, '127.0.0.1');
  assert.equal(readSettings({}, {}).publishHost, '');
  assert.throws(
    () => readSettings({ 'publish-host': 'localhost' }, {}),
    (e: Error) => e instanceof SettingsError && /--publish-host: "localhost" is not an IP address; write it like 127\.0\.0\.1/.test(e.message),
  );
});

test('a headers timeout longer than the request timeout is refused at start, naming both', { timeout: 10_000 }, async () => {
  const settings = { ...readSettings({}, {}), headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 };
  const app = createApp(new Router(), { settings, role: 'manager', log: silentLog, routesHint: '' });
  await assert.rejects(listen(app, '127.0.0.1', 0), /CUBE_HEADERS_TIMEOUT \(20000 ms\) is longer than CUBE_REQUEST_TIMEOUT \(10000 ms\)/);
});
