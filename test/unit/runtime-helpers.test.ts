// Tests of the small pure helpers around Docker: the default image tag, the
// DOCKER_HOST address, Docker's error messages without dockerode's prefix, and
// the URL a health check calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDefaultTag } from '../../src/runtime/image-pull.js';
import { connectionOptions, dockerMessage } from '../../src/runtime/docker-errors.js';
import { healthUrl } from '../../src/worker/health-check.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';

const digest = `sha256:${'ab'.repeat(32)}`;

test('withDefaultTag adds :latest to a bare name, keeps a tag or digest', { timeout: 10_000 }, () => {
  const cases: [string, string][] = [
    ['nginx', 'nginx:latest'],
    ['strm/helloworld-http', 'strm/helloworld-http:latest'],
    ['nginx:1.25', 'nginx:1.25'],
    ['timboring/echo-server:latest', 'timboring/echo-server:latest'],
    ['registry:5000/app', 'registry:5000/app:latest'],
    ['registry:5000/team/app', 'registry:5000/team/app:latest'],
    ['registry:5000/app:1.2', 'registry:5000/app:1.2'],
    [`nginx@${digest}`, `nginx@${digest}`],
    [`registry:5000/app@${digest}`, `registry:5000/app@${digest}`],
    [`nginx:1.25@${digest}`, `nginx:1.25@${digest}`],
  ];
  for (const [image, reference] of cases) assert.equal(withDefaultTag(image), reference, image);
});

test('connectionOptions reads unix:// and tcp:// addresses', { timeout: 10_000 }, () => {
  assert.deepEqual(connectionOptions('unix:///x.sock'), { socketPath: '/x.sock' });
  assert.deepEqual(connectionOptions('unix:///var/run/docker.sock'), { socketPath: '/var/run/docker.sock' });
  assert.deepEqual(connectionOptions('tcp://1.2.3.4:2375'), { host: '1.2.3.4', port: 2375, protocol: 'http' });
  assert.deepEqual(connectionOptions('tcp://docker.internal:2375/'), { host: 'docker.internal', port: 2375, protocol: 'http' });
});

test('connectionOptions refuses other addresses, quoting them', { timeout: 10_000 }, () => {
  for (const address of ['', '/var/run/docker.sock', 'tcp://1.2.3.4', 'tcp://:2375', 'http://1.2.3.4:2375', 'ssh://me@host', 'tcp://1.2.3.4:port']) {
    assert.throws(
      () => connectionOptions(address),
      (e: unknown) => e instanceof Error && e.message === `DOCKER_HOST ${JSON.stringify(address)} is not unix:///path or tcp://host:port`,
      address,
    );
  }
});

test("dockerMessage strips dockerode's (HTTP code …) prefix", { timeout: 10_000 }, () => {
  const error = Object.assign(new Error('(HTTP code 404) no such container - No such container: web-1 '), { statusCode: 404 });
  assert.equal(dockerMessage(error), 'No such container: web-1');
  assert.equal(
    dockerMessage(new Error('(HTTP code 409) unexpected - Conflict. The container name "/web" is already in use ')),
    'Conflict. The container name "/web" is already in use',
  );
  assert.equal(
    dockerMessage({ json: { message: 'No such image: nope:latest' }, message: '(HTTP code 404) no such image - No such image: nope:latest ' }),
    'No such image: nope:latest',
  );
  assert.equal(dockerMessage(new Error('connect ENOENT /var/run/docker.sock')), 'connect ENOENT /var/run/docker.sock', 'other messages are kept');
  assert.equal(dockerMessage('plain text'), 'plain text');
});

const withPorts = (fields: Partial<Task>): Task => newTask({ ID: 't1', Name: 'web', Image: 'timboring/echo-server', HealthCheck: '/health', ...fields });

test('healthUrl calls the IPv4 binding of the first exposed port, on this host', { timeout: 10_000 }, () => {
  const task = withPorts({
    ExposedPorts: { '7777/tcp': {}, '8080/tcp': {} },
    HostPorts: {
      '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '49200' }],
      '7777/tcp': [
        { HostIp: '::', HostPort: '49156' },
        { HostIp: '0.0.0.0', HostPort: '49155' },
      ],
    },
  });
  assert.equal(healthUrl(task), 'http://127.0.0.1:49155/health');
});

test('healthUrl keeps a specific HostIp, and brackets an IPv6 one', { timeout: 10_000 }, () => {
  const at = (HostIp: string) =>
    healthUrl(withPorts({ ExposedPorts: { '7777/tcp': {} }, HostPorts: { '7777/tcp': [{ HostIp, HostPort: '7777' }] }, HealthCheck: '/ready' }));
  assert.equal(at('10.0.0.5'), 'http://10.0.0.5:7777/ready');
  assert.equal(at('0.0.0.0'), 'http://127.0.0.1:7777/ready');
  assert.equal(at(''), 'http://127.0.0.1:7777/ready');
  assert.equal(at('::1'), 'http://[::1]:7777/ready');
});

test('healthUrl finds the port from PortBindings when ExposedPorts is absent', { timeout: 10_000 }, () => {
  const task = withPorts({ PortBindings: { '7777/tcp': '7777' }, HostPorts: { '7777/tcp': [{ HostIp: '0.0.0.0', HostPort: '7777' }] } });
  assert.equal(healthUrl(task), 'http://127.0.0.1:7777/health');
});

test('healthUrl is undefined without HostPorts', { timeout: 10_000 }, () => {
  assert.equal(healthUrl(withPorts({ ExposedPorts: { '7777/tcp': {} }, HostPorts: null })), undefined);
  assert.equal(healthUrl(withPorts({ ExposedPorts: { '7777/tcp': {} }, HostPorts: {} })), undefined);
  assert.equal(healthUrl(withPorts({ ExposedPorts: { '7777/tcp': {} }, HostPorts: { '7777/tcp': [] } })), undefined);
  assert.equal(healthUrl(withPorts({ HostPorts: { '7777/tcp': [{ HostIp: '0.0.0.0', HostPort: '7777' }] } })), undefined, 'no exposed port');
});
