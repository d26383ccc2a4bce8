// Tests of the command-line parser (util.parseArgs in strict mode): positionals,
// `--flag value`, `--flag=value`, switches, short aliases, and a UsageError in
// one line for every mistake: an unknown flag (with the flag that was meant),
// a missing value, a value given to a switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type Flags } from '../../src/cli/args.js';

const flags: Flags = {
  file: { type: 'string', short: 'f', value: 'FILE', help: '' },
  manager: { type: 'string', short: 'm', value: 'HOST:PORT', help: '' },
  port: { type: 'string', value: 'PORT', help: '' },
  token: { type: 'string', help: '' },
  json: { type: 'boolean', help: '' },
  detach: { type: 'boolean', short: 'd', help: '' },
};

const usage = (argv: string[], message: string | RegExp) =>
  assert.throws(
    () => parseArgs(argv, flags),
    (e: unknown) => e instanceof UsageError && (typeof message === 'string' ? e.message === message : message.test(e.message)) && !e.message.includes('\n'),
    `${argv.join(' ')} → ${message}`,
  );

test('words that are not flags are positionals, in order; -- ends the flags', { timeout: 10_000 }, () => {
  assert.deepEqual(parseArgs(['task-1', 'task-2'], flags), { positionals: ['task-1', 'task-2'], flags: {} });
  assert.deepEqual(parseArgs([], flags), { positionals: [], flags: {} });
  assert.deepEqual(parseArgs(['--', '--json', '-1'], flags).positionals, ['--json', '-1']);
});

test('--flag value, --flag=value, -f value and -fvalue give the value', { timeout: 10_000 }, () => {
  assert.deepEqual(parseArgs(['--file', 'a.json', 'extra'], flags), { positionals: ['extra'], flags: { file: 'a.json' } });
  assert.deepEqual(parseArgs(['--token=a=b', '--port='], flags).flags, { token: 'a=b', port: '' });
  assert.deepEqual(parseArgs(['-f', 'task.json', '-m', 'host:5556'], flags).flags, { file: 'task.json', manager: 'host:5556' });
  assert.deepEqual(parseArgs(['-ftask.json'], flags).flags, { file: 'task.json' });
  assert.deepEqual(parseArgs(['--token=--odd'], flags).flags, { token: '--odd' }, 'a value that starts with a dash, written with =');
});

test('switches take no value, so the next word stays a positional', { timeout: 10_000 }, () => {
  assert.deepEqual(parseArgs(['--json', 'task-1', '-d'], flags), { positionals: ['task-1'], flags: { json: '', detach: '' } });
});

test('an unknown flag is refused, naming the flag that was meant when one is close', { timeout: 10_000 }, () => {
  usage(['--prot', '1'], 'unknown flag --prot (did you mean --port?)');
  usage(['--force', 'abc'], 'unknown flag --force');
  usage(['-x'], 'unknown flag -x');
  usage(['--output', 'json'], /^unknown flag --output/);
  usage(['--jsn'], 'unknown flag --jsn (did you mean --json?)');
});

test("another command's flag is explained when the caller knows who takes it", { timeout: 10_000 }, () => {
  assert.throws(
    () => parseArgs(['--scheduler', 'epvm'], flags, (flag) => (flag === '--scheduler' ? '--scheduler is a manager setting' : undefined)),
    (e: unknown) => e instanceof UsageError && e.message === 'unknown flag --scheduler: --scheduler is a manager setting',
  );
});

test('a flag without its value is refused, also when the next word is a flag', { timeout: 10_000 }, () => {
  usage(['--file'], /^--file needs a value \(FILE\)/);
  usage(['-f'], /^--file needs a value \(FILE\)/);
  usage(['--manager', '--json'], /^--manager needs a value \(HOST:PORT\); a value that starts with "-" is written --manager=-…$/);
  usage(['--token', '-x'], /^--token needs a value/);
});

test('a value given to a switch is refused', { timeout: 10_000 }, () => {
  usage(['--json=1'], '--json takes no value');
});

test('a typo of the last word of a longer flag names every flag it may mean', { timeout: 10_000 }, () => {
  const start: Flags = {
    'manager-port': { type: 'string', help: '' },
    'worker-port': { type: 'string', help: '' },
    'manager-host': { type: 'string', help: '' },
  };
  assert.throws(
    () => parseArgs(['--prot', '1'], start),
    (e: unknown) => e instanceof UsageError && e.message === 'unknown flag --prot (did you mean --manager-port or --worker-port?)',
  );
});
