// No circle in the import graph of src/ and machines/, at any scale: between
// files, and between the rooms of every folder, where a room is one of its
// files or one of its subfolders with everything below it (docs/architecture.md
// §5). So a folder's subfolders stand in layers, and nothing below imports
// back up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

const files = [...sources('src'), ...sources('machines')];
const known = new Set(files);

/** The files of src/ and machines/ that `file` imports (comments and strings aside). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => normalize(join(dirname(file), name)))
    .map((path) => (path.endsWith('.js') && known.has(`${path.slice(0, -3)}.ts`) ? `${path.slice(0, -3)}.ts` : path))
    .filter((path) => known.has(path));
}

const edges = files.flatMap((file) => importsOf(file).map((to) => [file, to] as const));

/** The circles (strongly connected parts of more than one node) of a graph. */
function circles(nodes: string[], arrows: (readonly [string, string])[]): string[][] {
  const next = new Map(nodes.map((n) => [n, [] as string[]]));
  for (const [from, to] of arrows) if (from !== to) next.get(from)!.push(to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const to of next.get(node)!) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (stack.includes(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const part: string[] = [];
    for (let member = ''; member !== node;) part.push((member = stack.pop()!));
    if (part.length > 1) found.push(part.sort());
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

test('no file imports itself back through others', { timeout: 10_000 }, () => {
  assert.deepEqual(circles(files, edges), []);
});

test('in every folder, its files and subfolders import each other in one direction only', { timeout: 10_000 }, () => {
  // machines/ stands among the folders of src/: above src/vocabulary/, below what supplies its effects.
  const folders = new Set(
    files.flatMap((file) =>
      dirname(file)
        .split('/')
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  for (const folder of folders) {
    const top = folder === 'src';
    const inside = (path: string) => path.startsWith(`${folder}/`) || (top && path.startsWith('machines/'));
    /** The room of `path` in `folder`: its file there, or the subfolder it is in. */
    const room = (path: string) => {
      if (top && path.startsWith('machines/')) return 'machines/';
      const [first, ...deeper] = path.slice(folder.length + 1).split('/');
      return deeper.length === 0 ? path : `${folder}/${first}/`;
    };
    const arrows = edges.filter(([from, to]) => inside(from) && inside(to)).map(([from, to]) => [room(from), room(to)] as const);
    const rooms = [...new Set(arrows.flat())];
    assert.deepEqual(circles(rooms, arrows), [], `the rooms of ${folder}/`);
  }
});
