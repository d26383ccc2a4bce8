// The identity of a Cube installation: made at its first start and kept in the
// data dir, so every start of every process on that dir (manager, workers)
// labels its containers the same, and a second installation on the same
// Docker engine (another data dir) never touches them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customAlphabet } from 'nanoid';

const FILE = 'cluster-id';
const FORMAT = /^[a-z0-9]{12}$/;
const newId = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 12);

/** The installation's identity in `dataDir`, made on first use; `null` for a Cube that keeps no state (a new one each start). */
export function clusterId(dataDir: string | null): string {
  if (dataDir === null) return newId();
  const file = join(dataDir, FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (FORMAT.test(id)) return id;
    throw new Error(
      `${file} holds ${JSON.stringify(id.slice(0, 40))}, not a cluster id (12 lowercase letters or digits); restore it from a backup, or remove it to start a new installation whose containers Cube will not adopt`,
    );
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const id = newId();
  try {
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch (error) {
    // Another process on the same dir made it first: use theirs.
    if ((error as { code?: string }).code === 'EEXIST') return clusterId(dataDir);
    throw error;
  }
}
