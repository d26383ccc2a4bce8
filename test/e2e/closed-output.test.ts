// A Cube server whose output nobody reads any more (the terminal closed, the
// pipe's reader gone) goes on serving without spinning on its own failed
// writes, and still stops at once when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { cubeBin } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { post } from '../helpers/http.js';
import { untilEvent } from '../helpers/watch.js';

/** CPU seconds the process has used (user + system), from /proc. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

test('a worker whose stdout and stderr were closed keeps serving, does not spin on EPIPE, and stops on SIGTERM', { timeout: 60_000 }, async (t) => {
  const name = `closed-${nanoid(5).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const child = spawn(process.execPath, [cubeBin, 'worker', '--port', '0', '--name', name], {
    env: { ...process.env, CUBE_DATA_DIR: mkdtempSync(join(tmpdir(), 'cube-closed-')), CUBE_LOG: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(async () => {
    child.kill('SIGKILL');
    await removeContainersOf(name);
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+?)[,\s]/.exec(out);
      if (match) resolve(match[1]!);
    });
  });
  // Whoever read its output is gone.
  child.stdout!.destroy();
  child.stderr!.destroy();

  // It logs a line per task event from now on: every one of them is a write to a closed pipe.
  const id = (await post<{ ID: string }>(`${url}/tasks`, { Task: { Image: 'strm/helloworld-http', Name: `${name}-a` } })).body.ID;
  await untilEvent(url, (type, data) => type === 'task.updated' && data.task.ID === id && data.task.State === 2);
  const before = cpuSeconds(child.pid!);
  await untilEvent(url, (type) => type === 'worker.stats'); // a heartbeat later, it is idle again
  assert.ok(cpuSeconds(child.pid!) - before < 0.5, 'idle, not spinning on its own output');

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const asked = Date.now();
  child.kill('SIGTERM');
  await exited;
  assert.ok(Date.now() - asked < 15_000, `stopped ${Date.now() - asked} ms after SIGTERM`);
});
