// `cube status -m FOLLOWER` on an HA cluster of 2,500 tasks (issue 23): the
// follower used to drop Cube-Continue from the leader's pages, and the command
// listed the first 1,000 tasks and said nothing. Now it lists every task; and
// a page that lost Cube's headers on its way (a proxy that drops them) ends
// the command with exit 1 and a message, not a list cut short. Real etcd, real
// `cube manager` processes, the real `cube` command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { nanoid } from 'nanoid';
import { cubeBin, spawnCube } from '../helpers/cube-process.js';
import { leaderOf, managerEnvOn, startEtcd } from '../helpers/etcd.js';
import { post } from '../helpers/http.js';

const run = promisify(execFile);

/** `cube ARGS`: its exit code and output. */
async function cube(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cubeBin, ...args], { maxBuffer: 64 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test(
  'cube status -m FOLLOWER lists every task of 2,500, following Cube-Continue; a page without Cube headers fails loudly',
  { timeout: 180_000 },
  async (t) => {
    const etcd = await startEtcd(1);
    t.after(() => etcd.stop());
    const settings = managerEnvOn(etcd, {
      CUBE_ETCD_TIMEOUT: '2s',
    });
    const managers = [await spawnCube(['manager', '--port', '0'], settings), await spawnCube(['manager', '--port', '0'], settings)];
    t.after(() => Promise.all(managers.map((m) => m.stop('SIGKILL'))));
    const leader = await leaderOf(managers.map((m) => m.url));
    const follower = managers.find((m) => m.url !== leader)!.url;

    // No worker: the tasks wait, Pending, and are listed all the same.
    const run = nanoid(5);
    const ids: string[] = [];
    for (let batch = 0; batch < 25; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => post<{ ID: string }>(`${leader}/tasks`, { Task: { Name: `p-${run}-${batch}-${i}`, Image: 'img' } })),
      );
      for (const answer of answers) {
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        ids.push(answer.body.ID);
      }
    }

    const listed = await cube('status', '-q', '-m', follower);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2500);
    assert.deepEqual(lines.sort(), ids.sort(), 'every task, once');

    // A proxy in front of the follower that passes the answers without Cube's headers.
    const pass = async (url: string, res: ServerResponse) => {
      const answer = await fetch(`${follower}${url}`);
      const headers = Object.fromEntries([...answer.headers].filter(([name]) => !name.startsWith('cube-') && name !== 'content-length'));
      res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
    };
    const proxy = createServer((req, res) => void pass(req.url!, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const cut = await cube('status', '-q', '-m', `127.0.0.1:${(proxy.address() as { port: number }).port}`);
    assert.equal(cut.code, 1);
    assert.equal(cut.stdout, '', 'no list at all rather than a short one');
    assert.match(
      cut.stderr,
      /^cube status: GET http:\/\/127\.0\.0\.1:\d+\/tasks\?limit=1000 answered without Cube's headers \(Cube-Version, Cube-Continue\), so whether more tasks follow is unknown/,
    );
  },
);
