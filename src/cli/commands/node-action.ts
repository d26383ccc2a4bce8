// What `cube node <action> WORKER` does to one worker: drain, undrain, rm
// (docs/ha.md). Each action is a file of its own; `cube node` lists them.
import type { ManagerClient } from '../manager-client.js';

export interface NodeAction {
  /** One line for `cube node --help`. */
  summary: string;
  /** Does it; returns the line to print. */
  run(client: ManagerClient, worker: string): Promise<string>;
}
