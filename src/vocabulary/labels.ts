// Worker labels (docs/scheduling.md, "Labels and constraints"): key=value
// pairs a worker declares at start (`cube worker --label zone=a`) and an
// operator changes later (`cube node label NAME zone=b`, `zone-` to remove).
// The grammar is Kubernetes' label grammar, short: what a constraint names
// must be a word a shell and a URL take as it is.

/** A label key: a letter or digit, then letters, digits, ".", "_", "-" or "/"; at most 63. */
export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
/** A label value: letters, digits, ".", "_" or "-"; at most 63, and may be empty. */
export const LABEL_VALUE = /^[A-Za-z0-9._-]{0,63}$/;
/** More labels than this on one worker is a mistake, not a description. */
export const MAX_LABELS = 64;

export type Labels = Record<string, string>;
/** An operator's changes to a worker's own labels: a value sets the label, null removes it. */
export type LabelEdits = Record<string, string | null>;

export const keyProblem = (key: string): string | undefined =>
  LABEL_KEY.test(key) ? undefined : `${JSON.stringify(key)} is not a label key (a letter or digit, then letters, digits, ".", "_", "-" or "/"; at most 63)`;

export const valueProblem = (value: string): string | undefined =>
  LABEL_VALUE.test(value) ? undefined : `${JSON.stringify(value)} is not a label value (letters, digits, ".", "_" or "-"; at most 63)`;

/**
 * Reads "key=value" (a label set) or, when `removal` is allowed, "key-" (a
 * label removed, as kubectl label writes it): `[key, value]`, value null for a
 * removal, or the problem in words.
 */
export function parseLabel(text: string, removal: boolean): [string, string | null] | string {
  if (removal && text.endsWith('-') && !text.includes('=')) {
    const key = text.slice(0, -1);
    return keyProblem(key) ?? [key, null];
  }
  const equals = text.indexOf('=');
  if (equals < 0) return `${JSON.stringify(text)} is not key=value${removal ? ' (or key- to remove one)' : ''}, like zone=a`;
  const [key, value] = [text.slice(0, equals), text.slice(equals + 1)];
  return keyProblem(key) ?? valueProblem(value) ?? [key, value];
}

/** A worker's labels: its own, with the operator's edits over them. */
export function effectiveLabels(own: Labels, edits: LabelEdits): Labels {
  const labels: Labels = { ...own };
  for (const [key, value] of Object.entries(edits)) {
    if (value === null) delete labels[key];
    else labels[key] = value;
  }
  return labels;
}

/** Checks labels (or, with `removal`, edits) from outside: the problem in words naming the key, or undefined. */
export function labelsProblem(value: unknown, path: string, removal: boolean): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: expected an object of label keys and values, like {"zone": "a"}`;
  const entries = Object.entries(value);
  if (entries.length > MAX_LABELS) return `${path}: at most ${MAX_LABELS} labels, got ${entries.length}`;
  for (const [key, item] of entries) {
    const problem =
      keyProblem(key) ??
      (item === null && removal
        ? undefined
        : typeof item === 'string'
          ? valueProblem(item)
          : `expected a string${removal ? ' or null' : ''}, got ${typeof item}`);
    if (problem) return `${path}.${key}: ${problem}`;
  }
  return undefined;
}
