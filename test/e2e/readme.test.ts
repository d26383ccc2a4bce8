// The README's walkthrough, as a person types it, twice in a row against one
// Cube: every command of its `<!-- walkthrough -->` blocks runs in bash, and
// every answer the README shows (`# → …`, where `…` stands for anything) must
// be what the command prints. The second run proves the walkthrough can be
// typed again: nothing in it depends on a fixed ID, name or host port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readEvents } from '../../src/http/sse-client.js';
import { spawnCube } from '../helpers/cube-process.js';
import { docker, removeContainersOf, removeVolumesOf } from '../helpers/docker.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Step {
  command: string;
  /** What the README shows it prints, `…` for anything; undefined when it shows nothing. */
  answer: string | undefined;
}

/** The steps of every walkthrough block, in order. */
export function walkthrough(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const [, block] of markdown.matchAll(/<!-- walkthrough -->\n```sh\n([\s\S]*?)```/g)) {
    for (const line of block!.split('\n')) {
      const arrow = /^# → ?(.*)$/.exec(line);
      const more = /^# {3,}(.*)$/.exec(line);
      const last = steps.at(-1);
      if (arrow && last) last.answer = arrow[1] ?? '';
      else if (more && last?.answer !== undefined) last.answer += more[1] ?? '';
      else if (line.trim() !== '' && !line.startsWith('#')) steps.push({ command: line, answer: undefined });
    }
  }
  return steps;
}

/** `…` is anything; whitespace does not count (tables align by the widest cell, which differs). */
const matcher = (answer: string) =>
  new RegExp(
    `^${answer
      .replace(/\s+/g, '')
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*?')}$`,
    's',
  );

function bash(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

test('the README walkthrough works twice in a row, and shows what the commands print', { timeout: 360_000 }, async (t) => {
  // The walkthrough's volume, when a run that was killed left it: this worker would mount it but not list it as its own.
  const left = await docker
    .getVolume('notes')
    .inspect()
    .catch(() => undefined);
  if (left?.Labels?.['cube.worker']) await docker.getVolume('notes').remove({ force: true });
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0'], {
    CUBE_STORE: 'memory',
    CUBE_HEALTH_INTERVAL: '100ms',
    CUBE_HEALTH_TIMEOUT: '500ms',
    CUBE_RESTART_DELAY: '50ms',
    CUBE_RESTART_DELAY_MAX: '200ms',
  });
  const managerPort = new URL(cube.url).port;
  const worker = /worker (\S+) listening on http:\/\/(\S+?);/.exec(cube.output())!;
  const workerPort = worker[2]!.split(':')[1]!;
  t.after(async () => {
    await cube.stop('SIGKILL');
    await removeContainersOf(worker[1]!);
    await removeVolumesOf(worker[1]!);
  });
  assert.equal(worker[1], worker[2], "the worker's default name is its address, as the README shows");

  // A person who sees an older answer looks again after something changed: so does this test
  // (and at least every 2 s, for what the manager does not report, like a container's output).
  const controller = new AbortController();
  t.after(() => controller.abort());
  const stream = readEvents((await fetch(`${cube.url}/events`, { signal: controller.signal })).body!);
  let pending = stream.next();
  const somethingChanged = async () => {
    let timer: NodeJS.Timeout | undefined;
    const changed = await Promise.race([pending.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2000)))]);
    clearTimeout(timer);
    if (changed) pending = stream.next();
  };

  const here = (text: string) => text.replaceAll('localhost:5556', `localhost:${managerPort}`).replaceAll('127.0.0.1:5555', `127.0.0.1:${workerPort}`);
  const steps = walkthrough(readFileSync(`${root}README.md`, 'utf8'));
  assert.ok(steps.length >= 15, `the walkthrough has its steps: ${steps.length}`);
  assert.ok(steps.filter((s) => s.answer !== undefined).length >= 10, 'and shows their answers');

  for (const round of [1, 2]) {
    const vars: Record<string, string> = {};
    for (const step of steps) {
      const command = here(step.command);
      const env: NodeJS.ProcessEnv = { ...process.env, ...vars, CUBE_MANAGER: `127.0.0.1:${managerPort}` };
      delete env['CUBE_TOKEN'];
      const assignment = /^(\w+)=\$\((.*)\)\s*(#.*)?$/.exec(command);
      if (assignment) {
        const result = await bash(assignment[2]!, env);
        assert.equal(result.code, 0, `round ${round}: ${command}\n${result.stderr}`);
        vars[assignment[1]!] = result.stdout.trim();
        assert.match(vars[assignment[1]!]!, /^\S+$/, `round ${round}: ${command} gives one word`);
        continue;
      }
      const expected = step.answer === undefined ? undefined : matcher(here(step.answer));
      const deadline = Date.now() + 60_000;
      for (;;) {
        const result = await bash(command, env);
        const shown = result.stdout.replace(/\s+/g, '');
        if (result.code === 0 && (!expected || expected.test(shown))) break;
        if (Date.now() > deadline) {
          assert.fail(`round ${round}: ${command}\nexit ${result.code}\nprinted: ${result.stdout}\n${result.stderr}\nthe README shows: ${step.answer}`);
        }
        await somethingChanged();
      }
    }
  }
});
