// Runs `cube ARGS` as a person would: a child process of bin/cube.js (the built
// JavaScript), with no CUBE_MANAGER, CUBE_TOKEN or CUBE_DEBUG unless given.
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cube(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['CUBE_MANAGER', 'CUBE_TOKEN', 'CUBE_DEBUG']) delete childEnv[key];
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/cube.js', ...args], { cwd: root, env: childEnv, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Nothing that looks like a stack trace. */
export const noStack = (r: CliResult) => assert.doesNotMatch(r.stderr + r.stdout, /^\s+at /m, 'no stack trace');
