// The edge of membership (docs/ha.md): a worker joins (POST /nodes), is
// drained (POST /nodes/{name}/drain) or forgotten (DELETE /nodes/{name}).
// Each change is stored first (a 503 when it cannot be) and only then sent to
// the manager machine (machines/manager/membership.ts), so a new leader starts
// from the same workers. A joined worker renews its registration by joining
// again; one that stops renewing is forgotten after CUBE_JOIN_TTL: etcd lets
// its key's lease expire (and the leader hears of it), a local store is swept
// here.
import { joinRefusal, removalRefusal } from '../../../machines/manager/membership.js';
import type { Ledger, WorkerEntry } from '../../../machines/manager/ledger.js';
import type { LabelEdits } from '../../vocabulary/labels.js';
import { HttpError } from '../../http/errors.js';
import type { NodeRecord } from '../../store/node-records.js';
import { nodeView, type NodeView, type Scheme } from '../views/node-view.js';
import type { ManagerRef } from './service.js';
import type { ManagerWriter } from '../../store/manager-writes.js';

const now = () => new Date().toISOString();

/** A worker's record as the store keeps it, with `changes`. */
const recordOf = (worker: WorkerEntry, changes: Partial<NodeRecord>): NodeRecord => ({
  Name: worker.name,
  Address: worker.address,
  Joined: worker.joined,
  Draining: worker.draining,
  Since: now(),
  Labels: worker.labelEdits,
  ...changes,
});

export interface RegistryOptions {
  /** CUBE_JOIN_TTL. */
  joinTtlMs: number;
  /** Whether the store expires registrations itself (etcd leases); else they are swept here. */
  storeExpires: boolean;
  /** How the manager calls its workers. */
  scheme: Scheme;
  /** The cluster's identity, which a worker that joins takes (src/store/cluster-id.ts). */
  cluster: string;
}

export class Registry {
  /** When each joined worker last joined (or was loaded): the sweep of a local store forgets it a TTL later. */
  private readonly renewed = new Map<string, number>();
  private readonly sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly actor: ManagerRef,
    private readonly writes: ManagerWriter,
    private readonly options: RegistryOptions,
  ) {
    for (const worker of this.ledger().workers.values()) if (worker.joined) this.renewed.set(worker.name, Date.now());
    if (!options.storeExpires) {
      this.sweep = setInterval(() => void this.expire(), Math.max(10, Math.min(30_000, options.joinTtlMs / 3)));
      this.sweep.unref();
    }
  }

  /** How long a registration lasts without a renewal (the manager's CUBE_JOIN_TTL decides, and tells the worker). */
  get joinTtlMs(): number {
    return this.options.joinTtlMs;
  }

  /** The cluster a worker that joins becomes one of. */
  get cluster(): string {
    return this.options.cluster;
  }

  private ledger(): Ledger {
    return this.actor.getSnapshot().context.ledger;
  }

  private view(name: string): NodeView {
    const worker = this.ledger().workers.get(name);
    if (!worker) throw new HttpError(404, `no worker ${name}; GET /nodes lists the workers`);
    return nodeView(worker, this.options.scheme);
  }

  /** Stores a change, answering 503 with the store's reason when it cannot. */
  private async store(what: string, write: () => void | Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      throw new HttpError(503, `the manager could not store ${what} (${(error as Error).message}); nothing was changed. Try again once the store takes writes`);
    }
  }

  /** A worker joins, or renews its registration; true when it is new. */
  async join(name: string, address: string): Promise<{ node: NodeView; joined: boolean }> {
    const refusal = joinRefusal(this.ledger(), name, address);
    if (refusal) throw new HttpError(409, refusal);
    const known = this.ledger().workers.get(name);
    // A worker of --workers (or of this process) that joins as well needs no registration: it is there.
    if (known && !known.joined) return { node: nodeView(known, this.options.scheme), joined: false };
    const record: NodeRecord = {
      Name: name,
      Address: address,
      Joined: true,
      Draining: known?.draining ?? false,
      Since: now(),
      Labels: known?.labelEdits ?? {},
    };
    await this.store(`the registration of worker ${name}`, () => this.writes.putNode(record, this.options.joinTtlMs));
    this.renewed.set(name, Date.now());
    this.actor.send({ type: 'worker.join', name, address, at: now() });
    return { node: this.view(name), joined: known === undefined };
  }

  /** Takes a worker out of placement and moves its tasks elsewhere. */
  async drain(name: string): Promise<NodeView> {
    const worker = this.ledger().workers.get(name);
    if (!worker) throw new HttpError(404, `no worker ${name}; GET /nodes lists the workers`);
    const record: NodeRecord = recordOf(worker, { Draining: true });
    await this.store(`the drain of worker ${name}`, () => this.writes.putNode(record, worker.joined ? this.options.joinTtlMs : 0));
    if (worker.joined) this.renewed.set(name, Date.now());
    this.actor.send({ type: 'worker.drain', name, at: now() });
    return this.view(name);
  }

  /** Ends a drain: the worker takes tasks again. */
  async undrain(name: string): Promise<NodeView> {
    const worker = this.ledger().workers.get(name);
    if (!worker) throw new HttpError(404, `no worker ${name}; GET /nodes lists the workers`);
    if (worker.draining) {
      // A worker of --workers needs no record once it is neither drained nor relabelled; a joined one keeps its registration.
      const record = recordOf(worker, { Draining: false });
      await this.store(`the end of the drain of worker ${name}`, () => this.keep(record));
      if (worker.joined) this.renewed.set(name, Date.now());
      this.actor.send({ type: 'worker.undrain', name, at: now() });
    }
    return this.view(name);
  }

  /**
   * Changes a worker's labels (`cube node label`): `edits` are laid over the
   * operator's earlier ones (a value sets a label, null removes it, whatever
   * the worker declares), stored first, like a drain.
   */
  async label(name: string, edits: LabelEdits): Promise<NodeView> {
    const worker = this.ledger().workers.get(name);
    if (!worker) throw new HttpError(404, `no worker ${name}; GET /nodes lists the workers`);
    const record = recordOf(worker, { Labels: { ...worker.labelEdits, ...edits } });
    await this.store(`the labels of worker ${name}`, () => this.keep(record));
    if (worker.joined) this.renewed.set(name, Date.now());
    this.actor.send({ type: 'worker.label', name, edits, at: now() });
    return this.view(name);
  }

  /** Writes a worker's record, or deletes one of a --workers worker that has nothing left to keep. */
  private keep(record: NodeRecord): void | Promise<void> {
    if (record.Joined) return this.writes.putNode(record, this.options.joinTtlMs);
    return record.Draining || Object.keys(record.Labels).length > 0 ? this.writes.putNode(record, 0) : this.writes.deleteNode(record.Name);
  }

  /** Forgets a drained or dead worker that joined. */
  async remove(name: string): Promise<void> {
    const refusal = removalRefusal(this.ledger(), name);
    if (refusal) throw new HttpError(this.ledger().workers.has(name) ? 409 : 404, refusal);
    await this.store(`the removal of worker ${name}`, () => this.writes.deleteNode(name));
    this.forget(name);
  }

  /** A registration that is gone from the store (its lease expired): the worker is forgotten. */
  forget(name: string): void {
    this.renewed.delete(name);
    this.actor.send({ type: 'worker.remove', name, at: now() });
  }

  close(): void {
    clearInterval(this.sweep);
  }

  private async expire(): Promise<void> {
    const cutoff = Date.now() - this.options.joinTtlMs;
    for (const [name, at] of this.renewed) {
      if (at > cutoff || !this.ledger().workers.get(name)?.joined) continue;
      try {
        await this.writes.deleteNode(name);
        this.forget(name);
      } catch {
        // The next sweep tries again.
      }
    }
  }
}
