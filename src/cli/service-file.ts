// The file of `cube service create -f FILE` and `cube service update NAME -f
// FILE`: a service as docs/spec.md §9 has it ({"Name", "Count", "Task",
// "Update", "ShutdownDelay"}), sent as it is: the manager checks it, and its
// refusal names the key (and here the file).
import { readJsonObject, type FileKind } from './json-file.js';

const serviceFile: FileKind = {
  what: 'service',
  example: 'a service like {"Name": "web", "Count": 3, "Task": {"Image": "strm/helloworld-http"}}',
};

/** The service definition in the file at `path` ("-": standard input), and the file's name for messages. */
export function readServiceFile(path: string): { definition: Record<string, unknown>; source: string } {
  return { definition: readJsonObject(path, serviceFile), source: path === '-' ? 'standard input' : path };
}
