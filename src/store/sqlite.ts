// Opens a SQLite file the way every Cube store wants it: WAL, so readers never
// wait on the writer, and synchronous=NORMAL, which in WAL mode loses nothing
// when the process is killed (only a power cut can cost the last commits).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export function openDatabase(file: string): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
