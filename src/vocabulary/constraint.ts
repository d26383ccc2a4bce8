// Placement constraints (docs/scheduling.md, "Labels and constraints"): what a
// task asks of the worker it runs on, as Swarm's and Nomad's constraints do.
//
//   constraint := KEY ("==" | "!=") VALUE
//               | KEY "in" "(" VALUE ("," VALUE)* ")"
//               | KEY "not in" "(" VALUE ("," VALUE)* ")"
//
// KEY is a label key, or `Name`, the worker's name. Spaces around the parts
// are allowed. A worker without the label does not match `==` or `in`, and
// does match `!=` and `not in` (as Kubernetes' NotIn and Nomad's != do).
import { keyProblem, valueProblem, type Labels } from './labels.js';

export type Operator = '==' | '!=' | 'in' | 'not in';

export interface Constraint {
  key: string;
  operator: Operator;
  values: string[];
  /** As the task wrote it, spaces trimmed: what a reason quotes. */
  text: string;
}

/** The worker-name key: not a label, the worker's own name. */
export const NAME_KEY = 'Name';
const WORKER_NAME = /^[a-zA-Z0-9_.:[\]-]{1,253}$/;
const SET = /^(\S+?)\s+(not\s+in|in)\s*\(([^()]*)\)$/;
const COMPARE = /^(\S+?)\s*(==|!=)\s*(\S+)$/;
export const MAX_SET = 64;

const valueOf = (key: string, value: string): string | undefined =>
  key === NAME_KEY
    ? WORKER_NAME.test(value)
      ? undefined
      : `${JSON.stringify(value)} is not a worker name`
    : value === ''
      ? 'a value is required'
      : valueProblem(value);

/** Reads one constraint: the constraint, or the problem in words. */
export function parseConstraint(given: string): Constraint | string {
  const text = given.trim();
  const set = SET.exec(text);
  const compare = set ? undefined : COMPARE.exec(text);
  if (!set && !compare) return `${JSON.stringify(given)} is not a constraint; write key==value, key!=value, key in (a,b) or key not in (a,b)`;
  const key = (set ?? compare)![1]!;
  const operator = (set ? set[2]!.replace(/\s+/g, ' ') : compare![2]!) as Operator;
  const values = set ? set[3]!.split(',').map((v) => v.trim()) : [compare![3]!];
  const problem =
    (key === NAME_KEY ? undefined : keyProblem(key)) ??
    (values.length > MAX_SET ? `at most ${MAX_SET} values in a set, got ${values.length}` : undefined) ??
    values.map((v) => valueOf(key, v)).find((p) => p !== undefined);
  if (problem) return `${JSON.stringify(given)}: ${problem}`;
  return { key, operator, values, text: set ? `${key} ${operator} (${values.join(',')})` : `${key}${operator}${values[0]}` };
}

/** Whether a worker named `name` with `labels` satisfies the constraint. */
export function satisfies(constraint: Constraint, name: string, labels: Labels): boolean {
  const value = constraint.key === NAME_KEY ? name : Object.hasOwn(labels, constraint.key) ? labels[constraint.key] : undefined;
  const inSet = value !== undefined && constraint.values.includes(value);
  return constraint.operator === '==' || constraint.operator === 'in' ? inSet : !inSet;
}
