// The leading manager's writes to etcd (docs/ha.md, docs/architecture.md §7
// "Writes that answer later"). Changes are committed in batches (a group
// commit: what comes while one transaction is out goes in the next), and each
// transaction is guarded twice:
// - by the leader key's create revision (the term): a manager that no longer
//   leads cannot write, whatever it believes;
// - by the revision at which this manager last read or wrote each key it
//   changes: two writers can never both win.
// A guard that fails means another manager leads or wrote: this one stops
// leading (`onLost`). A transaction that fails or times out may still have
// been applied: its values are remembered, and a key later found holding one
// of them is taken as written by us, not as a conflict.
//
// A user's intent (and a membership change) resolves when its batch commits,
// and is rejected when it fails, with etcd's trouble in words. Other records
// are kept (the newest per key) and written again until etcd takes them.
// `settled()` is the barrier commands to workers wait for: a worker never
// hears of a placement that etcd does not hold.
//
// Pruned records are deleted the same way, under the same guards. The ledger's
// meta goes with a transaction that leaves nothing waiting, so what it says is
// never ahead of the records in etcd. The whole records of Completed tasks
// (the ledger keeps a DoneTask of each) are kept here in memory, so that the
// leader reads one at once; retention bounds how many there are.
import { Range } from 'etcd3';
import type { LedgerMeta } from '../../machines/manager/ledger.js';
import { backoff } from '../backoff.js';
import type { Log } from '../log.js';
import type { ManagerWriter } from './manager-writes.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import { etcdKeys, etcdProblem, type EtcdConnection } from './etcd.js';
import type { NodeRecord } from './node-records.js';
import type { Service } from '../vocabulary/service.js';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Entry {
  key: string;
  /** null: delete the key. */
  value: string | null;
  lease?: string;
  /** The order it was made in: the barrier waits for every entry up to a number. */
  seq: number;
  waiters: Waiter[];
}

export interface EtcdWriterOptions {
  connection: EtcdConnection;
  /** The create revision of the leader key when this manager took it. */
  term: string;
  /** Each key's mod revision, as this manager read it. */
  known: Map<string, string>;
  /** The lease each key is under (joined workers' registrations), as this manager read it. */
  leases?: Map<string, string>;
  /** The whole records of Completed tasks, as this manager read them (kept up to date here). */
  completed?: Map<string, Task>;
  log: Log;
  /** Called once, when a write shows that this manager does not lead any more. */
  onLost(reason: string): void;
}

/** Records per transaction (etcd allows 128 operations in one by default; each record is a compare and a put). */
const BATCH_RECORDS = 60;
const BATCH_LOGS = 60;
/** Log lines waiting while etcd does not answer; older ones are dropped. */
const LOGS_WAITING = 1000;
/** A failed transaction is tried again after 100 ms, doubled up to 2 s. */
const FIRST_WAIT = backoff(100, 2000);
/** Log lines kept in etcd; older ones are deleted as new ones come. */
export const LOG_KEPT = 10_000;
const DELETED = '\u0000deleted';

/** A task record as etcd holds it. */
export const taskValue = (task: Task, stopRequested: boolean) => JSON.stringify({ stopRequested, task });

export class EtcdWriter implements ManagerWriter {
  private readonly queue = new Map<string, Entry>();
  private inFlight: Entry[] = [];
  private logs: { key: string; value: string }[] = [];
  private seq = 0;
  private logSeq = 0;
  private flushing = false;
  private retry: NodeJS.Timeout | undefined;
  private wait = FIRST_WAIT;
  private failing = '';
  private lost = '';
  private closed = false;
  private readonly barriers: { target: number; resolve(): void }[] = [];
  /** Values of transactions whose outcome is unknown, per key. */
  private readonly unsure = new Map<string, Set<string>>();
  private readonly completed: Map<string, Task>;
  private meta: () => LedgerMeta | undefined = () => undefined;
  /** The meta as etcd holds it (as this manager last wrote it). */
  private metaWritten = '';

  constructor(private readonly options: EtcdWriterOptions) {
    this.completed = options.completed ?? new Map();
  }

  /** Writes a command's intent; `done` hears why it could not be stored, "" once it is (ManagerWriter). */
  intent(task: Task, stopRequested: boolean, done: (problem: string) => void): void {
    this.storeIntent(task, stopRequested).then(
      () => done(''),
      (error: unknown) => done((error as Error).message),
    );
  }

  /** Writes a command's intent: resolves once etcd holds it, rejects with why not. */
  storeIntent(task: Task, stopRequested: boolean): Promise<void> {
    this.keep(task, stopRequested);
    return this.awaited(etcdKeys.task(task.ID), taskValue(task, stopRequested));
  }

  save(task: Task, stopRequested: boolean): void {
    this.keep(task, stopRequested);
    this.enqueue(etcdKeys.task(task.ID), taskValue(task, stopRequested));
  }

  undo(id: string, record: Task | undefined, stopRequested: boolean): void {
    if (record) this.keep(record, stopRequested);
    else this.completed.delete(id);
    this.enqueue(etcdKeys.task(id), record ? taskValue(record, stopRequested) : null);
  }

  forget(ids: string[]): void {
    for (const id of ids) {
      this.completed.delete(id);
      this.enqueue(etcdKeys.task(id), null);
    }
  }

  read(id: string): Task | undefined {
    return this.completed.get(id);
  }

  metaFrom(meta: () => LedgerMeta): void {
    this.meta = meta;
  }

  writeMeta(): Promise<void> {
    const value = this.metaValue();
    return value === undefined ? Promise.resolve() : this.awaited(etcdKeys.meta, value);
  }

  /** A Completed record (no stop owed) is kept whole, for `read`; any other is the ledger's to keep. */
  private keep(task: Task, stopRequested: boolean): void {
    if (task.StateName === 'completed' && !stopRequested) this.completed.set(task.ID, task);
    else this.completed.delete(task.ID);
  }

  private metaValue(): string | undefined {
    const meta = this.meta();
    return meta && JSON.stringify(meta);
  }

  appendLog(entry: LogEntry): void {
    if (this.lost || this.closed) return;
    this.logs.push({ key: `${etcdKeys.log}${entry.Time}-${(++this.logSeq).toString().padStart(9, '0')}`, value: JSON.stringify(entry) });
    if (this.logs.length > LOGS_WAITING) this.logs.splice(0, this.logs.length - LOGS_WAITING);
    this.schedule();
  }

  async putNode(node: NodeRecord, ttlMs: number): Promise<void> {
    let lease: string | undefined;
    if (ttlMs > 0) {
      try {
        const granted = await this.options.connection.client.leaseClient.leaseGrant(
          { TTL: Math.max(1, Math.ceil(ttlMs / 1000)) },
          this.options.connection.deadline(),
        );
        lease = granted.ID;
      } catch (error) {
        throw new Error(etcdProblem(error, this.options.connection));
      }
    }
    return this.awaited(etcdKeys.node(node.Name), JSON.stringify(node), lease);
  }

  deleteNode(name: string): Promise<void> {
    return this.awaited(etcdKeys.node(name), null);
  }

  putService(service: Service): Promise<void> {
    return this.awaited(etcdKeys.service(service.Name), JSON.stringify(service));
  }

  deleteService(name: string): Promise<void> {
    return this.awaited(etcdKeys.service(name), null);
  }

  settled(): Promise<void> {
    const target = this.seq;
    if (this.committedUpTo() >= target) return Promise.resolve();
    return new Promise((resolve) => this.barriers.push({ target, resolve }));
  }

  problem(): string {
    return this.lost || this.failing;
  }

  /** Stops writing: what waits is dropped (a leader that stops leads no more), and those waiting are told. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    this.rejectAll(new Error('this manager stopped leading before etcd confirmed the write; send the request again (a new leader takes it)'));
  }

  private awaited(key: string, value: string | null, lease?: string): Promise<void> {
    if (this.lost) return Promise.reject(new Error(this.lost));
    if (this.closed) return Promise.reject(new Error('this manager does not lead any more; send the request again'));
    return new Promise((resolve, reject) => this.enqueue(key, value, lease, { resolve, reject }));
  }

  private enqueue(key: string, value: string | null, lease?: string, waiter?: Waiter): void {
    if (this.lost || this.closed) return waiter?.reject(new Error(this.lost || 'this manager does not lead any more'));
    const waiting = this.queue.get(key);
    // The newest value of a key replaces a waiting one: it is a later state of the same record.
    this.queue.delete(key);
    this.queue.set(key, { key, value, ...(lease ? { lease } : {}), seq: ++this.seq, waiters: [...(waiting?.waiters ?? []), ...(waiter ? [waiter] : [])] });
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing || this.retry || this.closed || this.lost) return;
    this.flushing = true;
    queueMicrotask(() => void this.flush());
  }

  /** Every entry made up to this number is committed. */
  private committedUpTo(): number {
    let lowest = this.seq + 1;
    for (const entry of this.queue.values()) lowest = Math.min(lowest, entry.seq);
    for (const entry of this.inFlight) lowest = Math.min(lowest, entry.seq);
    return lowest - 1;
  }

  private async flush(): Promise<void> {
    const batch = [...this.queue.values()].slice(0, BATCH_RECORDS);
    for (const entry of batch) this.queue.delete(entry.key);
    // The meta goes with the transaction that leaves nothing waiting, when it changed.
    const meta = this.queue.size === 0 && !batch.some((e) => e.key === etcdKeys.meta) ? this.metaValue() : undefined;
    if (meta !== undefined && meta !== this.metaWritten) batch.push({ key: etcdKeys.meta, value: meta, seq: this.seq, waiters: [] });
    const logs = this.logs.splice(0, BATCH_LOGS);
    if (batch.length === 0 && logs.length === 0) {
      this.flushing = false;
      return;
    }
    this.inFlight = batch;
    let again = 0;
    try {
      const outcome = await this.commit(batch, logs);
      if (this.closed) return;
      if (outcome.ok) {
        for (const entry of batch) {
          if (entry.key === etcdKeys.meta) this.metaWritten = entry.value ?? '';
          this.options.known.set(entry.key, entry.value === null ? '0' : outcome.revision);
          this.unsure.delete(entry.key);
          this.replaceLease(entry);
          for (const waiter of entry.waiters) waiter.resolve();
        }
        if (this.failing) this.options.log(`etcd takes writes again (${this.failing} before)`);
        this.failing = '';
        this.wait = FIRST_WAIT;
        if (logs.length > 0) void this.trimLog(logs.length);
      } else if (outcome.lost) {
        this.loseLeadership(outcome.lost);
        return;
      } else {
        // Earlier writes whose outcome was unknown were applied: the revisions are known now; write the batch again.
        this.requeue(batch);
        this.logs.unshift(...logs);
      }
    } catch (error) {
      if (this.closed) return;
      const problem = etcdProblem(error, this.options.connection);
      if (!this.failing) this.options.log(`etcd does not take writes: ${problem}; commands are answered 503, and changes are written again until it does`);
      this.failing = problem;
      for (const entry of batch) this.remember(entry);
      this.requeue(batch);
      this.logs.unshift(...logs);
      if (this.logs.length > LOGS_WAITING) this.logs.splice(0, this.logs.length - LOGS_WAITING);
      // Commands waiting for a write are answered now rather than after more timeouts: the user retries.
      const why = new Error(`etcd did not store it: ${problem}`);
      for (const entry of this.queue.values()) entry.waiters.splice(0).forEach((w) => w.reject(why));
      again = this.wait.ms;
      this.wait = this.wait.next();
    } finally {
      this.inFlight = [];
      this.flushing = false;
    }
    this.releaseBarriers();
    if (this.queue.size === 0 && this.logs.length === 0) return;
    if (again > 0) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.schedule();
      }, again);
    } else {
      this.schedule();
    }
  }

  /** One transaction: the batch's changes if this manager still leads and no key changed since it read them; else what is there now. */
  private async commit(batch: Entry[], logs: { key: string; value: string }[]): Promise<{ ok: true; revision: string } | { ok: false; lost?: string }> {
    const { kv } = this.options.connection;
    let txn = kv.if(etcdKeys.leader, 'Create', '==', this.options.term);
    for (const entry of batch) txn = txn.and(entry.key, 'Mod', '==', this.options.known.get(entry.key) ?? '0');
    const writes = batch.map((e) =>
      e.value === null ? kv.delete().key(e.key) : e.lease ? kv.put(e.key).value(e.value).lease(e.lease) : kv.put(e.key).value(e.value),
    );
    const result = await txn
      .then(...writes, ...logs.map((l) => kv.put(l.key).value(l.value)))
      .else(kv.get(etcdKeys.leader), ...batch.map((e) => kv.get(e.key)))
      .options(this.options.connection.deadline())
      .commit();
    if (result.succeeded) return { ok: true, revision: result.header.revision };
    const [leader, ...now] = result.responses.map((r) => r.response_range.kvs[0]);
    if (!leader || leader.create_revision !== this.options.term) {
      return { ok: false, lost: 'another manager leads now (the leader key changed); this one stopped leading' };
    }
    for (const [i, entry] of batch.entries()) {
      const current = now[i];
      const revision = current?.mod_revision ?? '0';
      if (revision === (this.options.known.get(entry.key) ?? '0')) continue;
      const value = current ? current.value.toString() : DELETED;
      if (!this.unsure.get(entry.key)?.has(value)) {
        return { ok: false, lost: `${entry.key} was changed by someone else (revision ${revision}); this manager stopped leading so that only one writes` };
      }
      this.options.known.set(entry.key, revision);
      this.unsure.delete(entry.key);
    }
    return { ok: false };
  }

  /**
   * A key written under a new lease (a renewed registration) leaves its old
   * lease with no key: it is revoked rather than left to run out. A deleted
   * key's lease goes too.
   */
  private replaceLease(entry: Entry): void {
    const leases = this.options.leases ?? (this.options.leases = new Map());
    const old = leases.get(entry.key);
    if (entry.lease && entry.value !== null) leases.set(entry.key, entry.lease);
    else leases.delete(entry.key);
    if (old && old !== entry.lease) {
      void this.options.connection.client.leaseClient.leaseRevoke({ ID: old }, this.options.connection.deadline()).catch(() => undefined);
    }
  }

  private remember(entry: Entry): void {
    const values = this.unsure.get(entry.key) ?? new Set<string>();
    values.add(entry.value ?? DELETED);
    this.unsure.set(entry.key, values);
  }

  /** Puts a batch back, unless a newer value of a key came meanwhile (a meta nobody waits for is made anew when it goes again). */
  private requeue(batch: Entry[]): void {
    const newer = new Map(this.queue);
    this.queue.clear();
    for (const entry of batch) if (!newer.has(entry.key) && (entry.key !== etcdKeys.meta || entry.waiters.length > 0)) this.queue.set(entry.key, entry);
    for (const [key, entry] of newer) this.queue.set(key, entry);
  }

  private releaseBarriers(): void {
    const done = this.committedUpTo();
    for (let i = this.barriers.length - 1; i >= 0; i--) {
      if (this.barriers[i]!.target <= done) this.barriers.splice(i, 1)[0]!.resolve();
    }
  }

  private loseLeadership(reason: string): void {
    if (this.lost) return;
    this.lost = reason;
    this.rejectAll(new Error(reason));
    this.options.onLost(reason);
  }

  private rejectAll(error: Error): void {
    for (const entry of [...this.inFlight, ...this.queue.values()]) entry.waiters.splice(0).forEach((w) => w.reject(error));
    this.queue.clear();
    this.logs = [];
  }

  private appended = 0;

  /** Keeps the newest LOG_KEPT lines: every thousand appended, older ones are deleted. */
  private async trimLog(count: number): Promise<void> {
    const before = this.appended;
    this.appended += count;
    if (Math.floor(before / 1000) === Math.floor(this.appended / 1000)) return;
    const { kv } = this.options.connection;
    try {
      const total = await kv.getAll().prefix(etcdKeys.log).options(this.options.connection.deadline()).count();
      if (total <= LOG_KEPT) return;
      const oldest = await kv
        .getAll()
        .prefix(etcdKeys.log)
        .sort('Key', 'Ascend')
        .limit(total - LOG_KEPT)
        .options(this.options.connection.deadline())
        .keys();
      const last = oldest.at(-1);
      if (last)
        await kv
          .delete()
          .range(new Range(etcdKeys.log, `${last}\u0000`))
          .options(this.options.connection.deadline())
          .exec();
    } catch {
      // The next thousand try again; a longer log costs only space.
    }
  }
}
