// What the client commands print, built from API data by pure functions:
// the task table and detail of `cube status`, the node table of `cube node`,
// and the lines `cube run` prints while it follows a task.
import type { NodeView } from '../manager/views/node-view.js';
import type { Task, TaskHistoryEntry } from '../vocabulary/task.js';
import { ago, bytesOf, clock, cpuOf, elapsed, isZeroTime, ports, resources, shortContainer, shortId, stateLabel, truncate } from './format.js';
import { align, fields, screenTable, table } from './table.js';

export const noTasksMessage = 'no tasks yet; run one with: cube run -f task.json\n';

/**
 * `cube status`: ID, NAME, CREATED, STATE, CONTAINER, IMAGE, RESTARTS, WORKER;
 * IDs of 12 characters, as docker ps shows them, and IMAGE and WORKER cut to
 * fit 120 columns (or a wider terminal); everything whole with `full` (--no-trunc).
 */
export function statusTable(tasks: readonly Task[], now: number = Date.now(), full = false): string {
  if (tasks.length === 0) return noTasksMessage;
  const rows = tasks.map((t) => [
    full ? t.ID : shortId(t),
    t.Name || '-',
    ago(t.SubmitTime, now),
    stateLabel(t),
    full ? t.ContainerID || '-' : shortContainer(t.ContainerID),
    t.Image,
    String(t.RestartCount ?? 0),
    t.Worker || '-',
  ]);
  return screenTable(['ID', 'NAME', 'CREATED', 'STATE', 'CONTAINER', 'IMAGE', 'RESTARTS', 'WORKER'], rows, [5, 7], full);
}

/** A time as "12s ago (2026-11-23T12:49:15Z)", or "-". */
function when(iso: string, now: number): string {
  return isZeroTime(iso) ? '-' : `${ago(iso, now)} (${iso})`;
}

/** The history as "12s ago  Started  container abc started" lines, types aligned. */
export function historyLines(events: readonly TaskHistoryEntry[], now: number = Date.now()): string {
  if (events.length === 0) return '(no history yet)\n';
  return align(
    events.map((e) => [ago(e.Time, now), e.Type, e.Message]),
    2,
  );
}

/** `cube status <id>`: every field that matters, then the history. */
export function taskDetail(task: Task, now: number = Date.now()): string {
  const pairs: [string, string][] = [
    ['ID', task.ID],
    ['Name', task.Name || '-'],
    ['State', stateLabel(task)],
    ['Image', task.Image],
    ['Worker', task.Worker || '-'],
    ['Container', task.ContainerID || '-'],
    ['Ports', ports(task.HostPorts) || '-'],
    ['Created', when(task.SubmitTime, now)],
    ['Started', when(task.StartTime, now)],
    ['Finished', when(task.FinishTime, now)],
    ['Restarts', `${task.RestartCount}${task.RestartPolicy ? ` (policy ${task.RestartPolicy})` : ''}`],
    ['Resources', resources(task)],
  ];
  if (task.PortBindings && Object.keys(task.PortBindings).length) {
    pairs.push([
      'Asked ports',
      Object.entries(task.PortBindings)
        .map(([p, h]) => `${p}→${h}`)
        .join(', '),
    ]);
  }
  if (task.HealthCheck) pairs.push(['Health check', task.HealthCheck]);
  if (task.Cmd?.length) pairs.push(['Command', JSON.stringify(task.Cmd)]);
  if (task.Env?.length) pairs.push(['Env', task.Env.map((e) => e.replace(/=.*/s, '=…')).join(' ')]);
  if (task.ExitCode !== null && task.ExitCode !== undefined) pairs.push(['Exit code', String(task.ExitCode)]);
  if (task.Reason) pairs.push(['Reason', task.Reason]);
  return `${fields(pairs)}\nHistory (oldest first):\n${historyLines(task.Events ?? [], now)}`;
}

/** "2.1/23.5 GiB free", or "-" when the node has not reported it. */
function free(part: number, total: number): string {
  const shown = bytesOf(part, total);
  return shown === '-' ? shown : `${shown} free`;
}

/** "1.5/2 CPUs, 6/8 GiB": what the manager has placed on a worker of what it offers; "-" before its first heartbeat. */
export function allocatedOf(node: Pick<NodeView, 'Reserved' | 'Capacity'>): string {
  const { Reserved: used, Capacity: offered } = node;
  if (!(offered.Cpu > 0) && !(offered.Memory > 0)) return '-';
  return `${Number(used.Cpu.toFixed(2))}/${offered.Cpu} CPU${offered.Cpu === 1 ? '' : 's'}, ${bytesOf(used.Memory, offered.Memory)}`;
}

/** "disk=ssd,zone=a" in key order, "-" for none. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '-' : keys.map((k) => `${k}=${labels[k]}`).join(',');
}

/** `cube node`: NAME, ADDRESS, PROTOCOL, STATE, MEMORY, DISK, CPU, ALLOCATED, TASKS, LABELS, LAST SEEN, and PROBLEM when a node has one. */
export function nodeTable(nodes: readonly NodeView[], now: number = Date.now()): string {
  if (nodes.length === 0)
    return 'no workers; start one with cube worker --join MANAGER, or the manager with cube start, or cube manager --workers host:port,…\n';
  const withProblem = nodes.some((n) => n.Problem && n.State !== 'up');
  const headers = ['NAME', 'ADDRESS', 'PROTOCOL', 'STATE', 'MEMORY', 'DISK', 'CPU', 'ALLOCATED', 'TASKS', 'LABELS', 'LAST SEEN'];
  if (withProblem) headers.push('PROBLEM');
  const rows = nodes.map((n) => {
    const row = [
      n.Name,
      n.Address,
      n.Protocol,
      n.Draining ? `${n.State}, draining` : n.State,
      free(n.MemoryAvailable, n.MemoryTotal),
      free(n.DiskFree, n.DiskTotal),
      cpuOf(n.CpuUsage, n.CpuCount),
      allocatedOf(n),
      String(n.Reserved.Tasks), // the manager's own count: current, unlike the heartbeat's TaskCount
      labelsText(n.Labels),
      n.LastSeen ? ago(n.LastSeen, now) : 'never',
    ];
    if (withProblem) row.push(n.State !== 'up' && n.Problem ? n.Problem : '');
    return row;
  });
  return table(headers, rows);
}

/** `cube run`'s last line when the task runs. */
export function runningLine(task: Task): string {
  const published = ports(task.HostPorts);
  const details = [`container ${shortContainer(task.ContainerID)}`, ...(published ? [`ports ${published}`] : [])];
  return `task ${task.ID} is running on worker ${task.Worker || '?'} (${details.join(', ')})`;
}

/** `cube run`'s last line when the task failed. */
export function failedLine(task: Task): string {
  const reason = task.Reason || task.Events?.at(-1)?.Message || 'no reason given';
  const again = task.StateName === 'restarting' ? `; Cube restarts it (restarts so far: ${task.RestartCount}); watch it with: cube status ${task.ID}` : '';
  return `task ${task.ID} failed: ${reason}${again}`;
}

/** `cube run`'s last line when the task was stopped before it ran. */
export function completedLine(task: Task): string {
  const last = task.Events?.at(-1)?.Message;
  return `task ${task.ID} is completed without running${last ? `: ${last}` : ''}`;
}

/** `cube run`'s last line when it gave up waiting. */
export function timeoutLine(task: Task | undefined, id: string, limit: string): string {
  const state = task ? stateLabel(task) : 'not yet seen';
  const why = task ? task.Reason || task.Events?.at(-1)?.Message : '';
  return `task ${id} is still ${state} after ${limit}${why ? ` (${why})` : ''}; Cube keeps at it: watch it with: cube status ${id}`;
}

/** A history entry as `cube run` prints it when stderr is not a terminal: "12:49:15  Started  container abc started". */
export function historyLine(entry: TaskHistoryEntry): string {
  return `${clock(entry.Time)}  ${entry.Type.padEnd(14)}  ${entry.Message}`;
}

export const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** The line `cube run` rewrites in place on a terminal: spinner, state, elapsed time, newest news. */
export function liveLine(task: Task | undefined, frame: number, elapsedMs: number, columns: number): string {
  const spinner = spinnerFrames[frame % spinnerFrames.length]!;
  const state = task ? stateLabel(task) : 'Submitted';
  const news = task ? (task.State === 0 && task.Reason) || task.Events?.at(-1)?.Message || '' : '';
  return truncate(`${spinner} ${state}  ${elapsed(elapsedMs)}  ${news}`.trimEnd(), Math.max(10, columns - 1));
}
