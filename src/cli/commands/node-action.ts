// What `cube node <action> WORKER` does to one worker: drain, undrain, rm
// (docs/ha.md), label (docs/scheduling.md). Each action is a file of its own; `cube node` lists them.
import type { ManagerClient } from '../manager-client.js';

export interface NodeAction {
  /** One line for `cube node --help`. */
  summary: string;
  /** `many` when it takes words after the worker's name (label's key=value…); none by default. */
  operands?: 'many';
  /** Does it; returns the line to print. */
  run(client: ManagerClient, worker: string, rest: string[]): Promise<string>;
}
