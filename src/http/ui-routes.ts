// The routes of the live view (GET /ui, its files in src/ui/): one page, its script and style, Mermaid from
// node_modules, and the machines' Mermaid text. None of it holds data, so these
// paths are public even when CUBE_TOKEN is set; the page itself reads /events
// with the token (it asks for it when /events answers 401).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { exportMachines } from '../diagrams/machines.js';
import { HttpError } from './errors.js';

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

/** The live view's files, in src/ui/ (dist/ui/ once built): they are the browser's, and import nothing of Cube's. */
const UI = new URL('../ui/', import.meta.url);

const own = (file: string, type: string): Asset => {
  const body = readFileSync(new URL(file, UI));
  const { mtimeMs, size } = statSync(new URL(file, UI));
  return { type, body, etag: `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"` };
};

/**
 * The page's script, app.js, and every ES module it imports, by their path in src/ui/ (the browser
 * loads each one from /ui/<path>). A fixed list, so nothing else of the folder is public;
 * test/unit/ui-modules.test.ts holds it to app.js's imports, so a module added to the page is served.
 */
export const uiScripts = [
  'app.js',
  'actions.js',
  'api.js',
  'cluster-poll.js',
  'confirm.js',
  'connection.js',
  'dom.js',
  'event-stream.js',
  'format.js',
  'lines.js',
  'outcomes.js',
  'pages.js',
  'pages/item-page.js',
  'pages/machine-diagram.js',
  'pages/mermaid.js',
  'pages/service-copies.js',
  'pages/service-endpoints.js',
  'pages/service-versions.js',
  'pages/service.js',
  'pages/task-logs.js',
  'pages/task.js',
  'pages/without-dispatcher.js',
  'pages/worker.js',
  'route.js',
  'store.js',
  'token.js',
  'updates.js',
  'views/activity.js',
  'views/deployment.js',
  'views/facts.js',
  'views/history.js',
  'views/managers.js',
  'views/page-link.js',
  'views/page-rows.js',
  'views/run-form.js',
  'views/services-list.js',
  'views/sparkline.js',
  'views/state-badge.js',
  'views/task-filter.js',
  'views/task-list.js',
  'views/workers-bar.js',
  'words.js',
];

/** The page's own files, by the path they are served under /ui/, with their content type. */
const assetFiles: Record<string, string> = {
  ...Object.fromEntries(uiScripts.map((path) => [path, 'text/javascript; charset=utf-8'])),
  // A classic script, not a module: it loads the page again when a module fails to load (see the file).
  'boot.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** Mermaid's browser bundle, found the way Node finds the package (no path written here). */
export const mermaidBundle = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

const MACHINE_PATH = /^\/ui\/machines\/[A-Za-z0-9_-]+\.mmd$/;
const PUBLIC = new Set(['/ui', '/ui/', '/ui/mermaid.min.js', ...Object.keys(assetFiles).map((name) => `/ui/${name}`)]);

/** The paths served without the token: the page shell, its assets and the machine diagrams. */
export function isUiPath(path: string): boolean {
  return PUBLIC.has(path) || MACHINE_PATH.test(path);
}

/** Answers 304 when the browser already holds this version. */
function serve(ctx: Context, type: string, etag: string, body: () => Buffer | string | NodeJS.ReadableStream, cache = 'no-cache'): void {
  ctx.status = 200;
  ctx.set('Cache-Control', cache);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.etag = etag;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.body = body();
}

export function addUiRoutes(router: Router): void {
  // Read once at start: the page is a few kilobytes, and a running manager
  // serves the page it started with.
  const page = own('./index.html', 'text/html; charset=utf-8');
  const assets = new Map(Object.entries(assetFiles).map(([path, type]) => [path, own(`./${path}`, type)]));
  const diagrams = new Map(exportMachines().map((m) => [m.name, m.mermaid]));
  const machineNames = [...diagrams.keys()].join(', ');
  const mermaidStat = statSync(mermaidBundle);
  const mermaidEtag = `"mermaid-${mermaidStat.size.toString(16)}-${Math.floor(mermaidStat.mtimeMs).toString(16)}"`;

  const sendPage = (ctx: Context) => {
    // The page may only load what this server serves (no CDN, no fonts from elsewhere).
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    serve(ctx, page.type, page.etag, () => page.body);
  };
  router.get('/ui', sendPage);
  router.get('/ui/', sendPage);

  router.get('/ui/mermaid.min.js', (ctx) => {
    serve(ctx, 'text/javascript; charset=utf-8', mermaidEtag, () => createReadStream(mermaidBundle), 'public, max-age=3600');
  });

  router.get('/ui/machines/:file', (ctx) => {
    const file = ctx.params['file'] ?? '';
    const name = file.endsWith('.mmd') ? file.slice(0, -'.mmd'.length) : '';
    const text = diagrams.get(name);
    if (text === undefined) {
      throw new HttpError(404, `no machine diagram ${JSON.stringify(file)}; the machines are ${machineNames}, at /ui/machines/<name>.mmd`);
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = text;
  });

  for (const [name, asset] of assets) {
    router.get(`/ui/${name}`, (ctx) => serve(ctx, asset.type, asset.etag, () => asset.body));
  }
}
