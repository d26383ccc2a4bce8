// What the long-running commands (worker, manager, start) share: where to
// listen, and a clean stop on Ctrl-C or SIGTERM that never hangs.
import { UsageError } from './args.js';

export function listenAddress(flags: Record<string, string>, env: { host: string; port: string }, defaultPort: number) {
  const host = flags['host'] ?? process.env[env.host] ?? '127.0.0.1';
  const portText = flags['port'] ?? process.env[env.port] ?? String(defaultPort);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port (or ${env.port}): ${JSON.stringify(portText)} is not a port number 0…65535`);
  }
  return { host, port };
}

/** Resolves when the process is asked to stop, after `close` has run. */
export function untilStopped(close: () => Promise<void>): Promise<number> {
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

/** Rethrows a listen error in words: which address, and what to do. */
export async function explainListenErrors<T>(starting: Promise<T>, host: string, port: number): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`${host}:${port} is already in use; stop what listens there or choose another --port`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`${host} is not an address of this machine; choose another --host`);
    if (code === 'EACCES') throw new Error(`no permission to listen on ${host}:${port}; choose a port above 1023`);
    throw error;
  }
}
