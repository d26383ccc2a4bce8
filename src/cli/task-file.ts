// The task file of `cube run -f FILE`: a TaskEvent as docs/spec.md §1 shows it
// ({"ID": …, "State": 2, "Task": {…}}), or a bare Task ({"Image": …}) that is
// wrapped as {"Task": …}. "-" reads standard input. Every problem is a
// UsageError that names the file, so `cube run` exits 2 with one line.
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';

const reasons: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The TaskEvent to POST, from the text of a task file named `name`. */
export function parseTaskFile(text: string, name: string): Record<string, unknown> {
  if (text.trim() === '') throw new UsageError(`task file ${name} is empty; it should hold a task like {"Task": {"Image": "strm/helloworld-http"}}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`task file ${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `task file ${name} should hold one JSON object, a task like {"Task": {"Image": "strm/helloworld-http"}}, not ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`,
    );
  }
  const object = value as Record<string, unknown>;
  return 'Task' in object ? object : { Task: object };
}

/** Reads and parses the task file; "-" is standard input. */
export function readTaskFile(path: string): Record<string, unknown> {
  const name = path === '-' ? 'standard input' : JSON.stringify(path);
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new UsageError(`cannot read task file ${name}: ${reasons[code] ?? (error as Error).message}`);
  }
  return parseTaskFile(text, name);
}
