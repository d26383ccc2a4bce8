// Opens a SQLite file the way every Cube store wants it:
// - WAL, with synchronous=NORMAL, which loses nothing when the process is
//   killed (only a power cut can cost the last commits);
// - locked for this process alone (locking_mode=EXCLUSIVE, taken at open and
//   held until close): a second Cube on the same data dir refuses to start
//   instead of writing the same file, and the kernel lets go of the lock when
//   a process dies, even by kill -9;
// - busy_timeout 0: nothing else can hold the lock, and the event loop must
//   never wait on one; a write that cannot be made fails at once and is
//   answered 503 (src/store/write-behind.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { readCappedFile } from '../read-file.js';

export type SqliteDatabase = Database.Database;

/** Another process holds the file: says which, and what to do. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
}

/** The process that last opened `file`, as it wrote itself in `<file>.pid`; undefined when there is none to read. */
export function lastOpener(file: string): { pid: number; command: string } | undefined {
  try {
    const [pid, command] = readCappedFile(`${file}.pid`, 4096).toString('utf8').split('\n');
    return { pid: Number(pid), command: command ?? '' };
  } catch {
    return undefined;
  }
}

const holderOf = (file: string): string => {
  const opener = lastOpener(file);
  return opener ? `pid ${opener.pid}${opener.command ? ` (${opener.command})` : ''}` : 'another process';
};

export function openDatabase(file: string): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StoreLockedError(
        `${file} is in use by ${holderOf(file)}: two Cube processes cannot share one state file. Stop the other one, or give this one its own CUBE_DATA_DIR`,
      );
    }
    throw error;
  }
  writeFileSync(`${file}.pid`, `${process.pid}\n${process.argv.slice(1).join(' ')}\n`);
  return db;
}
