// The service codec (docs/spec.md §9): defaults filled in, every bad key named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScale, parseServiceDefinition } from '../../src/service/codec.js';
import { DEFAULT_UPDATE } from '../../src/vocabulary/service.js';

const body = (fields: Record<string, unknown> = {}) => ({ Name: 'web', Count: 3, Task: { Image: 'strm/helloworld-http' }, ...fields });
const refused = (value: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseServiceDefinition(value),
    (e: Error) => pattern.test(e.message),
    String(pattern),
  );

test('a service with only Name, Count and Task gets the default update policy and shutdown delay', { timeout: 10_000 }, () => {
  const parsed = parseServiceDefinition(body());
  assert.equal(parsed.Name, 'web');
  assert.equal(parsed.Count, 3);
  assert.deepEqual(parsed.Update, DEFAULT_UPDATE);
  assert.equal(parsed.ShutdownDelay, '1s');
  assert.equal(parsed.Task.Image, 'strm/helloworld-http');
  assert.equal(parsed.Task.RestartPolicy, '');
  assert.ok(!('ID' in parsed.Task) && !('Name' in parsed.Task), 'the template has neither ID nor Name');
});

test('Spread beside Task is written into the template, so every copy carries it; Constraints stay in the template', { timeout: 10_000 }, () => {
  const parsed = parseServiceDefinition(body({ Spread: 'zone', Task: { Image: 'strm/helloworld-http', Constraints: ['disk==ssd'] } }));
  assert.equal(parsed.Task.Spread, 'zone');
  assert.deepEqual(parsed.Task.Constraints, ['disk==ssd']);
  assert.equal(parseServiceDefinition(body()).Task.Spread, '');
});

test('every key of Update is optional, and what is given is kept', { timeout: 10_000 }, () => {
  const parsed = parseServiceDefinition(body({ Update: { Parallelism: 2, Order: 'stop-first' } }));
  assert.deepEqual(parsed.Update, { ...DEFAULT_UPDATE, Parallelism: 2, Order: 'stop-first' });
});

test('bad input is refused naming the key: unknown keys, names, counts, durations, orders, the task', { timeout: 10_000 }, () => {
  refused(body({ Replicas: 3 }), /"Replicas" is not a known key \(known keys: Name, Count, Task, Update, ShutdownDelay, Spread\)/);
  refused(body({ Spread: 'zone=a' }), /^Spread: "zone=a" is not a label key/);
  refused(body({ Spread: 'zone', Task: { Image: 'strm/helloworld-http', Spread: 'rack' } }), /^Spread: "zone" and Task.Spread "rack" disagree/);
  refused(body({ Task: { Image: 'strm/helloworld-http', Constraints: ['zone=a'] } }), /Task.Constraints\[0\]: "zone=a" is not a constraint/);
  refused(body({ Name: 'Web_1' }), /^Name: expected a service name/);
  refused(body({ Count: -1 }), /^Count: -1 is out of range 0…1000/);
  refused(body({ Count: undefined }), /Count: required/);
  refused(body({ Update: { Parallelism: 0 } }), /Update.Parallelism: 0 is out of range/);
  refused(body({ Update: { Order: 'random' } }), /Update.Order: expected one of "start-first", "stop-first"/);
  refused(body({ Update: { MinHealthy: 'soon' } }), /Update.MinHealthy: expected a duration/);
  refused(body({ Update: { MinHealthy: '1m', HealthyDeadline: '30s' } }), /Update.HealthyDeadline: 30s must be longer than MinHealthy/);
  refused(body({ Update: { Canary: 1 } }), /Update: "Canary" is not a known key/);
  refused(body({ Task: { Name: 'web-1', Image: 'x' } }), /Task.Name: a service names its copies itself/);
  refused(body({ Task: { Imag: 'x' } }), /Task: "Imag" is not a known key/);
  refused(body({ Task: undefined }), /Task: required/);
  refused(body({ ShutdownDelay: '1h' }), /ShutdownDelay: at most 5m/);
  refused([], /body: expected a service/);
});

test('a PUT takes its name from the path, and refuses another in the body', { timeout: 10_000 }, () => {
  const { Name: _, ...unnamed } = body();
  assert.equal(parseServiceDefinition(unnamed, 'web').Name, 'web');
  assert.throws(() => parseServiceDefinition(body({ Name: 'api' }), 'web'), /a service cannot be renamed/);
});

test('a scale is {"Count": N}', { timeout: 10_000 }, () => {
  assert.equal(parseScale({ Count: 5 }), 5);
  assert.throws(() => parseScale({ Count: 1.5 }), /Count: expected a whole number/);
  assert.throws(() => parseScale({}), /Count: required/);
  assert.throws(() => parseScale({ Count: 2, Force: true }), /"Force" is not a known key/);
});
