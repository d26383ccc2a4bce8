// Reads a store's Completed tasks as DoneTasks, packed (machines/done-tasks.ts):
// SQLite joins each row's columns and the rows into one string per chunk of
// rows, so a start with 50,000 finished tasks makes a few strings, not
// 300,000. The columns are the ones the store writes beside each record
// (src/store/record-columns.ts).
import { DoneTasks, PACKED } from '../../machines/done-tasks.js';
import type { DoneTask } from '../vocabulary/retention.js';
import { DONE_COLUMNS, DONE_SELECT } from './record-columns.js';
import type { SqliteDatabase } from './sqlite.js';

/** Rows per packed string: far below the longest string V8 makes, whatever the names' lengths. */
const CHUNK_ROWS = 65_536;

const code = (separator: string) => `char(${separator.charCodeAt(0)})`;
const columns = PACKED.fields.map((f) => `ifnull(${DONE_COLUMNS[f]}, '')`);
/**
 * A row with a separator in a column cannot be packed; it is read as an
 * object. Only a worker's name is free text: IDs, placements and times are
 * checked when they come in, and a version is a number.
 */
const packable = `instr(ifnull(worker, ''), ${code(PACKED.field)}) = 0 AND instr(ifnull(worker, ''), ${code(PACKED.row)}) = 0`;

/** The Completed tasks of `tasks` rows that match `where` (an SQL condition); nothing relies on their order. */
export function readDone(db: SqliteDatabase, where: string, chunkRows = CHUNK_ROWS): DoneTasks {
  const chunk = db.prepare(
    `SELECT count(*) AS n, max(seq) AS last, group_concat(${columns.join(` || ${code(PACKED.field)} || `)}, ${code(PACKED.row)}) AS text
     FROM (SELECT seq, ${Object.values(DONE_COLUMNS).join(', ')} FROM tasks WHERE (${where}) AND ${packable} AND seq > ? ORDER BY seq LIMIT ${chunkRows})`,
  );
  const done = new DoneTasks();
  for (let after = 0; ;) {
    const { n, last, text } = chunk.get(after) as { n: number; last: number | null; text: string | null };
    if (n === 0 || last === null || text === null) break;
    const added = done.addPacked(text);
    if (added !== n) throw new Error(`packed ${n} Completed tasks, read back ${added}`);
    after = last;
  }
  const rest = db.prepare(`SELECT ${DONE_SELECT} FROM tasks WHERE (${where}) AND NOT (${packable}) ORDER BY seq`).all() as DoneTask[];
  for (const task of rest) done.set(task.ID, task);
  return done;
}
