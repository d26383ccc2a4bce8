// Shell completion as people get it: bash's completion function called as bash
// calls it, and a real interactive zsh in tmux, typed into. Commands, flags,
// flag values with a known set, files, and task IDs and service names asked
// of a real manager; the commands of cube service and their own flags.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nanoid } from 'nanoid';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { Task } from '../../src/vocabulary/task.js';
import { root } from '../helpers/cube-cli.js';
import { post } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';

const exec = promisify(execFile);
const cubeBin = join(root, 'bin', 'cube.js');

/** A manager whose only worker is nowhere: its tasks wait, Pending, with their IDs. */
async function managerWithTasks(t: TestContext) {
  const manager = await startManager({ port: 0, workers: ['127.0.0.1:9'], settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const ids: string[] = [];
  for (const name of ['first', 'second'])
    ids.push((await post<Task>(`${manager.url}/tasks`, { Task: { Name: `${name}-${nanoid(4)}`, Image: 'strm/helloworld-http' } })).body.ID);
  /** Services too (after the IDs are checked: their copies are tasks). */
  const withServices = async () => {
    const services: string[] = [];
    for (const name of ['api', 'web']) {
      services.push(
        `${name}-${nanoid(4)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`,
      );
      await post(`${manager.url}/services`, { Name: services.at(-1), Count: 1, Task: { Image: 'strm/helloworld-http' } });
    }
    return services;
  };
  return { address: manager.url.replace('http://', ''), ids, withServices };
}

/** What bash's completion offers for the words typed so far (the last one is being completed). */
async function bashCompletes(words: string[], env: Record<string, string> = {}): Promise<string[]> {
  const script = `source <(${cubeBin} completion bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _cube; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await exec('bash', ['-c', script], { cwd: root, env: { ...process.env, ...env } });
  return stdout.split('\n').filter(Boolean);
}

test(
  "bash completes commands, flags, known values, files, task IDs and service names; cube service's commands and their flags",
  { timeout: 60_000 },
  async (t) => {
    assert.deepEqual(await bashCompletes([cubeBin, 'st']), ['start', 'stop', 'status']);
    assert.deepEqual(await bashCompletes([cubeBin, 'status', '--st']), ['--state']);
    assert.deepEqual(await bashCompletes([cubeBin, 'status', '--state', 'r']), ['running', 'restarting']);
    assert.deepEqual(await bashCompletes([cubeBin, 'status', '-o', '']), ['table', 'json']);
    assert.deepEqual((await bashCompletes([cubeBin, 'run', '-f', 'docs/examples/he'])).sort(), ['docs/examples/healthy.json', 'docs/examples/hello.json']);
    assert.deepEqual(await bashCompletes([cubeBin, 'worker', '--sch']), [], 'a manager setting is not offered to a worker');
    assert.deepEqual(await bashCompletes([cubeBin, 'manager', '--sch']), ['--scheduler']);
    assert.deepEqual(await bashCompletes([cubeBin, 'completion', '']), ['bash', 'zsh']);
    assert.deepEqual(await bashCompletes([cubeBin, 'service', 'r']), ['rollback', 'rm']);
    assert.deepEqual(await bashCompletes([cubeBin, 'service', 'ps', '--a']), ['--all'], 'a command of a group has its own flags');
    assert.deepEqual(await bashCompletes([cubeBin, 'service', 'rm', '--a']), [], "and no other command's");
    assert.deepEqual((await bashCompletes([cubeBin, 'service', 'update', 'web', '-f', 'docs/examples/he'])).sort(), [
      'docs/examples/healthy.json',
      'docs/examples/hello.json',
    ]);

    const { address, ids, withServices } = await managerWithTasks(t);
    assert.deepEqual(await bashCompletes([cubeBin, 'logs', '-m', address, '']), ids, 'the IDs, from the manager named by -m');
    assert.deepEqual(await bashCompletes([cubeBin, 'stop', ''], { CUBE_MANAGER: address }), ids, 'or by CUBE_MANAGER');
    assert.deepEqual(await bashCompletes([cubeBin, 'events', '--task', ids[1]!.slice(0, 6)], { CUBE_MANAGER: address }), [ids[1]]);
    const services = await withServices();
    assert.deepEqual(
      (await bashCompletes([cubeBin, 'service', 'scale', '-m', address, ''])).sort(),
      services,
      "a service's name where a command of cube service takes one",
    );
    assert.deepEqual(await bashCompletes([cubeBin, 'service', 'ps', services[1]!.slice(0, 5)], { CUBE_MANAGER: address }), [services[1]]);
  },
);

test('zsh, typed into in tmux, completes commands, values and task IDs', { timeout: 60_000 }, async (t) => {
  const { address, ids } = await managerWithTasks(t);
  const home = mkdtempSync(join(tmpdir(), 'cube-zsh-'));
  const bin = join(home, 'bin');
  await exec('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'cube'), `#!/bin/sh\nexec ${process.execPath} ${cubeBin} "$@"\n`);
  chmodSync(join(bin, 'cube'), 0o755);
  writeFileSync(join(home, '.zshrc'), `PATH=${bin}:$PATH\nexport CUBE_MANAGER=${address}\nsource <(cube completion zsh)\nPS1='ready> '\n`);
  const socket = `cube-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args], { env: { ...process.env, ZDOTDIR: home, TERM: 'xterm' } });
  await tmux('new-session', '-d', '-x', '160', '-y', '40', 'zsh');
  t.after(() => tmux('kill-server').catch(() => undefined));

  /** The screen, once it shows `pattern` (a terminal has no event to wait on: it is looked at until then, for at most 15 s). */
  const screen = async (pattern: RegExp) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { stdout } = await tmux('capture-pane', '-p');
      if (pattern.test(stdout)) return stdout;
      if (Date.now() > deadline) assert.fail(`the screen never showed ${pattern}:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const type = async (text: string) => tmux('send-keys', '-t', '0', '-l', text);
  const tab = () => tmux('send-keys', '-t', '0', 'Tab');
  const clear = () => tmux('send-keys', '-t', '0', 'C-u');

  await screen(/^ready>$/m); // tmux leaves out the spaces that end a line
  await type('cube sta');
  await tab();
  const listed = await screen(/^ready> cube sta\n.*\bstart\b/m); // two match: zsh lists them under the line
  assert.match(listed, /^start +status$/m);
  assert.doesNotMatch(listed, /\bstop\b/);
  await clear();
  await type('cube res');
  await tab();
  await screen(/^ready> cube restart$/m);
  await clear();

  await type('cube status --state resta');
  await tab();
  await screen(/^ready> cube status --state restarting$/m);
  await clear();

  await type(`cube logs ${ids[1]!.slice(0, 5)}`);
  await tab();
  await screen(new RegExp(`^ready> cube logs ${ids[1]!.replace(/[-_]/g, '.')}$`, 'm'));
});
