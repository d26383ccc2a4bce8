// One line of the manager's event log (GET /log, the live view): what happened,
// when, and to which task and worker.
export interface LogEntry {
  Time: string;
  Type: string;
  Message: string;
  Task?: string;
  Worker?: string;
}
