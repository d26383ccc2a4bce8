// The columns a store keeps beside each task record (its JSON): a Completed
// task is read back by them alone, as a DoneTask, without parsing its record
// (machines/done-tasks.ts). The manager's and the worker's stores both keep
// them, and a file written before they existed gets them at open.
import type { DoneTask } from '../vocabulary/retention.js';
import { stateNames } from '../vocabulary/task.js';
import type { SqliteDatabase } from './sqlite.js';

/** The columns, in the order the stores write them; each holds the record's key of the same place in RECORD_KEYS. */
export const RECORD_COLUMNS = ['state', 'worker', 'placement', 'submit_time', 'finish_time', 'version'] as const;
const RECORD_KEYS = ['StateName', 'Worker', 'Placement', 'SubmitTime', 'FinishTime', 'Version'] as const;

/** Every StateName but Completed, as an SQL list for the `state` column: the records a store reads at start. */
export const LIVE_STATES = stateNames
  .filter((name) => name !== 'completed')
  .map((name) => `'${name}'`)
  .join(', ');

/** The column each key of a DoneTask is read from. */
export const DONE_COLUMNS: Record<keyof DoneTask, string> = {
  ID: 'id',
  Worker: 'worker',
  Placement: 'placement',
  SubmitTime: 'submit_time',
  FinishTime: 'finish_time',
  Version: 'version',
};

/** A DoneTask's columns as an SQL select list, each named as its key. */
export const DONE_SELECT = Object.entries(DONE_COLUMNS)
  .map(([key, column]) => `${column} AS ${key}`)
  .join(', ');

/** Adds the record's columns to a tasks table that lacks them. */
export function addRecordColumns(db: SqliteDatabase): void {
  const present = new Set((db.prepare('PRAGMA table_info(tasks)').all() as { name: string }[]).map((c) => c.name));
  const missing = RECORD_COLUMNS.filter((c) => !present.has(c));
  if (missing.length === 0) return;
  db.transaction(() => {
    for (const column of missing) db.exec(`ALTER TABLE tasks ADD COLUMN ${column} ${column === 'version' ? 'INTEGER' : 'TEXT'}`);
    // A row that is not JSON keeps NULLs: it is read (and named in the log) with the live records.
    const sets = RECORD_COLUMNS.map((c, i) => `${c} = json_extract(record, '$.${RECORD_KEYS[i]}')`).join(', ');
    db.exec(`UPDATE tasks SET ${sets} WHERE json_valid(record)`);
  })();
}
