// Tests of Cube's settings (docs/spec.md §5): durations as people write them, the
// defaults of the SPEC's table, and the order flag > CUBE_* variable > default,
// with bad values refused by the name of the variable or flag they came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { formatDuration, parseDuration } from '../../src/vocabulary/duration.js';
import { flagOf, readSettings, settingSpecs, settingsHelp, SettingsError } from '../../src/config/settings.js';
import { parseArgs } from '../../src/cli/args.js';
import { settingsFlags } from '../../src/cli/flags.js';
import { volumeRoots } from '../../src/worker/from-settings.js';

/** The variables of docs/spec.md §5's table. */
const specVariables = [
  'CUBE_HEALTH_INTERVAL',
  'CUBE_HEALTH_TIMEOUT',
  'CUBE_HEALTH_FAILURES',
  'CUBE_RESTART_LIMIT',
  'CUBE_RESTART_DELAY',
  'CUBE_RESTART_DELAY_MAX',
  'CUBE_RECONCILE_INTERVAL',
  'CUBE_HEARTBEAT_TTL',
  'CUBE_SCHEDULER',
  'CUBE_DATA_DIR',
  'CUBE_TOKEN',
  'CUBE_RETENTION',
  'CUBE_RETENTION_MAX',
];

/** Asserts that reading settings throws a SettingsError whose message matches `pattern`. */
function refuses(flags: Record<string, string>, env: NodeJS.ProcessEnv, pattern: RegExp): void {
  assert.throws(
    () => readSettings(flags, env),
    (error: unknown) => error instanceof SettingsError && pattern.test(error.message),
    `expected flags ${JSON.stringify(flags)} env ${JSON.stringify(env)} to be refused with ${pattern}`,
  );
}

test('parseDuration reads durations as docs/spec.md §5 writes them', { timeout: 10_000 }, () => {
  const cases: [string, number][] = [
    ['250ms', 250],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0.5m', 30_000],
    ['0', 0],
    ['0s', 0],
    [' 10s ', 10_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, JSON.stringify(text));
});

test('parseDuration refuses what is not a duration', { timeout: 10_000 }, () => {
  for (const text of ['10', 's', '10x', '', ' ', '-1s', '1s2', 'ms', '1.s', '.5s', '10 s', '1d', '10S', 'ten seconds']) {
    assert.equal(parseDuration(text), undefined, JSON.stringify(text));
  }
});

test('formatDuration writes what parseDuration reads, and the round trip is exact', { timeout: 10_000 }, () => {
  const cases: [number, string][] = [
    [0, '0'],
    [250, '250ms'],
    [1500, '1500ms'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [3_661_000, '1h1m1s'],
    [7_200_500, '7200500ms'],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text, String(ms));
    assert.equal(parseDuration(formatDuration(ms)), ms, `round trip of ${ms}`);
  }
});

test("readSettings' defaults are docs/spec.md §5's table", { timeout: 10_000 }, () => {
  const settings = readSettings({}, {});
  assert.equal(settings.healthIntervalMs, 10_000);
  assert.equal(settings.healthTimeoutMs, 1000);
  assert.equal(settings.healthFailures, 3);
  assert.equal(settings.restartLimit, 3);
  assert.equal(settings.restartDelayMs, 10_000);
  assert.equal(settings.restartDelayMaxMs, 300_000);
  assert.equal(settings.reconcileIntervalMs, 15_000);
  assert.equal(settings.heartbeatTtlMs, 15_000);
  assert.equal(settings.scheduler, 'epvm');
  assert.equal(settings.token, '', 'no token: the API is open');
  assert.equal(settings.retentionMs, 24 * 3600_000);
  assert.equal(settings.retentionMax, 10_000);
  const fromHome = relative(homedir(), settings.dataDir);
  assert.ok(isAbsolute(settings.dataDir), settings.dataDir);
  assert.ok(fromHome !== '' && !fromHome.startsWith('..') && !isAbsolute(fromHome), `${settings.dataDir} is a folder under ${homedir()}`);
});

test("every variable of docs/spec.md §5's table is a setting", { timeout: 10_000 }, () => {
  const envs: string[] = Object.values(settingSpecs).map((spec) => spec.env);
  for (const variable of specVariables) assert.ok(envs.includes(variable), variable);
});

test('CUBE_* variables override the defaults; empty ones do not', { timeout: 10_000 }, () => {
  const settings = readSettings(
    {},
    {
      CUBE_HEALTH_INTERVAL: '250ms',
      CUBE_HEALTH_TIMEOUT: '100ms',
      CUBE_HEALTH_FAILURES: '5',
      CUBE_RESTART_LIMIT: '0',
      CUBE_RESTART_DELAY: '1m30s',
      CUBE_RESTART_DELAY_MAX: '1h',
      CUBE_RECONCILE_INTERVAL: '2s',
      CUBE_HEARTBEAT_TTL: '750ms',
      CUBE_SCHEDULER: 'roundrobin',
      CUBE_DATA_DIR: '/tmp/cube-test',
      CUBE_TOKEN: 's3cret',
    },
  );
  assert.equal(settings.healthIntervalMs, 250);
  assert.equal(settings.healthTimeoutMs, 100);
  assert.equal(settings.healthFailures, 5);
  assert.equal(settings.restartLimit, 0);
  assert.equal(settings.restartDelayMs, 90_000);
  assert.equal(settings.restartDelayMaxMs, 3_600_000);
  assert.equal(settings.reconcileIntervalMs, 2000);
  assert.equal(settings.heartbeatTtlMs, 750);
  assert.equal(settings.scheduler, 'roundrobin');
  assert.equal(settings.dataDir, '/tmp/cube-test');
  assert.equal(settings.token, 's3cret');
  assert.equal(readSettings({}, { CUBE_HEALTH_INTERVAL: '' }).healthIntervalMs, 10_000, 'an empty variable is unset');
});

test('flags override the environment', { timeout: 10_000 }, () => {
  const env = { CUBE_HEALTH_INTERVAL: '5s', CUBE_RESTART_LIMIT: '9', CUBE_TOKEN: 'from-env' };
  const settings = readSettings({ 'health-interval': '250ms', 'restart-limit': '1', token: 'from-flag' }, env);
  assert.equal(settings.healthIntervalMs, 250);
  assert.equal(settings.restartLimit, 1);
  assert.equal(settings.token, 'from-flag');
  assert.equal(readSettings({}, env).healthIntervalMs, 5000, 'without the flag, the variable counts');
  assert.equal(readSettings({ 'restart-delay-max': '20s' }, {}).restartDelayMaxMs, 20_000);
});

test('bad values are refused, naming the variable or flag they came from', { timeout: 10_000 }, () => {
  refuses({}, { CUBE_HEALTH_INTERVAL: '10' }, /^CUBE_HEALTH_INTERVAL: "10" is not a duration; write it like 250ms, 10s or 5m$/);
  refuses({ 'health-interval': 'soon' }, {}, /^--health-interval: "soon" is not a duration/);
  refuses({ 'health-interval': 'soon' }, { CUBE_HEALTH_INTERVAL: '1s' }, /^--health-interval: /);
  refuses({}, { CUBE_RESTART_LIMIT: '-1' }, /^CUBE_RESTART_LIMIT: "-1" is not a whole number ≥ 0$/);
  refuses({}, { CUBE_HEALTH_FAILURES: '1.5' }, /^CUBE_HEALTH_FAILURES: "1\.5" is not a whole number/);
  refuses({ 'restart-limit': 'three' }, {}, /^--restart-limit: "three" is not a whole number/);
  refuses({}, { CUBE_SCHEDULER: 'random' }, /^CUBE_SCHEDULER: "random" is not one of epvm, roundrobin$/);
  refuses({ scheduler: 'random' }, {}, /^--scheduler: "random" is not one of/);
  refuses({}, { CUBE_RESTART_DELAY_MAX: '5 minutes' }, /^CUBE_RESTART_DELAY_MAX: /);
});

test('--volume-root may be given several times, or once comma-separated, or as CUBE_VOLUME_ROOT', { timeout: 10_000 }, () => {
  const worker = settingsFlags(['worker']);
  const roots = (argv: string[], env: NodeJS.ProcessEnv = {}) => volumeRoots(readSettings(parseArgs(argv, worker).flags, env));
  assert.deepEqual(roots(['--volume-root', '/srv/cube', '--volume-root', '/data']), ['/srv/cube', '/data']);
  assert.deepEqual(roots(['--volume-root', '/srv/cube,/data']), ['/srv/cube', '/data']);
  assert.deepEqual(roots(['--volume-root=/srv/cube', '--volume-root', '/data,/mnt']), ['/srv/cube', '/data', '/mnt']);
  assert.deepEqual(roots([], { CUBE_VOLUME_ROOT: '/srv/cube,/data' }), ['/srv/cube', '/data']);
  assert.deepEqual(roots(['--volume-root', '/x'], { CUBE_VOLUME_ROOT: '/srv/cube' }), ['/x'], 'the flags win over the variable');
  assert.deepEqual(roots([]), [], 'none by default');
  assert.throws(() => roots(['--volume-root', '/srv', '--volume-root', 'data']), /^SettingsError: --volume-root: "\/srv,data" is not a list of absolute paths/);
});

test('flagOf turns a variable into its flag', { timeout: 10_000 }, () => {
  assert.equal(flagOf('CUBE_HEALTH_INTERVAL'), '--health-interval');
  assert.equal(flagOf('CUBE_RESTART_DELAY_MAX'), '--restart-delay-max');
  assert.equal(flagOf('CUBE_TOKEN'), '--token');
});

test('settingsHelp mentions every CUBE_ variable, its flag and its default', { timeout: 10_000 }, () => {
  const help = settingsHelp();
  const envs = [...new Set([...specVariables, ...Object.values(settingSpecs).map((spec) => spec.env)])];
  for (const variable of envs) {
    const line = help.split('\n').find((l) => new RegExp(`\\s${variable}\\s`).test(l));
    assert.ok(line, `a line for ${variable}`);
    assert.ok(line.includes(flagOf(variable)), `${variable}'s line names ${flagOf(variable)}`);
    assert.match(line, /\(default .+\)$/, `${variable}'s line gives its default`);
  }
  assert.match(help, /CUBE_HEALTH_INTERVAL .*\(default 10s\)/);
  assert.match(help, /CUBE_TOKEN .*\(default unset\)/);
});
