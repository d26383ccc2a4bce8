// `cube version` and `cube --version`: the package's version and Node's.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** package.json of this checkout: two folders up from src/cli, three from dist/src/cli. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cube' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder up
    }
  }
  return 'unknown';
}

export const cubeVersion = (): { Version: string; Node: string; Platform: string } => ({
  Version: packageVersion(),
  Node: process.version,
  Platform: `${process.platform}/${process.arch}`,
});

export function versionLine(): string {
  const v = cubeVersion();
  return `cube ${v.Version} (node ${v.Node}, ${v.Platform})`;
}
