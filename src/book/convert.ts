// Between Cube's records and the book's: a book worker's task as a Cube Task,
// a Cube Task as the TaskEvent a book worker takes, and a book worker's stats
// as the WorkerStats the manager places by.
import { randomUUID } from 'node:crypto';
import type { WorkerStats } from '../vocabulary/protocol.js';
import { newTask, restartPolicies, stateNameOf, ZERO_TIME, type RestartPolicy, type Task, type TaskStateNumber } from '../vocabulary/task.js';
import type { CpuReading } from './cpu-meter.js';
import type { BookStats, BookTask, BookTaskEvent } from './shapes.js';

/** A book worker's task as Cube records it; what the book does not say is left empty. */
export function taskFromBook(task: BookTask, worker: string): Task {
  const policy = (restartPolicies as readonly string[]).includes(task.RestartPolicy) ? (task.RestartPolicy as RestartPolicy) : '';
  return newTask({
    ID: task.ID,
    ContainerID: task.ContainerID,
    Name: task.Name,
    State: task.State as TaskStateNumber,
    Image: task.Image,
    Cpu: task.Cpu,
    Memory: task.Memory,
    Disk: task.Disk,
    ExposedPorts: task.ExposedPorts,
    PortBindings: task.PortBindings,
    RestartPolicy: policy,
    StartTime: task.StartTime,
    FinishTime: task.FinishTime,
    HostPorts: task.HostPorts,
    HealthCheck: task.HealthCheck,
    RestartCount: task.RestartCount,
    StateName: stateNameOf(task.State) ?? 'pending',
    Worker: worker,
  });
}

/**
 * "Run this task", as the book's manager sends it: its keys only (the book's
 * worker refuses any other), UUIDs for IDs, and the task Scheduled, which is
 * what makes the book's worker start it.
 */
export function bookTaskEvent(task: Task, at: string): BookTaskEvent {
  return {
    ID: randomUUID(),
    State: 2,
    Timestamp: at,
    Task: {
      ID: task.ID,
      ContainerID: '',
      Name: task.Name,
      State: 1,
      Image: task.Image,
      Cpu: task.Cpu,
      Memory: task.Memory,
      Disk: task.Disk,
      ExposedPorts: task.ExposedPorts,
      HostPorts: null,
      PortBindings: task.PortBindings,
      RestartPolicy: task.RestartPolicy,
      StartTime: ZERO_TIME,
      FinishTime: ZERO_TIME,
      HealthCheck: task.HealthCheck,
      RestartCount: 0,
    },
  };
}

/**
 * A book worker's stats as Cube's manager reads a worker's, with the book's
 * keys kept beside them (GET /nodes shows them). Memory comes in kB, disk in
 * bytes; CPU use and count come from the meter; TaskCount is counted from its
 * tasks (the book's worker never updates its own); the engine is taken to be
 * up, since the book's stats do not say.
 */
export function statsFromBook(stats: BookStats, cpu: CpuReading, worker: string, taskCount: number): WorkerStats & BookStats {
  return {
    ...stats,
    Worker: worker,
    MemoryTotal: stats.MemStats.mem_total * 1024,
    MemoryAvailable: stats.MemStats.mem_available * 1024,
    DiskTotal: stats.DiskStats.all,
    DiskFree: stats.DiskStats.free,
    CpuUsage: cpu.usage,
    CpuCount: cpu.count,
    LoadAverage: [stats.LoadStats.last1min, stats.LoadStats.last5min, stats.LoadStats.last15min],
    TaskCount: taskCount,
    Runtime: 'up',
    RuntimeProblem: '',
  };
}
