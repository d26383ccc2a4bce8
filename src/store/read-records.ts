// Records read back at start are checked like any other input
// (src/task/reports.ts): a row that is not a task (a damaged file, a hand
// edit) is left on disk untouched and named in the log, and the rest is
// served, rather than one bad row keeping a worker or manager from starting.
import type { Log } from '../log.js';
import { readTask } from '../task/reports.js';
import type { Task } from '../vocabulary/task.js';

export function readRecords<Row extends { id: string; record: string }>(rows: Row[], file: string, log: Log): (Row & { task: Task })[] {
  const read: (Row & { task: Task })[] = [];
  for (const row of rows) {
    try {
      read.push({ ...row, task: readTask(JSON.parse(row.record), `record of task ${row.id}`) });
    } catch (error) {
      log(`${file}: skipped the record of task ${row.id}, which is not a task record (${(error as Error).message}); it is left in the file`);
    }
  }
  return read;
}
