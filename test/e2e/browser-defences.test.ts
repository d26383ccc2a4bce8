// What a web page the user merely visits can do to a Cube on their machine
// that runs with no token (the default), in real headless Chromium against a
// real `cube start` process. The attacker's page comes from a second HTTP
// server on loopback:
//  - on another origin, it POSTs a task as text/plain (a "simple" request, no
//    CORS preflight), by fetch and by an HTML form: refused, no task stored;
//  - on a name it controls that now points at 127.0.0.1 (DNS rebinding,
//    simulated by a server that serves the page and then forwards the
//    connections to Cube), it reads GET /tasks as its own origin: refused,
//    unless that name is in CUBE_ALLOWED_HOSTS (which shows the refusal is the
//    Host check and nothing else).
// curl, which sends no Origin, keeps working, and so does the live view.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { chromium, type BrowserContext } from 'playwright-core';
import { WebSocket } from 'ws';
import { spawnCube, type CubeProcess } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { example } from '../helpers/examples.js';

const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

async function chromiumWith(t: TestContext, extra: string[] = []): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'cube-browser-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: [...flags, ...extra] });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

async function cubeWithoutToken(t: TestContext, env: Record<string, string> = {}): Promise<CubeProcess> {
  const name = `browser-${nanoid(5)}`;
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', name], { CUBE_LOG: '0', CUBE_TOKEN: '', ...env });
  t.after(async () => {
    await cube.stop();
    await removeContainersOf(name);
  });
  return cube;
}

/** A plain HTTP server on loopback that serves one page: the attacker's. */
async function pageServer(t: TestContext, html: string): Promise<string> {
  const server: Server = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Chromium keeps its connection to the page open; close() alone would wait for it to time out (about two minutes).
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()));
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

const taskNames = async (url: string) => ((await (await fetch(`${url}/tasks`)).json()) as { Name: string }[]).map((task) => task.Name);

test('a page on another origin cannot POST a task to a Cube without a token, by fetch or by form; curl can', { timeout: 60_000 }, async (t) => {
  const cube = await cubeWithoutToken(t);
  const target = `${cube.url}/tasks`;
  const viaFetch = `csrf-fetch-${nanoid(5)}`;
  const viaForm = `csrf-form-${nanoid(5)}`;
  // The form trick: a text/plain body is "name=value", so the "=" is hidden inside an Env entry and the body is valid JSON.
  const formName = JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: viaForm, Env: ['A'] } }).replace(/"\]\}\}$/, '');
  const attacker = await pageServer(
    t,
    `<!doctype html><title>cat pictures</title>
<form id="f" method="POST" action="${target}" enctype="text/plain"><input type="hidden" name='${formName}' value='b"]}}'></form>
<script>
  window.fetched = fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: ${JSON.stringify(viaFetch)} } }) }).then(() => 'sent', (e) => String(e));
</script>`,
  );
  const context = await chromiumWith(t);
  const page = context.pages()[0] ?? (await context.newPage());
  const answered = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
  await page.goto(attacker);
  assert.equal(await page.evaluate('window.fetched'), 'sent', 'the browser sent it (no preflight for text/plain)');
  const byFetch = await answered;
  assert.equal(byFetch.status(), 403);

  await Promise.all([page.waitForURL(target), page.evaluate(`document.getElementById('f').submit()`)]);
  const shown = JSON.parse((await page.textContent('body')) ?? '');
  assert.equal(shown.HTTPStatusCode, 403);
  assert.match(
    shown.Message,
    new RegExp(
      `^cross-site request refused: it comes from a page at ${attacker}, not from this server \\(127\\.0\\.0\\.1:\\d+\\)\\. A web page on another site may not use Cube's API; use the live view this server serves at /ui, curl or the cube command$`,
    ),
  );

  const names = await taskNames(cube.url);
  assert.ok(!names.includes(viaFetch) && !names.includes(viaForm), `no task from the page was stored: ${names.join(', ')}`);

  // What the README shows: curl -d @docs/examples/task.json (form-encoded, no Origin) works.
  const curl = await fetch(target, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify(example('task.json')),
  });
  assert.equal(curl.status, 201);
});

/**
 * A DNS-rebinding attacker: `rebind.test` first points at its server (which
 * serves the page), then at 127.0.0.1 (from then on its server forwards every
 * connection to Cube, as the new DNS answer would send the browser there).
 * Both listen on the same port on two loopback addresses, so the page's
 * origin, http://rebind.test:<port>, is the one Cube is reached at.
 */
async function rebindingAttacker(t: TestContext, cubeUrl: string): Promise<{ resolverRule: string; origin: string }> {
  const port = Number(new URL(cubeUrl).port);
  const page = `<!doctype html><title>rebind</title><script>
  window.read = (async () => {
    const r = await fetch('/tasks');
    return { status: r.status, body: await r.text(), host: location.host };
  })();
</script>`;
  let rebound = false;
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket.once('close', () => sockets.delete(socket)));
    socket.on('error', () => undefined);
    // Decided on the first request, not the connection: Chromium opens spare connections ahead of need.
    socket.once('data', (first: Buffer) => {
      if (!rebound && first.toString('latin1').startsWith('GET / ')) {
        rebound = true;
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(page)}\r\nConnection: close\r\n\r\n${page}`);
        return;
      }
      const cube = connect(port, '127.0.0.1');
      cube.on('error', () => socket.destroy());
      cube.write(first);
      socket.pipe(cube).pipe(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.2', resolve));
  // Chromium keeps its connections open; close() alone would wait for them to time out (about two minutes).
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  );
  return { resolverRule: '--host-resolver-rules=MAP rebind.test 127.0.0.2', origin: `http://rebind.test:${port}` };
}

async function readByRebinding(t: TestContext, env: Record<string, string>) {
  const cube = await cubeWithoutToken(t, env);
  const secret = `SECRET=${nanoid()}`;
  const stored = await fetch(`${cube.url}/tasks`, {
    method: 'POST',
    body: JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: `secret-${nanoid(5)}`, Memory: 2 ** 50, Env: [secret] } }),
  });
  assert.equal(stored.status, 201);
  const attacker = await rebindingAttacker(t, cube.url);
  const context = await chromiumWith(t, [attacker.resolverRule]);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${attacker.origin}/`);
  const read = (await page.evaluate('window.read')) as { status: number; body: string; host: string };
  assert.equal(read.host, new URL(attacker.origin).host, "the page runs on the attacker's name");
  return { read, secret };
}

test('a DNS-rebinding page cannot read the tasks (and their Env) of a Cube without a token', { timeout: 60_000 }, async (t) => {
  const { read, secret } = await readByRebinding(t, {});
  assert.equal(read.status, 403);
  assert.ok(!read.body.includes(secret));
  const body = JSON.parse(read.body);
  assert.match(
    body.Message,
    /^Host "rebind\.test:\d+" is not a name this Cube answers to, so the request was refused: a web page may be trying DNS rebinding\. If you reach Cube by that name, add it to CUBE_ALLOWED_HOSTS \(--allowed-hosts\), like CUBE_ALLOWED_HOSTS=rebind\.test$/,
  );
});

test('the same rebinding read succeeds once the name is allowed: the Host check is what refused it', { timeout: 60_000 }, async (t) => {
  const { read, secret } = await readByRebinding(t, { CUBE_ALLOWED_HOSTS: 'rebind.test' });
  assert.equal(read.status, 200);
  assert.ok(read.body.includes(secret));
});

test('the live view, served by Cube itself, still reads its tasks and events in the browser', { timeout: 60_000 }, async (t) => {
  const cube = await cubeWithoutToken(t);
  const name = `view-${nanoid(5)}`;
  await fetch(`${cube.url}/tasks`, { method: 'POST', body: JSON.stringify({ Task: { Image: 'strm/helloworld-http', Name: name, Memory: 2 ** 50 } }) });
  const context = await chromiumWith(t);
  const page = context.pages()[0] ?? (await context.newPage());
  const refused: string[] = [];
  page.on('response', (r) => r.status() === 403 && refused.push(r.url()));
  await page.goto(`${cube.url}/ui`);
  await page.waitForSelector(`text=${name}`);
  assert.deepEqual(refused, []);
});

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** How a WebSocket handshake with these headers ends: "open" with the first message, or the refusal's status and reason. */
function handshake(url: string, options: { origin?: string; headers?: Record<string, string> }): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options);
    socket.once('message', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(`${response.statusCode} ${body}`));
    });
    socket.once('error', (error) => resolve(`error ${error.message}`));
  });
}

test(
  'the inspector relay carries task records only to its own page and to Cube: another origin or a rebound name is refused',
  { timeout: 60_000 },
  async (t) => {
    const port = await freePort();
    const cube = await cubeWithoutToken(t, { CUBE_INSPECT: '1', CUBE_INSPECT_PORT: String(port), CUBE_STORE: 'memory' });
    const relay = `ws://127.0.0.1:${port}`;
    const secret = `SECRET=${nanoid()}`;
    assert.equal(
      (await fetch(`${cube.url}/tasks`, { method: 'POST', body: JSON.stringify({ Task: { Image: 'strm/helloworld-http', Memory: 2 ** 50, Env: [secret] } }) }))
        .status,
      201,
    );

    assert.equal(await handshake(relay, {}), 'open', 'a client with no Origin (Cube, a script on this machine) is let in');
    assert.equal(await handshake(relay, { origin: `http://127.0.0.1:${port}` }), 'open', "the relay's own page is let in");
    assert.match(
      await handshake(relay, { origin: 'http://cats.example' }),
      /^403 cross-site WebSocket refused: it comes from a page at http:\/\/cats\.example, not from this server \(127\.0\.0\.1:\d+\)$/,
    );
    assert.match(
      await handshake(relay, { headers: { Host: `rebind.test:${port}` } }),
      /^403 Host "rebind\.test:\d+" is not a name this Cube answers to \(CUBE_ALLOWED_HOSTS\)$/,
    );

    // In a real browser: a page from another loopback origin opens the relay's WebSocket and gets nothing.
    const attacker = await pageServer(
      t,
      `<!doctype html><title>cat pictures</title><script>
  window.heard = new Promise((resolve) => {
    const socket = new WebSocket(${JSON.stringify(relay)});
    socket.onmessage = (event) => resolve('message: ' + event.data);
    socket.onclose = () => resolve('closed');
  });
</script>`,
    );
    const context = await chromiumWith(t);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(attacker);
    assert.equal(await page.evaluate('window.heard'), 'closed', 'the handshake was refused; no event reached the page');

    // The relay's own page still gets the events (the secret is in them: that is why the checks matter).
    await page.goto(`http://127.0.0.1:${port}/`);
    const own = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(url);
          socket.onmessage = (event) => resolve(String(event.data));
          socket.onclose = () => resolve('closed');
        }),
      relay,
    );
    assert.notEqual(own, 'closed');
  },
);
