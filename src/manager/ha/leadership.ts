// Which of several managers leads (docs/ha.md), the way Kubernetes elects a
// controller manager: a leader key in etcd, created under the manager's lease
// and held while the lease lives. Every manager keeps a lease (renewed every
// CUBE_LEADER_RENEW, lasting CUBE_LEADER_LEASE) and a key under it that says
// it is there (`managers/<name>`); whoever creates the leader key leads, and
// the key's create revision is its term, which guards every write it makes
// (src/store/etcd-writer.ts). The others watch the key and try again the
// moment it goes.
//
// A leader that could not renew its lease for CUBE_LEADER_LEASE minus
// CUBE_LEADER_RENEW stops leading on its own: its lease may expire soon, and it
// must stop before anyone else can start. A leader that stops (Ctrl-C) deletes
// the key, so another takes over at once.
import { SettingsError } from '../../config/settings.js';
import type { Log } from '../../log.js';
import { etcdKeys, etcdProblem, type EtcdConnection } from '../../store/etcd.js';
import type { Watcher } from 'etcd3';
import type { LeaderInfo, ManagerIdentity } from '../views/manager-view.js';

export interface LeadershipOptions {
  leaseMs: number;
  renewMs: number;
  log: Log;
  /** This manager leads from now on, as term `term`. */
  elected(term: string): void;
  /** It does not lead any more, and why. */
  deposed(reason: string): void;
}

/** Checks the lease settings: etcd counts leases in whole seconds, and a lease must survive a missed renewal. */
export function checkLeaseSettings(leaseMs: number, renewMs: number): void {
  if (leaseMs < 2000 || leaseMs % 1000 !== 0) {
    throw new SettingsError(`CUBE_LEADER_LEASE (--leader-lease): ${leaseMs} ms; etcd counts leases in whole seconds, and Cube needs at least 2s`);
  }
  if (renewMs <= 0 || renewMs * 2 > leaseMs) {
    throw new SettingsError(
      `CUBE_LEADER_RENEW (--leader-renew): ${renewMs} ms; renew at least twice per CUBE_LEADER_LEASE (${leaseMs} ms), like --leader-renew ${leaseMs / 3}ms`,
    );
  }
}

const readIdentity = (text: string | undefined, term: string): LeaderInfo | undefined => {
  try {
    const value = JSON.parse(text ?? '') as Partial<ManagerIdentity>;
    if (typeof value.name === 'string' && typeof value.url === 'string')
      return { name: value.name, url: value.url, startedAt: String(value.startedAt ?? ''), term };
  } catch {
    // not a leader key Cube wrote
  }
  return undefined;
};

export class Leadership {
  private lease: string | undefined;
  /** When the keepalive that last succeeded was sent: the lease lives at least CUBE_LEADER_LEASE from then. */
  private renewedAt = 0;
  private term: string | undefined;
  private known: LeaderInfo | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watcher: Watcher | undefined;
  private renewing = false;
  private campaigning = false;
  private stopped = false;
  private trouble = '';

  constructor(
    private readonly connection: EtcdConnection,
    readonly me: ManagerIdentity,
    private readonly options: LeadershipOptions,
  ) {
    checkLeaseSettings(options.leaseMs, options.renewMs);
  }

  /** The leader as last seen ("" term when none is known). */
  leader(): LeaderInfo | undefined {
    return this.term ? { ...this.me, term: this.term } : this.known;
  }

  /** The term this manager leads in, or undefined. */
  leading(): string | undefined {
    return this.term;
  }

  /** What keeps this manager from taking part ("" when nothing). */
  problem(): string {
    return this.trouble;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.renewMs);
    void this.watch();
    this.tick();
  }

  /** Stops leading (a write showed another manager leads, or the leader's work failed); it may be elected again later. */
  stepDown(reason: string): void {
    if (!this.term) return;
    const term = this.term;
    this.term = undefined;
    this.options.log(`manager ${this.me.name} stops leading (term ${term}): ${reason}`);
    this.options.deposed(reason);
    void this.release(term);
  }

  /** Leaves: gives up the lead at once (so another takes over now) and the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.watcher?.cancel().catch(() => undefined);
    const term = this.term;
    this.term = undefined;
    if (term) await this.release(term);
    if (this.lease) await this.connection.client.leaseClient.leaseRevoke({ ID: this.lease }, this.connection.deadline()).catch(() => undefined);
  }

  private tick(): void {
    if (this.stopped) return;
    const unrenewed = Date.now() - this.renewedAt;
    if (this.term && unrenewed > this.options.leaseMs - this.options.renewMs) {
      this.stepDown(`could not renew its lease for ${unrenewed} ms (${this.trouble || 'etcd did not answer'})`);
    }
    if (this.lease && unrenewed > this.options.leaseMs) {
      // Expired by now: take a new one. Who leads cannot be known either, until etcd answers.
      this.lease = undefined;
      this.known = undefined;
    }
    if (this.lease) void this.renew();
    if (!this.term) void this.campaign();
  }

  private async renew(): Promise<void> {
    if (this.renewing || !this.lease) return;
    this.renewing = true;
    const sentAt = Date.now();
    const lease = this.lease;
    try {
      const stream = await this.connection.client.leaseClient.leaseKeepAlive({ deadline: sentAt + Math.min(this.connection.timeoutMs, this.options.leaseMs) });
      const answer = await new Promise<{ TTL: string }>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', reject);
        stream.write({ ID: lease });
      });
      stream.end();
      if (answer.TTL === '0') {
        if (this.lease === lease) this.lease = undefined;
        if (this.term) this.stepDown('its lease expired');
        return;
      }
      this.renewedAt = Math.max(this.renewedAt, sentAt);
      this.fine();
    } catch (error) {
      this.troubled(error);
    } finally {
      this.renewing = false;
    }
  }

  /** Takes the lead if nobody has it; else learns who has. */
  private async campaign(): Promise<void> {
    if (this.campaigning || this.stopped || this.term) return;
    this.campaigning = true;
    try {
      const { kv } = this.connection;
      if (!this.lease) {
        const sentAt = Date.now();
        const granted = await this.connection.client.leaseClient.leaseGrant({ TTL: this.options.leaseMs / 1000 }, this.connection.deadline());
        this.lease = granted.ID;
        this.renewedAt = sentAt;
        await kv.put(etcdKeys.manager(this.me.name)).value(JSON.stringify(this.me)).lease(this.lease).options(this.connection.deadline()).exec();
      }
      const result = await kv
        .if(etcdKeys.leader, 'Create', '==', 0)
        .then(kv.put(etcdKeys.leader).value(JSON.stringify(this.me)).lease(this.lease))
        .else(kv.get(etcdKeys.leader))
        .options(this.connection.deadline())
        .commit();
      this.fine();
      if (this.stopped) return;
      if (result.succeeded) {
        this.term = result.header.revision;
        this.known = undefined;
        this.options.elected(this.term);
        return;
      }
      const current = result.responses[0]?.response_range.kvs[0];
      const leader = current ? readIdentity(current.value.toString(), current.create_revision) : undefined;
      if (leader && leader.name === this.me.name && leader.startedAt === this.me.startedAt) {
        // Its own key from a term it stepped down from (etcd did not answer then): give it up, so that the election starts over.
        this.known = undefined;
        await this.release(leader.term);
        return;
      }
      this.known = leader;
    } catch (error) {
      this.troubled(error);
    } finally {
      this.campaigning = false;
    }
  }

  /** Follows the leader key: a new leader is known at once, and a vanished one is replaced at once. */
  private async watch(): Promise<void> {
    try {
      const watcher = await this.connection.kv.watch().key(etcdKeys.leader).create();
      if (this.stopped) return void watcher.cancel().catch(() => undefined);
      this.watcher = watcher;
      watcher.on('put', (kv) => {
        const leader = readIdentity(kv.value.toString(), kv.create_revision);
        if (!this.term && leader?.name !== this.me.name) this.known = leader;
      });
      watcher.on('delete', () => {
        this.known = undefined;
        void this.campaign();
      });
      watcher.on('error', () => undefined); // the client reconnects the watch; the ticks campaign meanwhile
    } catch {
      if (!this.stopped) setTimeout(() => void this.watch(), this.options.renewMs).unref();
    }
  }

  /** Deletes the leader key if it is still this term's, so another manager takes over now. */
  private async release(term: string): Promise<void> {
    const { kv } = this.connection;
    await kv
      .if(etcdKeys.leader, 'Create', '==', term)
      .then(kv.delete().key(etcdKeys.leader))
      .options(this.connection.deadline())
      .commit()
      .catch(() => undefined);
  }

  private troubled(error: unknown): void {
    const problem = etcdProblem(error, this.connection);
    if (problem !== this.trouble) this.options.log(`manager ${this.me.name}: ${problem}`);
    this.trouble = problem;
  }

  private fine(): void {
    if (this.trouble) this.options.log(`manager ${this.me.name}: etcd answers again`);
    this.trouble = '';
  }
}
