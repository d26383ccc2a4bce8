// Clients that misbehave on purpose, over real sockets on loopback: readers
// that open an event stream and never read it, requests whose headers or
// bodies stop halfway. And what a test or benchmark watches while they do:
// a process's resident memory and a route's latency.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface HeldSocket {
  socket: Socket;
  /** When the server closed it (ms since it was opened), or undefined while open. */
  closedAfterMs: number | undefined;
  /** Everything received, for sockets that read. */
  received(): string;
}

/** Opens a connection to `url`'s host and port and sends `head` (and nothing else). */
export function openRaw(url: string, head: string, options: { read?: boolean } = {}): Promise<HeldSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const held: HeldSocket = { socket, closedAfterMs: undefined, received: () => Buffer.concat(chunks).toString('utf8') };
    socket.once('error', () => undefined);
    socket.once('close', () => (held.closedAfterMs = Date.now() - opened));
    socket.once('connect', () => {
      // A reader that never reads: no 'data' listener, so once Node's small read buffer
      // is full it stops taking bytes from the kernel, and the server's writes back up.
      if (options.read) socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      else socket.pause();
      socket.write(head);
      resolve(held);
    });
    socket.once('error', reject);
  });
}

/** Opens `count` GET `path` requests that are never read. */
export async function stalledReaders(url: string, count: number, path = '/events'): Promise<HeldSocket[]> {
  const host = new URL(url).host;
  const readers: HeldSocket[] = [];
  for (let i = 0; i < count; i++) readers.push(await openRaw(url, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`));
  return readers;
}

/** Resolves once every socket is closed, or rejects after `ms`, naming how many are still open. */
export async function untilClosed(sockets: HeldSocket[], ms: number): Promise<void> {
  const open = sockets.filter((s) => s.closedAfterMs === undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${sockets.filter((s) => s.closedAfterMs === undefined).length} of ${sockets.length} sockets still open after ${ms} ms`)),
      ms,
    );
  });
  try {
    await Promise.race([Promise.all(open.map((s) => new Promise((resolve) => s.socket.once('close', resolve)))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function closeAll(sockets: HeldSocket[]): void {
  for (const s of sockets) s.socket.destroy();
}

/** Resident memory of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time a process has used so far (user + system), in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Times `count` GETs of `url`, one after another; milliseconds each. */
export async function timeGets(url: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    times.push(performance.now() - start);
  }
  return times;
}

/** The events of a raw HTTP/1.1 chunked event-stream response, in order: [id, type, data]. */
export function eventsOf(raw: string): [number | undefined, string, any][] {
  const body = raw
    .slice(raw.indexOf('\r\n\r\n') + 4)
    .replace(/\r\n[0-9a-f]+\r\n/g, '')
    .replace(/^[0-9a-f]+\r\n/, '');
  return [...body.matchAll(/(?:id: (\d+)\n)?event: (.*)\ndata: (.*)\n\n/g)].map((m) => [
    m[1] === undefined ? undefined : Number(m[1]),
    m[2]!,
    JSON.parse(m[3]!),
  ]);
}
