// The task file of `cube run -f FILE`: a TaskEvent as docs/spec.md §1 shows it
// ({"ID": …, "State": 2, "Task": {…}}), or a bare Task ({"Image": …}) that is
// wrapped as {"Task": …}. Reading it and its errors are src/cli/json-file.ts's.
import { parseJsonObject, readJsonObject, type FileKind } from './json-file.js';

const taskFile: FileKind = { what: 'task', example: 'a task like {"Task": {"Image": "strm/helloworld-http"}}' };

const asEvent = (object: Record<string, unknown>) => ('Task' in object ? object : { Task: object });

/** The TaskEvent to POST, from the text of a task file named `name`. */
export function parseTaskFile(text: string, name: string): Record<string, unknown> {
  return asEvent(parseJsonObject(text, name, taskFile));
}

/** Reads and parses the task file; "-" is standard input. */
export function readTaskFile(path: string): Record<string, unknown> {
  return asEvent(readJsonObject(path, taskFile));
}
