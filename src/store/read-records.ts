// Records read back at start are checked like any other input
// (src/task/reports.ts): a row that is not a task (a damaged file, a hand
// edit) is left on disk untouched and named in the log, and the rest is
// served, rather than one bad row keeping a worker or manager from starting.
// A record larger than CUBE_RECORD_MAX is not parsed at all: a task is a few
// KB, and parsing megabytes would hold the process for as long.
import type { Log } from '../log.js';
import { readTask } from '../task/reports.js';
import type { Task } from '../vocabulary/task.js';

/** A stored record's JSON; larger than `max` bytes, an error that says so, without parsing it. */
export function parseRecord(text: string | Uint8Array, max: number): unknown {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (size > max) throw new Error(`it is ${size} bytes, more than CUBE_RECORD_MAX (${max})`);
  return JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
}

export function readRecords<Row extends { id: string; record: string }>(rows: Row[], file: string, log: Log, max: number): (Row & { task: Task })[] {
  const read: (Row & { task: Task })[] = [];
  for (const row of rows) {
    try {
      read.push({ ...row, task: readTask(parseRecord(row.record, max), `record of task ${row.id}`) });
    } catch (error) {
      log(`${file}: skipped the record of task ${row.id}, which is not a task record (${(error as Error).message}); it is left in the file`);
    }
  }
  return read;
}
