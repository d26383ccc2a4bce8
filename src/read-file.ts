// Files Cube reads at start (its cluster-id, the TLS certificates and keys)
// are read with a cap, CUBE_RECORD_MAX: a file that is not what it should be
// (a log written over a key, a copy of the wrong thing) is refused unread
// instead of holding the process for as long as reading it takes.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { settingSpecs } from './config/settings.js';

/** The cap of CUBE_RECORD_MAX where no settings are at hand (the cube command, a TLS client, a store made by a tool). */
export const DEFAULT_RECORD_MAX = Number(settingSpecs.recordMax.default);

export class FileTooLarge extends Error {
  override name = 'FileTooLarge';
  constructor(path: string, size: number, max: number) {
    super(`${path} is ${size} bytes, more than CUBE_RECORD_MAX (${max}): it is not the file Cube expects there`);
  }
}

/** The file's bytes; a FileTooLarge, without reading it, when it is larger than `max`. */
export function readCappedFile(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > max) throw new FileTooLarge(path, size, max);
    const bytes = Buffer.alloc(size);
    let read = 0;
    // Only what it held when asked: a file that grows meanwhile is not followed.
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
