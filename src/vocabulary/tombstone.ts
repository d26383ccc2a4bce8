// A placement of a task that a stop reached on a worker: it never runs there
// again, even when its run arrives after the stop (docs/architecture.md §7).
export interface Tombstone {
  id: string;
  placement: string;
}
