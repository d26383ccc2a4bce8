// The inspector relay of --inspect: a page on CUBE_INSPECT_PORT that embeds
// Stately's inspector (stately.ai/inspect) and a WebSocket that carries the
// actors' events from Cube to that page. The page explains itself: while the
// inspector loads it says what it waits for, and when this browser cannot
// reach stately.ai (no internet) it says so and points to the live view,
// which needs no internet. Events wait in a short buffer for a page to open.
import { createServer, type IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { foreignOrigin } from '../http/browser-guard.js';
import { hostAllowed, hostRule } from '../http/hosts.js';

const INSPECTOR = 'https://stately.ai/inspect';
const BUFFER = 200;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page: the notice, the inspector's frame, and the bridge from the WebSocket to the frame. */
export function relayPage(liveView: string | undefined): string {
  const live = liveView
    ? `the live view at <a id="live-view" href="${escape(liveView)}">${escape(liveView)}</a>`
    : 'the live view (<code>/ui</code> on the manager, like http://127.0.0.1:5556/ui)';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cube · Stately inspector</title>
<style>
  html, body { height: 100%; margin: 0; font: 14px/1.5 system-ui, sans-serif; color: #0f172a; }
  iframe { width: 100%; height: 100%; border: 0; display: block; }
  #notice { position: fixed; inset: 16px 16px auto; max-width: 720px; margin: 0 auto; padding: 14px 18px; background: #fff;
    border: 1px solid #cbd5e1; border-radius: 8px; box-shadow: 0 4px 16px rgb(15 23 42 / 12%); }
  #notice[data-state="unreachable"] { border-color: #f59e0b; background: #fffbeb; }
  #notice[hidden] { display: none; }
  #notice h1 { font-size: 15px; margin: 0 0 6px; }
  #notice p { margin: 4px 0; }
</style>
</head>
<body>
<div id="notice" data-state="waiting" role="status">
  <h1 id="notice-title">Loading Stately's inspector from stately.ai…</h1>
  <p id="notice-text">This page embeds ${INSPECTOR}, which needs internet in this browser. Once it loads, it shows
  Cube's actors as they run: <code>manager</code>, each <code>worker:&lt;name&gt;</code> and each task as
  <code>task:&lt;id&gt;@&lt;worker&gt;</code>.</p>
  <p>Without internet, ${live} shows the tasks and their state machines live.</p>
</div>
<iframe id="inspector" src="${INSPECTOR}" title="Stately inspector"></iframe>
<script>
  const frame = document.getElementById('inspector');
  const notice = document.getElementById('notice');
  const waiting = [];
  let connected = false;
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === '@statelyai.connected') {
      connected = true;
      notice.hidden = true;
      for (const data of waiting.splice(0)) frame.contentWindow.postMessage(data, '*');
    }
  });
  // A browser that cannot reach stately.ai fails this at once (no timer to guess with).
  fetch('${INSPECTOR}', { mode: 'no-cors', cache: 'no-store' }).catch(() => {
    if (connected) return;
    notice.dataset.state = 'unreachable';
    document.getElementById('notice-title').textContent = 'stately.ai cannot be reached from this browser';
    document.getElementById('notice-text').textContent =
      'The Stately inspector is a page of stately.ai, and this browser has no way to it (no internet, or it is blocked), so there is nothing to show here. Cube goes on sending its actors\\' events; they appear here once stately.ai loads.';
  });
  const socket = new WebSocket('ws://' + location.host);
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (connected) frame.contentWindow.postMessage(data, '*');
    else waiting.push(data);
  };
</script>
</body>
</html>
`;
}

export interface Relay {
  stop(): void;
}

/**
 * Why a WebSocket client may not join the relay, or undefined when it may.
 * The events carry every task's record (Env included) and any client may send
 * some, so the API's browser defences hold here too (docs/security.md): a Host
 * this machine answers to (against DNS rebinding), and no page of another
 * origin (browsers send Origin on every WebSocket; the relay's own page has
 * the relay's, Cube's own client sends none).
 */
export function relayRefusal(request: Pick<IncomingMessage, 'headers'>, allowedHosts: string): string | undefined {
  const host = request.headers.host ?? '';
  if (!hostAllowed(host, hostRule(allowedHosts, ['127.0.0.1']))) return `Host "${host}" is not a name this Cube answers to (CUBE_ALLOWED_HOSTS)`;
  const foreign = foreignOrigin(request.headers.origin, host);
  return foreign && `cross-site WebSocket refused: ${foreign}`;
}

/** Serves the page on `port` and relays every message a client sends to the other clients (those `relayRefusal` lets in). */
export function startRelay(port: number, liveView: string | undefined, allowedHosts: string, onError: (error: Error) => void): Relay {
  const page = relayPage(liveView);
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
    response.end(page);
  });
  const sockets = new WebSocketServer({
    server,
    verifyClient: ({ req }, allow) => {
      const refusal = relayRefusal(req, allowedHosts);
      if (refusal) allow(false, 403, refusal);
      else allow(true);
    },
  });
  const recent: string[] = [];
  sockets.on('connection', (socket) => {
    for (const message of recent) socket.send(message);
    socket.on('message', (data) => {
      const message = data.toString();
      recent.push(message);
      if (recent.length > BUFFER) recent.shift();
      for (const other of sockets.clients) if (other !== socket && other.readyState === WebSocket.OPEN) other.send(message);
    });
  });
  server.on('error', onError);
  sockets.on('error', onError);
  server.listen(port, '127.0.0.1');
  return {
    stop() {
      for (const socket of sockets.clients) socket.terminate();
      sockets.close();
      server.close();
    },
  };
}
