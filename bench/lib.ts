// What the benchmarks share: statistics, starting Cube as real processes,
// reading event streams, and writing results next to docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface CubeProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts `cube <args>` and resolves when it prints that it listens. */
export async function startCube(args: string[], env: Record<string, string> = {}): Promise<CubeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-bench-'));
  const child = spawn(process.execPath, [join(root, 'bin/cube.js'), ...args], {
    env: { ...process.env, CUBE_DATA_DIR: dataDir, CUBE_LOG: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`cube ${args.join(' ')} exited with ${code}: ${out}`)));
  });
  return {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Follows a server-sent event stream, calling `onEvent` for each `event:`/`data:` block. */
export async function followEvents(url: string, onEvent: (type: string, data: any) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) onEvent(type, JSON.parse(data));
        }
      }
    } catch {
      // aborted: the benchmark is over
    }
  })();
}

/** Writes a benchmark's result as JSON under docs/benchmarks/, for the report. */
export function saveResult(name: string, result: object): string {
  const dir = join(root, 'docs/benchmarks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), ...result }, null, 2)}\n`);
  return file;
}
