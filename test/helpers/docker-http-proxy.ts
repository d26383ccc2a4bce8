// An HTTP proxy in front of the real Docker socket that can refuse container
// removals the way Docker does for a dead container whose files are still
// busy, or act on the engine between a removal and its answer (what another
// process did in that moment). Everything else is passed through untouched,
// streams included.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DockerHttpProxy {
  address: string;
  failRemovals: boolean;
  /** Run after a container removal succeeded, before the caller hears of it; given the container's ID or name. */
  onRemoved: ((container: string) => Promise<void>) | undefined;
  /** Every call passed on, as "METHOD /path" without the API version, oldest first. */
  calls: string[];
  close(): Promise<void>;
}

const busy = 'driver "overlay2" failed to remove root filesystem: unlinkat /var/lib/docker/overlay2/x/merged: device or resource busy';

export async function startDockerHttpProxy(target = '/var/run/docker.sock'): Promise<DockerHttpProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'cube-http-proxy-'));
  const path = join(dir, 'docker.sock');
  const proxy: DockerHttpProxy = { address: `unix://${path}`, failRemovals: false, onRemoved: undefined, calls: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    proxy.calls.push(`${req.method} ${(req.url ?? '').replace(/^\/v[\d.]+/, '')}`);
    const removal = req.method === 'DELETE' ? /^(?:\/v[\d.]+)?\/containers\/([^/?]+)(?:\?|$)/.exec(req.url ?? '') : null;
    if (proxy.failRemovals && removal) {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: busy }));
      return;
    }
    const upstream = request({ socketPath: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const hook = removal && (answer.statusCode ?? 500) < 300 ? proxy.onRemoved : undefined;
      const reply = () => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (hook) void hook(decodeURIComponent(removal![1]!)).then(reply, () => res.destroy());
      else reply();
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy()); // a client gone (an event stream closed) ends its request to Docker
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
    });
  return proxy;
}
