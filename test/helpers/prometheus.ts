// A real Prometheus (Debian's package; scripts/prometheus-up.sh installs it)
// for the tests of GET /metrics: its config and storage in a temp dir, bound to
// a free loopback port, scraping the targets given every second. Queries go
// through its HTTP API, as a dashboard's or an alert rule's would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './etcd.js';

export interface ScrapeJob {
  name: string;
  /** host:port of each target. */
  targets: string[];
}

export interface RunningPrometheus {
  url: string;
  /** The result of an instant query: one entry a series, its labels and value. */
  query(expression: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  output(): string;
  stop(): Promise<void>;
}

/** The config: every job scraped every second, with the bearer token when there is one. */
function config(jobs: ScrapeJob[], token: string | undefined): string {
  const lines = ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:'];
  for (const job of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job.name)}`);
    if (token !== undefined) lines.push('    authorization:', `      credentials: ${JSON.stringify(token)}`);
    lines.push('    static_configs:', `      - targets: ${JSON.stringify(job.targets)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(jobs: ScrapeJob[], token?: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'cube-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config(jobs, token));
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready once it says so in the log (it has read its config and opened its storage).
  await new Promise<void>((resolve, reject) => {
    const look = () => {
      if (out.includes('Server is ready to receive web requests')) resolve();
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`prometheus exited with ${code}:\n${out}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return {
    url,
    output: () => out,
    stop,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${expression}: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  };
}

/** Asks `expression` until `done` holds for its result, at most `timeoutMs`; the last result says what it was instead. */
export async function untilQuery(
  prometheus: RunningPrometheus,
  expression: string,
  done: (result: { metric: Record<string, string>; value: number }[]) => boolean,
  timeoutMs = 30_000,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await prometheus.query(expression);
    if (done(result)) return result;
    if (Date.now() > deadline) throw new Error(`Prometheus: ${expression} did not hold within ${timeoutMs} ms; last: ${JSON.stringify(result)}`);
    // Prometheus scrapes every second: ask again at the pace it learns.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
