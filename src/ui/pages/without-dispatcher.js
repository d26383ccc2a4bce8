// @ts-check
// The task machine's Mermaid text without its restore dispatcher, which the
// diagram leaves out unless "restore paths (boot)" is ticked.

/**
 * The machine without its restore dispatcher: a top-level initial state that
 * is left only by eventless `always` transitions (the task's `boot`, which
 * sends a task restored from disk to the state it was in). Its seven edges
 * reach every state and dominate the layout, and no live task is ever in it.
 * The new initial arrow goes where the unguarded `always` goes (pending); the
 * note hung on it ("in every state: …") is returned to show as a caption.
 * Any other shape of text is returned unchanged.
 * @param {string} text
 * @returns {{ text: string, note: string }}
 */
export function withoutDispatcher(text) {
  const lines = text.split('\n');
  const initial = lines.findIndex((line) => /^ {2}\[\*\] --> \S+$/.test(line));
  if (initial < 0) return { text, note: '' };
  const id = /** @type {string} */ (lines[initial]).split('--> ')[1];
  const exits = lines.filter((line) => line.startsWith(`  ${id} --> `));
  const alwaysOnly = exits.length > 0 && exits.every((line) => /^ {2}\S+ --> \S+: always\b/.test(line));
  const unguarded = exits.filter((line) => !/\[.*\]$/.test(line));
  const entered = lines.some((line, i) => i !== initial && new RegExp(`--> ${id}(:|$)`).test(line));
  if (!alwaysOnly || unguarded.length !== 1 || entered || lines.some((line) => line.includes(`as ${id} {`))) return { text, note: '' };
  const target = /--> (\S+):/.exec(unguarded[0] ?? '')?.[1];
  const kept = [];
  const note = [];
  let inNote = false;
  for (const [i, line] of lines.entries()) {
    if (i === initial) kept.push(`  [*] --> ${target}`);
    else if (line === `  note right of ${id}` || line === `  note left of ${id}`) inNote = true;
    else if (inNote) {
      if (line.trim() === 'end note') inNote = false;
      else note.push(line.trim());
    } else if (!line.startsWith(`  ${id} --> `) && !new RegExp(`^ {2}state "[^"]*" as ${id}$`).test(line)) kept.push(line);
  }
  return { text: kept.join('\n'), note: note.join(' ') };
}
