// The readers of bench/scale.ts's paging phase, in a process of their own so
// that reading many megabytes does not delay the latency probe in the
// benchmark's process. Each of CLIENTS clients reads every task of the
// manager at URL: page by page (MODE `page`: ?limit=LIMIT&continue=…, the
// token from Cube-Continue) or the whole list in one streamed answer (MODE
// `whole`: GET /tasks). It counts the tasks it got, tells its parent it is
// ready, starts on `go`, and sends what it saw when every client is done.
//
//   node --import tsx bench/scale-pagers.ts URL CLIENTS LIMIT page|whole
import { Agent, request } from 'node:http';

const [url, clientsText, limitText, mode] = process.argv.slice(2);
const clients = Number(clientsText);
const limit = Number(limitText);
if (!url || !Number.isInteger(clients) || clients < 1 || !Number.isInteger(limit) || (mode !== 'page' && mode !== 'whole')) {
  throw new Error('usage: scale-pagers.ts URL CLIENTS LIMIT page|whole');
}

const agent = new Agent({ keepAlive: true, maxSockets: clients });
/** A task's first key is its ID (docs/spec.md §1), and no object inside a task starts with one. */
const TASK = Buffer.from('{"ID":"');

function count(body: Buffer): number {
  let found = 0;
  for (let at = body.indexOf(TASK); at >= 0; at = body.indexOf(TASK, at + TASK.length)) found++;
  return found;
}

/** One GET: the tasks in its answer, the next page's token and how long the answer took, in ms. */
function get(path: string): Promise<{ tasks: number; next: string | undefined; ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    const req = request(`${url}${path}`, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered ${res.statusCode}: ${body.toString('utf8', 0, 300)}`));
        const next = res.headers['cube-continue'];
        resolve({ tasks: count(body), next: typeof next === 'string' ? next : undefined, ms: performance.now() - sent, bytes: body.length });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function client(): Promise<{ tasks: number; requests: number; bytes: number; latencies: number[] }> {
  const latencies: number[] = [];
  let [tasks, bytes] = [0, 0];
  let next: string | undefined = '';
  while (next !== undefined) {
    const path: string = mode === 'whole' ? '/tasks' : `/tasks?limit=${limit}${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
    const answer = await get(path);
    latencies.push(answer.ms);
    tasks += answer.tasks;
    bytes += answer.bytes;
    next = mode === 'whole' ? undefined : answer.next;
  }
  return { tasks, requests: latencies.length, bytes, latencies };
}

process.once('message', () => {
  const begin = performance.now();
  void Promise.all(Array.from({ length: clients }, client)).then(
    (results) => {
      agent.destroy();
      process.send!({ seconds: (performance.now() - begin) / 1000, results }, () => process.exit(0));
    },
    (error: Error) => {
      process.send!({ error: error.message }, () => process.exit(1));
    },
  );
});
process.send!('ready');
