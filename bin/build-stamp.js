// What dist/ was built from: every file under src/ and machines/, and the
// settings tsc reads, with its size and modification time. Shared by scripts/build.mjs, which writes the stamp,
// and bin/cube.js, which checks it before running the built code. Only stat
// calls, no reading: the check costs about a millisecond.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP = 'dist/stamp.json';
const ROOTS = ['src', 'machines'];
/** Files outside ROOTS that change what tsc makes of them. */
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** Every source file, relative to `root`, sorted. */
export function sourceFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(path);
    }
  };
  for (const dir of ROOTS) walk(dir);
  return [...found.sort(), ...SETTINGS.filter((file) => existsSync(join(root, file)))];
}

/** `{ path: "size:mtime" }` for the given files. */
export function stampOf(root, files) {
  const stamp = {};
  for (const file of files) {
    const { size, mtimeMs } = statSync(join(root, file));
    stamp[file] = `${size}:${Math.floor(mtimeMs)}`;
  }
  return stamp;
}

/** Why dist/ cannot be used as it is, or undefined when it matches the sources. */
export function staleBuild(root) {
  let built;
  try {
    built = JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return 'there is no build in dist/';
  }
  const now = stampOf(root, sourceFiles(root));
  for (const [file, mark] of Object.entries(now)) {
    if (built[file] === undefined) return `${file} is new since the last build`;
    if (built[file] !== mark) return `${file} changed since the last build`;
  }
  for (const file of Object.keys(built)) if (now[file] === undefined) return `${file} was removed since the last build`;
  return undefined;
}
