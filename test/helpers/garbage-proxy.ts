// An HTTP proxy in front of a Cube worker that can make it answer garbage: while
// garbled, its event stream (GET /events, which the manager follows) carries
// `null`, wrong types, truncated JSON or an HTML page instead of events, and
// the streams already open are cut so the manager asks again. Everything else
// is passed through untouched, streams included.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Garbage } from './book-worker.js';

const events: Record<Exclude<Garbage, 'html'>, string> = {
  null: 'event: worker.stats\ndata: null\n\nevent: task.updated\ndata: null\n\n',
  'wrong-types':
    'event: worker.stats\ndata: {"type":"worker.stats","worker":"w","stats":{"MemoryTotal":"lots","CpuCount":"two"},"at":"now"}\n\n' +
    'event: task.updated\ndata: {"type":"task.updated","worker":"w","task":{"ID":7,"State":"running"}}\n\n' +
    'event: worker.tasks\ndata: {"type":"worker.tasks","worker":"w","tasks":{"not":"a list"},"at":5}\n\n',
  truncated: 'event: worker.tasks\ndata: {"type":"worker.tasks","worker":"w","tasks":[{"ID":"x","Sta\n\n',
};

export interface GarbageProxy {
  address: string;
  garble(kind: Garbage | null): void;
  close(): Promise<void>;
}

export async function startGarbageProxy(target: string): Promise<GarbageProxy> {
  const [host, port] = [target.replace(/:\d+$/, ''), Number(target.split(':').pop())];
  let broken: Garbage | null = null;
  const server: Server = createServer((req, res) => {
    if (broken && req.method === 'GET' && req.url?.startsWith('/events')) {
      if (broken === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>\n');
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(events[broken]);
      }
      return;
    }
    const upstream = request({ host, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    garble(kind) {
      broken = kind;
      if (kind) server.closeAllConnections(); // open streams end: the manager asks again, and gets the garbage
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
