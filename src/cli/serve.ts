// What the long-running commands (worker, manager, start) share: where to
// listen, and a clean stop on Ctrl-C or SIGTERM that never hangs.
import { keepServing } from '../guard.js';
import { createLog } from '../log.js';
import { UsageError } from './args.js';

/**
 * Where a server listens: `--<flag>host` and `--<flag>port`, else the variables
 * `<env>HOST` and `<env>PORT`, else 127.0.0.1 and `defaultPort`.
 */
export function listenAddress(flags: Record<string, string>, names: { flag?: string; env: string }, defaultPort: number) {
  const flag = names.flag ?? '';
  const host = flags[`${flag}host`] ?? process.env[`${names.env}HOST`] ?? '127.0.0.1';
  const portText = flags[`${flag}port`] ?? process.env[`${names.env}PORT`] ?? String(defaultPort);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
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
      close().then(() => resolve(0), () => resolve(1));
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
