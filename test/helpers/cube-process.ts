// Runs `cube` commands as real processes, the way people run them, and reads
// the address they print once they listen.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cubeBin = fileURLToPath(new URL('../../bin/cube.js', import.meta.url));
const tether = new URL('./tether.mjs', import.meta.url).href;

export interface CubeProcess {
  child: ChildProcess;
  /** The first address it printed: the manager's for `start` and `manager`. */
  url: string;
  output(): string;
  /** Stops it (SIGTERM, or the signal given) and resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnCube(args: string[], env: Record<string, string> = {}): Promise<CubeProcess> {
  const child = spawn(process.execPath, ['--import', tether, cubeBin, ...args], {
    env: { ...process.env, CUBE_DATA_DIR: mkdtempSync(join(tmpdir(), 'cube-proc-')), CUBE_LOG: '1', ...env },
    // stdin is the tether (tether.mjs): it closes when this process is gone, and the child follows.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /listening on (https?:\/\/\S+?)[,\s]/.exec(out);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`cube ${args.join(' ')} exited with ${code}:\n${out}`)));
  });
  return {
    child,
    url,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Reads what a process prints, in order: each call resolves with the first
 * line matching `pattern` after the line the call before found. Reacts to the
 * process's output; never polls.
 */
export function printed(proc: CubeProcess) {
  let from = 0;
  return (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const look = () => {
        const lines = proc.output().split('\n');
        const at = lines.findIndex((l, i) => i >= from && pattern.test(l));
        if (at < 0) return false;
        from = at + 1;
        proc.child.stdout!.off('data', look);
        proc.child.stderr!.off('data', look);
        resolve(lines[at]!);
        return true;
      };
      if (look()) return;
      proc.child.stdout!.on('data', look);
      proc.child.stderr!.on('data', look);
      proc.child.once('exit', () => reject(new Error(`exited before printing ${pattern}:\n${proc.output()}`)));
    });
}
