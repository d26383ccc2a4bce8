// The JSON file a command reads with -f FILE (`cube run`'s task, `cube service
// create`'s service): one object; "-" reads standard input. Every problem is a
// UsageError that names the file and says what it should hold, so the command
// exits 2 with one line.
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';

/** What the file holds, for the messages: "task", and an example of one. */
export interface FileKind {
  what: string;
  /** "a task like {…}": what the file should hold. */
  example: string;
}

const reasons: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The object in the text of a file named `name` (quoted, or "standard input"). */
export function parseJsonObject(text: string, name: string, kind: FileKind): Record<string, unknown> {
  if (text.trim() === '') throw new UsageError(`${kind.what} file ${name} is empty; it should hold ${kind.example}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${kind.what} file ${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `${kind.what} file ${name} should hold one JSON object, ${kind.example}, not ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Reads and parses the file at `path`; "-" is standard input. */
export function readJsonObject(path: string, kind: FileKind): Record<string, unknown> {
  const name = path === '-' ? 'standard input' : JSON.stringify(path);
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new UsageError(`cannot read ${kind.what} file ${name}: ${reasons[code] ?? (error as Error).message}`);
  }
  return parseJsonObject(text, name, kind);
}
