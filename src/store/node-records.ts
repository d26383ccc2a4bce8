// The manager's records of its workers' membership (docs/ha.md): a worker
// that joined (`cube worker --join`), whether a worker is drained, and the
// operator's edits of its labels (`cube node label`). A worker named by
// --workers has a record only once it is drained or relabelled. They are
// kept beside the tasks, so a restarted manager, or a new leader, starts with
// the same workers. Read back through a checked reader, like task records.
import { parseHostPort } from '../config/host-port.js';
import { describe, isObject, string, ValidationError, type Check } from '../task/codec.js';
import { labelsProblem, type LabelEdits } from '../vocabulary/labels.js';

export interface NodeRecord {
  Name: string;
  /** host:port of its worker API. */
  Address: string;
  /** It joined at runtime; false for a worker of --workers whose drain is kept. */
  Joined: boolean;
  Draining: boolean;
  /** When it joined, or was drained (RFC 3339). */
  Since: string;
  /** The operator's edits of the labels it declares: a value sets one, null removes it (none in records older than labels). */
  Labels: LabelEdits;
}

const name = string(/^[a-zA-Z0-9_.:[\]-]{1,253}$/, 'a worker name');
/** host:port, or "in-process" for a worker in the manager's process (`cube start`). */
const address: Check = (value, path) =>
  string()(value, path) ??
  (value === 'in-process' || (typeof value === 'string' && parseHostPort(value)) ? undefined : `${path}: ${describe(value)} is not host:port`);

/** Checks a node record as a store or a request gave it; throws ValidationError naming the field. */
export function readNodeRecord(value: unknown, path = 'node'): NodeRecord {
  if (!isObject(value)) throw new ValidationError(`${path}: expected a node record, got ${describe(value)}`);
  const problem =
    (value['Name'] === '' ? `${path}.Name: required` : undefined) ??
    (value['Address'] === '' ? `${path}.Address: required` : undefined) ??
    name(value['Name'], `${path}.Name`) ??
    address(value['Address'], `${path}.Address`) ??
    (typeof value['Joined'] === 'boolean' ? undefined : `${path}.Joined: expected true or false, got ${describe(value['Joined'])}`) ??
    (typeof value['Draining'] === 'boolean' ? undefined : `${path}.Draining: expected true or false, got ${describe(value['Draining'])}`) ??
    (typeof value['Since'] === 'string' ? undefined : `${path}.Since: expected a time, got ${describe(value['Since'])}`) ??
    (value['Labels'] === undefined ? undefined : labelsProblem(value['Labels'], `${path}.Labels`, true));
  if (problem) throw new ValidationError(problem);
  return {
    Name: value['Name'] as string,
    Address: value['Address'] as string,
    Joined: value['Joined'] as boolean,
    Draining: value['Draining'] as boolean,
    Since: value['Since'] as string,
    Labels: (value['Labels'] as LabelEdits | undefined) ?? {},
  };
}

/** The workers a manager starts with: those of --workers (drained or not, by their records) and those that joined. */
export function workersToStart(
  listed: string[],
  records: NodeRecord[],
): { name: string; address: string; draining: boolean; joined: boolean; labelEdits: LabelEdits }[] {
  const byName = new Map(records.map((r) => [r.Name, r]));
  const fromList = listed.map((address) => ({
    name: address,
    address,
    draining: byName.get(address)?.Draining ?? false,
    joined: false,
    labelEdits: byName.get(address)?.Labels ?? {},
  }));
  const joined = records
    .filter((r) => r.Joined && !listed.includes(r.Name))
    .map((r) => ({ name: r.Name, address: r.Address, draining: r.Draining, joined: true, labelEdits: r.Labels }));
  return [...fromList, ...joined];
}
