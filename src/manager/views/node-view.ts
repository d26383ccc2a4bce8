// A worker as GET /nodes shows it (docs/spec.md §4): Cube's keys, the protocol
// the worker speaks, and beside them the keys of the book's manager (Ip, Api,
// Memory in kB, …, Stats), so the book's CLI reads Cube's /nodes as its own.
import type { WorkerEntry } from '../../../machines/manager/ledger.js';
import { labelsOf } from '../../../machines/manager/placement.js';
import { parseHostPort } from '../../config/host-port.js';
import type { BookStats } from '../../book/shapes.js';
import type { WorkerStats } from '../../vocabulary/protocol.js';

export interface NodeView {
  Name: string;
  Address: string;
  State: WorkerEntry['state'];
  Since: string;
  LastSeen: string;
  Problem: string;
  /** Drained (`cube node drain`): it takes no new tasks. */
  Draining: boolean;
  /** It joined at runtime (`cube worker --join`); `cube node rm` can forget it. */
  Joined: boolean;
  /** `cube` or `book`; `unknown` until the worker's first heartbeat. */
  Protocol: 'cube' | 'book' | 'unknown';
  MemoryTotal: number;
  MemoryAvailable: number;
  DiskTotal: number;
  DiskFree: number;
  CpuCount: number;
  CpuUsage: number;
  LoadAverage: [number, number, number];
  TaskCount: number;
  Runtime: string;
  /** What the manager has placed there: the Cpu, Memory and Disk its live tasks ask, and how many they are (allocated). */
  Reserved: { Cpu: number; Memory: number; Disk: number; Tasks: number };
  /** What placements are counted against: the CPUs and memory the worker offers (cube worker --cpus, --memory), and its free disk (--disk). */
  Capacity: { Cpu: number; Memory: number; Disk: number };
  /** Its labels: those it declares (cube worker --label), with the operator's edits over them (cube node label). */
  Labels: Record<string, string>;
  /** The operator's edits alone: a value set, or null for a label removed. */
  LabelEdits: Record<string, string | null>;
  // The book's keys.
  /** The host of the worker's address ("" for a worker in the manager's process). */
  Ip: string;
  /** The worker's API as the manager calls it, "http://host:port" or "https://host:port" ("" when it has none). */
  Api: string;
  /** kB, as the book counts memory. */
  Memory: number;
  /** kB that the manager's records of tasks there ask for. */
  MemoryAllocated: number;
  /** Bytes. */
  Disk: number;
  DiskAllocated: number;
  Role: 'worker';
  /** The worker's stats in the book's keys, when it sent them. */
  Stats: BookStats | null;
}

/** How the manager calls its workers: HTTPS when the cluster has TLS (CUBE_TLS_DIR), else HTTP. */
export type Scheme = 'http' | 'https';
export const workerScheme = (tlsDir: string): Scheme => (tlsDir ? 'https' : 'http');

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The book's keys of a worker's stats: a Cube worker sends them beside its own, a book worker's proxy keeps them. */
function bookKeys(stats: WorkerStats | null): BookStats | null {
  const all = stats as (WorkerStats & Partial<BookStats>) | null;
  if (!all || !isRecord(all.MemStats) || !isRecord(all.DiskStats) || !isRecord(all.CpuStats) || !isRecord(all.LoadStats)) return null;
  return { MemStats: all.MemStats, DiskStats: all.DiskStats, CpuStats: all.CpuStats, LoadStats: all.LoadStats, TaskCount: all.TaskCount };
}

const hostOf = (address: string) => (address === 'in-process' ? '' : (parseHostPort(address)?.hostname ?? address));

export function nodeView(worker: WorkerEntry, scheme: Scheme): NodeView {
  const stats = worker.stats;
  const hasApi = worker.address !== 'in-process';
  return {
    Name: worker.name,
    Address: worker.address,
    State: worker.state,
    Since: worker.since,
    LastSeen: worker.lastSeen,
    Problem: worker.problem,
    Draining: worker.draining,
    Joined: worker.joined,
    // A worker in this process speaks the messages themselves, which are Cube's.
    Protocol: stats ? (stats.Protocol ?? 'cube') : 'unknown',
    MemoryTotal: stats?.MemoryTotal ?? 0,
    MemoryAvailable: stats?.MemoryAvailable ?? 0,
    DiskTotal: stats?.DiskTotal ?? 0,
    DiskFree: stats?.DiskFree ?? 0,
    CpuCount: stats?.CpuCount ?? 0,
    CpuUsage: stats?.CpuUsage ?? 0,
    LoadAverage: stats?.LoadAverage ?? [0, 0, 0],
    TaskCount: stats?.TaskCount ?? 0,
    Runtime: stats?.Runtime ?? 'unknown',
    Reserved: { Cpu: worker.held.cpu, Memory: worker.held.memory, Disk: worker.held.disk, Tasks: worker.held.tasks },
    Capacity: { Cpu: stats?.CpuCount ?? 0, Memory: stats?.MemoryTotal ?? 0, Disk: stats?.DiskFree ?? 0 },
    Labels: labelsOf(worker),
    LabelEdits: { ...worker.labelEdits },
    Ip: hostOf(worker.address),
    Api: hasApi ? `${scheme}://${worker.address}` : '',
    Memory: Math.floor((stats?.MemoryTotal ?? 0) / 1024),
    MemoryAllocated: Math.ceil(worker.held.memory / 1024),
    Disk: stats?.DiskTotal ?? 0,
    DiskAllocated: worker.held.disk,
    Role: 'worker',
    Stats: bookKeys(stats),
  };
}
