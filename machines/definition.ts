// A task's definition is what its client set (Image, Env, ports, …). A POST of
// a task that exists with a changed definition is an update: the task runs
// the new definition as a new placement, and its history names what changed.
import { definitionKeys, type DefinitionKey, type Task } from '../src/vocabulary/task.js';

/** Equal as JSON values: the order of an object's keys does not count, the order of a list does. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** The definition keys whose values differ between two records of a task. */
export function definitionChanges(from: Task, to: Task): DefinitionKey[] {
  return definitionKeys.filter((key) => !same(from[key], to[key]));
}

/** `record` running `next`'s definition: every definition key taken from `next`. */
export function withDefinition(record: Task, next: Task): Task {
  const definition: Partial<Task> = {};
  for (const key of definitionKeys) (definition as Record<string, unknown>)[key] = next[key];
  return { ...record, ...definition };
}
