// What the long-running commands (worker, manager, start) share: where to
// listen, the line that says where they listen, and a clean stop on Ctrl-C or
// SIGTERM that never hangs. The servers' code is loaded only here, when one starts.
import { readSettings } from '../config/settings.js';
import { keepServing } from '../guard.js';
import { createLog } from '../log.js';
import { logManagerEvents, logWorkerEvents } from './event-log.js';
import { UsageError, type Args, type Flags } from './args.js';

export const serverFlags = {
  name: {
    name: {
      type: 'string',
      value: 'NAME',
      help: "the worker's name (CUBE_WORKER_NAME; default: its address, like 127.0.0.1:5555, or <hostname>:<port> on 0.0.0.0)",
    },
  } satisfies Flags,
};

/**
 * Where a server listens: `--<flag>host` and `--<flag>port`, else the variables
 * `<env>HOST` and `<env>PORT`, else 127.0.0.1 and `defaultPort`.
 */
export function listenAddress(flags: Record<string, string>, names: { flag?: string; env: string }, defaultPort: number) {
  const flag = names.flag ?? '';
  const host = flags[`${flag}host`] ?? process.env[`${names.env}HOST`] ?? '127.0.0.1';
  const portText = flags[`${flag}port`] ?? process.env[`${names.env}PORT`] ?? String(defaultPort);
  const port = Number(portText);
  if (portText.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--${flag}port (or ${names.env}PORT): ${JSON.stringify(portText)} is not a port number 0…65535`);
  }
  return { host, port };
}

/** Resolves when the process is asked to stop, after `close` has run; until then no exception ends it. */
export function untilStopped(close: () => Promise<void>): Promise<number> {
  keepServing(createLog('cube'));
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`cube: ${signal} received, stopping (containers keep running)\n`);
      const force = setTimeout(() => resolve(1), 10_000);
      force.unref();
      close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** Rethrows a listen error in words: which address (Node's error names it), and what to do. */
export async function explainListenErrors<T>(starting: Promise<T>): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    const { code, address, port } = error as { code?: string; address?: string; port?: number };
    const where = `${address}:${port}`;
    if (code === 'EADDRINUSE') throw new Error(`${where} is already in use; stop what listens there or choose another port`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`${address} is not an address of this machine; choose another host`);
    if (code === 'EACCES') throw new Error(`no permission to listen on ${where}; choose a port above 1023`);
    throw error;
  }
}

/** Runs `cube start`, `cube manager` or `cube worker` until a signal stops it. */
export async function startServer(kind: 'start' | 'manager' | 'worker', { positionals, flags }: Args): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}`);
  const settings = readSettings(flags);
  const name = flags['name'] ?? process.env['CUBE_WORKER_NAME'];
  const out = (line: string) => process.stdout.write(`cube: ${line}\n`);
  if (kind === 'worker') {
    const { host, port } = listenAddress(flags, { env: 'CUBE_' }, 5555);
    const { startWorker } = await import('../worker/start.js');
    const worker = await explainListenErrors(startWorker({ host, port, name, settings }));
    logWorkerEvents(worker.service, createLog('worker'));
    const stopped = untilStopped(worker.close); // before saying we listen: a signal may follow at once
    out(`worker ${worker.name} listening on ${worker.url}`);
    if (worker.inspectUrl) out(`inspector at ${worker.inspectUrl} (it needs internet in the browser)`);
    return stopped;
  }
  const { startManager } = await import('../manager/start.js');
  if (kind === 'manager') {
    const list = flags['workers'] ?? process.env['CUBE_WORKERS'] ?? '';
    const workers = list.split(',').filter((w) => w.trim() !== '');
    const { host, port } = listenAddress(flags, { env: 'CUBE_MANAGER_' }, 5556);
    const manager = await explainListenErrors(startManager({ host, port, workers, settings }));
    // On etcd the manager runs while this one leads: each term's events are logged.
    manager.onService((service) => logManagerEvents(service, createLog('manager')));
    const stopped = untilStopped(manager.close);
    const listed = workers.length > 0 ? `with workers ${workers.join(', ')}` : 'with no workers yet (they join with: cube worker --join MANAGER)';
    const ha = manager.leads ? ' on etcd (one of its managers leads; cube node shows which)' : '';
    out(`manager listening on ${manager.url} ${listed}${ha}; live view at ${manager.url}/ui`);
    if (manager.inspectUrl) out(`inspector at ${manager.inspectUrl} (it needs internet in the browser; without it, use the live view)`);
    return stopped;
  }
  const manager = listenAddress(flags, { flag: 'manager-', env: 'CUBE_MANAGER_' }, 5556);
  const worker = listenAddress(flags, { flag: 'worker-', env: 'CUBE_WORKER_' }, 5555);
  const running = await explainListenErrors(startManager({ ...manager, local: [{ ...worker, ...(name ? { name } : {}) }], settings }));
  logManagerEvents(running.service, createLog('manager'));
  const local = running.local[0]!;
  const stopped = untilStopped(running.close);
  out(`manager listening on ${running.url}, worker ${local.name} listening on ${local.url}; live view at ${running.url}/ui`);
  if (running.inspectUrl) out(`inspector at ${running.inspectUrl} (it needs internet in the browser; without it, use the live view)`);
  return stopped;
}
