// A worker's records live in `worker-<name>.db` in its data dir, and its
// containers carry its name. Started again under another name (another
// --port changes the default name), it would open a new file and never know
// the containers of the old one, which ran on, orphaned and unseen (issue 25).
// So when a worker starts, it looks for the files of other workers in its
// data dir that no process holds and that left tasks running, and says so.
// It does not refuse to start: several workers may share a data dir (one
// host, several ports), and one of them being down is no reason to keep the
// others down; only the person who renamed a worker knows which case it is.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { lastOpener } from './sqlite.js';

export interface FormerWorker {
  /** The name it ran under, as its records say. */
  name: string;
  file: string;
  /** The tasks it left running or starting, by name. */
  tasks: string[];
}

/** Whether the process that last opened `file` (src/store/sqlite.ts writes it beside) still runs. */
function heldByLiveProcess(file: string): boolean {
  const pid = lastOpener(file)?.pid;
  // This process's own files (a worker in a manager's process, or one started before in it) are told by their lock.
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'; // alive, someone else's
  }
}

/** What one file says of the worker that wrote it; undefined when a live process holds it, or it holds nothing running. */
function formerWorker(file: string): FormerWorker | undefined {
  // A running worker's file is not touched at all: not even a read may get in the way of its writes.
  if (heldByLiveProcess(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    // Read-only: a connection that could write would checkpoint the file's WAL when it closes.
    db = new Database(file, { fileMustExist: true, readonly: true });
    db.pragma('busy_timeout = 0'); // a worker holds its file exclusively while it runs: busy means alive
    const rows = db.prepare(`SELECT worker, json_extract(record, '$.Name') AS name FROM tasks WHERE state IN ('running', 'scheduled') ORDER BY seq`).all() as {
      worker: string;
      name: string;
    }[];
    const name = rows.find((row) => row.worker !== '')?.worker;
    return name === undefined ? undefined : { name, file, tasks: rows.map((row) => row.name) };
  } catch {
    return undefined; // held by its worker, or not a store Cube can read: nothing to say of it here
  } finally {
    db?.close();
  }
}

/** The workers whose records in `dataDir` left tasks running, and that no process runs now. */
export function formerWorkers(dataDir: string): FormerWorker[] {
  let entries: string[];
  try {
    entries = readdirSync(dataDir);
  } catch {
    return []; // no data dir yet: nothing ran here
  }
  return entries.filter((entry) => /^worker-.+\.db$/.test(entry)).flatMap((entry) => formerWorker(join(dataDir, entry)) ?? []);
}

/** What a worker says at start of `former`'s records: who left what running, and what to do. */
export function formerWorkerMessage(former: FormerWorker): string {
  const shown = former.tasks.slice(0, 3).join(', ') + (former.tasks.length > 3 ? `, and ${former.tasks.length - 3} more` : '');
  return (
    `this data dir holds the records of worker ${JSON.stringify(former.name)} (${former.file}), which is not running and left ${former.tasks.length} task(s) running (${shown}). ` +
    `Their containers carry its name: no other worker watches them. If this worker is that one under a new name, start it as --name ${former.name}; ` +
    `if that worker is gone for good, stop them: docker rm -f $(docker ps -aq --filter label=cube.worker=${former.name})`
  );
}
