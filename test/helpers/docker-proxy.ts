// A Unix socket in front of the real Docker socket, so a test can make "the
// engine" stop answering without touching the engine other tests use:
//  - forward: a plain pipe to /var/run/docker.sock;
//  - silent:  connections are accepted and never answered (a hung engine);
//  - closed:  the socket is gone (an engine that is down).
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ProxyMode = 'forward' | 'silent';

export interface DockerProxy {
  /** DOCKER_HOST-style address of the proxy. */
  address: string;
  /** Applies to new connections; open ones are cut, as an engine restart would. */
  setMode(mode: ProxyMode): void;
  /** Removes the socket: new connections fail as with an engine that is down. */
  close(): Promise<void>;
}

export async function startDockerProxy(target = '/var/run/docker.sock'): Promise<DockerProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'cube-proxy-'));
  const path = join(dir, 'docker.sock');
  let mode: ProxyMode = 'forward';
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'silent') return;
    const engine = createConnection(target);
    engine.on('error', () => client.destroy());
    client.on('close', () => engine.destroy());
    engine.on('close', () => client.destroy());
    client.pipe(engine).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const cutAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    address: `unix://${path}`,
    setMode(next) {
      mode = next;
      cutAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
