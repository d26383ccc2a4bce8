// Tests of the command-line parser: positionals, `--flag value`, `--flag=value`,
// switches that take no value, the short -m/-f aliases, and the UsageError for a
// flag that is missing its value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args.js';

const none = new Set<string>();
const switches = new Set(['json', 'detach', 'help', 'inspect']);

test('words that are not flags are positionals, in order', () => {
  assert.deepEqual(parseArgs(['stop', 'task-1', 'task-2'], none), { positionals: ['stop', 'task-1', 'task-2'], flags: {} });
  assert.deepEqual(parseArgs([], none), { positionals: [], flags: {} });
  assert.deepEqual(parseArgs(['stop', '-1'], none).positionals, ['stop', '-1'], 'a negative number is not a flag');
});

test('--flag value takes the next word as its value', () => {
  const args = parseArgs(['manager', '--workers', 'a:5555,b:5555', 'extra'], none);
  assert.deepEqual(args.flags, { workers: 'a:5555,b:5555' });
  assert.deepEqual(args.positionals, ['manager', 'extra']);
  assert.deepEqual(parseArgs(['--token', '--not-a-flag'], none).flags, { token: '--not-a-flag' }, 'the next word is the value, whatever it looks like');
});

test('--flag=value carries its value in the same word', () => {
  const args = parseArgs(['--health-interval=250ms', 'worker', '--token=a=b', '--empty='], none);
  assert.deepEqual(args.flags, { 'health-interval': '250ms', token: 'a=b', empty: '' });
  assert.deepEqual(args.positionals, ['worker']);
  assert.deepEqual(parseArgs(['--json=1'], switches).flags, { json: '1' }, 'a switch may still be given a value with =');
});

test('switches in the given set take no value, so the next word stays a positional', () => {
  const args = parseArgs(['status', '--json', 'task-1', '--detach'], switches);
  assert.deepEqual(args.flags, { json: '', detach: '' });
  assert.deepEqual(args.positionals, ['status', 'task-1']);
  assert.deepEqual(parseArgs(['status', '--json', 'task-1'], none).flags, { json: 'task-1' }, 'without the set, --json takes a value');
});

test('-m host:port names the manager and -f file the task file', () => {
  const args = parseArgs(['run', '-m', 'host:5556', '-f', 'task.json'], none);
  assert.deepEqual(args.flags, { manager: 'host:5556', file: 'task.json' });
  assert.deepEqual(args.positionals, ['run']);
  assert.deepEqual(parseArgs(['-m=host:1'], none).flags, { manager: 'host:1' });
  assert.deepEqual(parseArgs(['--manager', 'host:5556'], none).flags, { manager: 'host:5556' });
  assert.deepEqual(parseArgs(['-h'], switches).flags, { help: '' });
  assert.deepEqual(parseArgs(['-d', 'run'], switches), { positionals: ['run'], flags: { detach: '' } });
});

test('a value-taking flag at the end throws UsageError', () => {
  assert.throws(() => parseArgs(['run', '--file'], none), (e: unknown) => e instanceof UsageError && e.message === '--file needs a value');
  assert.throws(() => parseArgs(['status', '-m'], switches), (e: unknown) => e instanceof UsageError && e.message === '--manager needs a value');
  assert.doesNotThrow(() => parseArgs(['status', '--json'], switches));
});
