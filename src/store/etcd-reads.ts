// What managers read from etcd (docs/ha.md): a new leader reads everything
// at one revision, and starts from it; a follower answers GET /tasks,
// GET /tasks/{id} and GET /log from etcd, with linearizable reads, so what it
// shows is what the leader stored. Every record is checked as any input is
// (src/task/reports.ts); one that is not a record is skipped and named, and
// left in etcd.
import type { IKeyValue } from 'etcd3';
import type { LedgerMeta } from '../../machines/manager/ledger.js';
import { DoneTasks } from '../../machines/done-tasks.js';
import { doneOf } from '../../machines/retention.js';
import type { Log } from '../log.js';
import { readTask } from '../task/reports.js';
import { decision } from '../vocabulary/placement.js';
import type { Service } from '../vocabulary/service.js';
import { readServiceRecord } from '../service/read.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import { readLedgerMeta } from './ledger-meta.js';
import { etcdKeys, etcdProblem, type EtcdConnection } from './etcd.js';
import { readNodeRecord, type NodeRecord } from './node-records.js';
import { parseRecord } from './read-records.js';

export interface LeaderState {
  /** Records not Completed (or Completed with a stop owed), in the order first stored. */
  tasks: Task[];
  /** Completed tasks, as the ledger keeps them. */
  done: DoneTasks;
  /**
   * Their whole records: the leader keeps them in memory (retention bounds how
   * many), so that it reads one at once, as from SQLite (docs/ha.md).
   */
  completed: Map<string, Task>;
  stopRequested: string[];
  /** The ledger's meta (what was pruned, this cluster's starts, what was heard of each worker); undefined before the first. */
  meta: LedgerMeta | undefined;
  log: LogEntry[];
  nodes: NodeRecord[];
  services: Service[];
  /** Each key's mod revision: the writer's guards. */
  known: Map<string, string>;
  /** The lease of each joined worker's registration. */
  leases: Map<string, string>;
  /** The revision read at: every version and placement number of the new leader comes after it. */
  versionFloor: number;
}

/** Log lines a new leader starts with (the ledger keeps 1000). */
const LOG_READ = 1000;

/** The key without the cluster's prefix (a transaction's answer has it, a namespaced read has not). */
const keyOf = (kv: IKeyValue, prefix: string) => {
  const key = kv.key.toString();
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
};

function readTaskRow(kv: IKeyValue, prefix: string, log: Log, max: number): { task: Task; stopRequested: boolean } | undefined {
  const key = keyOf(kv, prefix);
  try {
    const row = parseRecord(kv.value, max) as { stopRequested?: unknown; task?: unknown };
    return { task: readTask(row.task, `${key}: task`), stopRequested: row.stopRequested === true };
  } catch (error) {
    log(`etcd: skipped ${key}, which is not a task record (${(error as Error).message}); it is left in etcd`);
    return undefined;
  }
}

/** A record kept under a name (a worker's membership, a service), read by `read`; one that cannot be read is named in the log and left in etcd. */
function readNamedValue<T>(kv: IKeyValue, prefix: string, log: Log, max: number, what: string, read: (value: unknown, path: string) => T): T | undefined {
  const key = keyOf(kv, prefix);
  try {
    return read(parseRecord(kv.value, max), key);
  } catch (error) {
    log(`etcd: skipped ${key}, which is not a ${what} record (${(error as Error).message}); it is left in etcd`);
    return undefined;
  }
}

const readNodeRow = (kv: IKeyValue, prefix: string, log: Log, max: number): NodeRecord | undefined =>
  readNamedValue(kv, prefix, log, max, 'node', readNodeRecord);

function readLogRows(kvs: IKeyValue[], max: number): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const kv of kvs) {
    try {
      const entry = parseRecord(kv.value, max) as LogEntry;
      if (typeof entry.Time === 'string' && typeof entry.Type === 'string' && typeof entry.Message === 'string') entries.push(entry);
    } catch {
      // A damaged log line costs only itself.
    }
  }
  return entries;
}

/** Everything a new leader starts from, read in one transaction (one revision), on condition that it still leads (`term`). */
export async function loadLeaderState(connection: EtcdConnection, prefix: string, term: string, log: Log): Promise<LeaderState> {
  const { kv } = connection;
  const result = await kv
    .if(etcdKeys.leader, 'Create', '==', term)
    .then(
      kv.getAll().prefix(etcdKeys.tasks),
      kv.getAll().prefix(etcdKeys.nodes),
      kv.getAll().prefix(etcdKeys.log).sort('Key', 'Descend').limit(LOG_READ),
      kv.get(etcdKeys.meta),
      kv.getAll().prefix(etcdKeys.services),
    )
    .options(connection.deadline())
    .commit();
  if (!result.succeeded) throw new Error('another manager took the lead while this one read the state');
  const [tasks, nodes, logs, metas, serviceKvs] = result.responses.map((r) => r.response_range.kvs);
  const known = new Map<string, string>();
  const rows: { task: Task; stopRequested: boolean }[] = [];
  let floor = Number(result.header.revision);
  for (const kv of tasks!) {
    known.set(keyOf(kv, prefix), kv.mod_revision);
    const row = readTaskRow(kv, prefix, log, connection.recordMax);
    if (!row) continue;
    rows.push(row);
    floor = Math.max(floor, row.task.Version, decision(row.task.Placement) ?? 0);
  }
  // Records in the order they were first stored, as the queue wants them.
  rows.sort((a, b) => Number(known.get(etcdKeys.task(a.task.ID))) - Number(known.get(etcdKeys.task(b.task.ID))) || 0);
  const nodeRecords: NodeRecord[] = [];
  const leases = new Map<string, string>();
  for (const kv of nodes!) {
    known.set(keyOf(kv, prefix), kv.mod_revision);
    if (kv.lease && kv.lease !== '0') leases.set(keyOf(kv, prefix), kv.lease);
    const node = readNodeRow(kv, prefix, log, connection.recordMax);
    if (node) nodeRecords.push(node);
  }
  const services: Service[] = [];
  for (const kv of serviceKvs!) {
    known.set(keyOf(kv, prefix), kv.mod_revision);
    const service = readNamedValue(kv, prefix, log, connection.recordMax, 'service', readServiceRecord);
    if (service) services.push(service);
  }
  const meta = metas![0];
  if (meta) known.set(etcdKeys.meta, meta.mod_revision);
  // A Completed record without a stop owed is final: the ledger keeps a DoneTask of it, the writer the record.
  const final = (r: { task: Task; stopRequested: boolean }) => r.task.StateName === 'completed' && !r.stopRequested;
  const live = rows.filter((r) => !final(r));
  const completed = rows.filter(final).map((r) => r.task);
  return {
    tasks: live.map((r) => r.task),
    done: DoneTasks.of(completed.map(doneOf)),
    completed: new Map(completed.map((t) => [t.ID, t])),
    stopRequested: live.filter((r) => r.stopRequested).map((r) => r.task.ID),
    meta: meta ? readLedgerMeta(meta.value.toString(), `etcd ${etcdKeys.meta}`, log) : undefined,
    log: readLogRows(logs!.reverse(), connection.recordMax),
    nodes: nodeRecords,
    services,
    known,
    leases,
    versionFloor: floor,
  };
}

/** A follower's reads: linearizable, so they show what the leader stored; a failure says why (503). */
export class EtcdReads {
  constructor(
    private readonly connection: EtcdConnection,
    private readonly prefix: string,
    private readonly say: Log,
  ) {}

  private async read<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (error) {
      throw new Error(etcdProblem(error, this.connection));
    }
  }

  async tasks(): Promise<Task[]> {
    const kvs = await this.read(() => this.connection.kv.getAll().prefix(etcdKeys.tasks).options(this.connection.deadline()).exec());
    const rows = kvs.kvs.sort((a, b) => Number(a.create_revision) - Number(b.create_revision));
    return rows.map((kv) => readTaskRow(kv, this.prefix, this.say, this.connection.recordMax)?.task).filter((t): t is Task => t !== undefined);
  }

  /** How many finished tasks retention pruned so far (the book's meta; 0 before there is one). */
  async pruned(): Promise<number> {
    const kvs = await this.read(() => this.connection.kv.get(etcdKeys.meta).options(this.connection.deadline()).exec());
    const kv = kvs.kvs[0];
    return (kv && readLedgerMeta(kv.value.toString(), `etcd ${etcdKeys.meta}`, this.say)?.pruned) ?? 0;
  }

  async task(id: string): Promise<Task | undefined> {
    const kvs = await this.read(() => this.connection.kv.get(etcdKeys.task(id)).options(this.connection.deadline()).exec());
    const kv = kvs.kvs[0];
    return kv ? readTaskRow(kv, this.prefix, this.say, this.connection.recordMax)?.task : undefined;
  }

  async log(limit: number): Promise<LogEntry[]> {
    const kvs = await this.read(() =>
      this.connection.kv.getAll().prefix(etcdKeys.log).sort('Key', 'Descend').limit(limit).options(this.connection.deadline()).exec(),
    );
    return readLogRows(kvs.kvs.reverse(), this.connection.recordMax);
  }

  async nodes(): Promise<NodeRecord[]> {
    const kvs = await this.read(() => this.connection.kv.getAll().prefix(etcdKeys.nodes).options(this.connection.deadline()).exec());
    return kvs.kvs.map((kv) => readNodeRow(kv, this.prefix, this.say, this.connection.recordMax)).filter((n): n is NodeRecord => n !== undefined);
  }
}
