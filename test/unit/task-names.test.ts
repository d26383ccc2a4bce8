// The names Cube gives a task POSTed without one (machines/names.ts): short,
// readable, made from the image, and free among the live tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatedNames, imageBase, named } from '../../machines/names.js';
import { newTask } from '../../src/vocabulary/task.js';

const id = '3f2a9c1b-7d4e-4a1b-9c2d-0123456789ab';
const nameless = (ID = id, Image = 'strm/helloworld-http') => newTask({ ID, Image, Name: '' });

test('the image part is the last path element without tag or digest, in container-name characters', { timeout: 10_000 }, () => {
  assert.equal(imageBase('strm/helloworld-http'), 'helloworld-http');
  assert.equal(imageBase('registry:5000/team/app:1.2'), 'app');
  assert.equal(imageBase('Team/Hello_World@sha256:0123abcd'), 'hello_world');
  assert.equal(imageBase('busybox:latest@sha256:0123abcd'), 'busybox');
  assert.equal(imageBase('my image!!'), 'my-image', 'what a name cannot hold becomes one dash, and none at the end');
  assert.equal(imageBase('--.x'), 'x', 'a name starts with a letter or digit');
  assert.equal(imageBase(':::'), 'task', 'nothing usable: a word that is');
  assert.equal(imageBase(`a/${'b'.repeat(100)}`), 'b'.repeat(40), 'cut to 40 characters');
});

test('the first choice is the image part and the first 4 characters of the ID; then longer starts of the ID', { timeout: 10_000 }, () => {
  const names = generatedNames(nameless());
  assert.deepEqual(
    [1, 2, 3].map(() => names.next().value),
    ['helloworld-http-3f2a', 'helloworld-http-3f2a9', 'helloworld-http-3f2a9c'],
  );
  const short = generatedNames(nameless('ab'));
  assert.deepEqual(
    [1, 2, 3].map(() => short.next().value),
    ['helloworld-http-ab', 'helloworld-http-ab-2', 'helloworld-http-ab-3'],
    'past the whole ID, a counter',
  );
  for (const name of [nameless().ID, 'x'.repeat(128)].map((ID) => generatedNames(nameless(ID, `i/${'z'.repeat(90)}`)).next().value)) {
    assert.match(name, /^[a-z0-9][a-z0-9_.-]{1,127}$/, 'always a valid container name');
  }
});

test('a nameless task gets the first generated name no live task holds', { timeout: 10_000 }, () => {
  assert.equal(named(new Map(), undefined, nameless()).Name, 'helloworld-http-3f2a');
  const taken = new Map([
    ['helloworld-http-3f2a', 'other-1'],
    ['helloworld-http-3f2a9', 'other-2'],
  ]);
  assert.equal(named(taken, undefined, nameless()).Name, 'helloworld-http-3f2a9c', 'a collision takes one more character of the ID');
  assert.equal(named(new Map([['helloworld-http-3f2a', id]]), undefined, nameless()).Name, 'helloworld-http-3f2a', 'its own name is free to it');
});

test('a task with a name keeps it, and a nameless POST of a known task keeps the name it has', { timeout: 10_000 }, () => {
  assert.equal(named(new Map(), undefined, { ...nameless(), Name: 'web' }).Name, 'web');
  const record = { ...nameless(), Name: 'helloworld-http-3f2a' };
  const taken = new Map([['helloworld-http-3f2a', id]]);
  assert.equal(named(taken, record, nameless()).Name, 'helloworld-http-3f2a', 'a repeated POST changes no name, so it is a restart, not an update');
});
