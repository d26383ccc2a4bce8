// Browser defences, on with or without a token (docs/security.md): a web page
// the user merely visits must not drive Cube. Two checks, as Jupyter, Vite and
// Docker Desktop make them:
//  - the Host header must be a name this server answers to (against DNS
//    rebinding, where a page's own name is re-pointed at 127.0.0.1);
//  - a request a browser marks as coming from another site (Origin, or
//    Sec-Fetch-Site) is refused, so a page elsewhere cannot POST a task with a
//    "simple" text/plain request that needs no CORS preflight.
// curl, the cube command and the manager send neither header and pass.
// The live view's page shell holds no data and may be opened from a link.
import type { Context, Next } from 'koa';
import { HttpError } from './errors.js';
import { hostAllowed, type HostRule } from './hosts.js';

/** Why a request with this Origin header comes from another site than `host`, or undefined when it does not (or has none). */
export function foreignOrigin(origin: string | undefined, host: string): string | undefined {
  if (origin === undefined || origin === '') return undefined;
  let from: string | undefined;
  try {
    from = new URL(origin).host.toLowerCase();
  } catch {
    // "null" (a sandboxed frame, a file: page) or garbage: not this server
  }
  // The scheme is not compared: behind a proxy that ends TLS the server sees http.
  return from === host.toLowerCase() ? undefined : `it comes from a page at ${origin}, not from this server (${host.toLowerCase()})`;
}

/** Why this request comes from another site, or undefined when it does not. */
export function crossSite(ctx: Context): string | undefined {
  const foreign = foreignOrigin(ctx.get('origin'), ctx.get('host'));
  if (foreign) return foreign;
  const site = ctx.get('sec-fetch-site');
  if (site !== '' && site !== 'same-origin' && site !== 'none') return `the browser marks it as ${site} (Sec-Fetch-Site)`;
  return undefined;
}

export function browserGuard(rule: () => HostRule, isPageShell: (path: string) => boolean) {
  return async (ctx: Context, next: Next) => {
    const host = ctx.get('host');
    if (!hostAllowed(host, rule())) {
      throw new HttpError(
        403,
        `Host "${host}" is not a name this Cube answers to, so the request was refused: a web page may be trying DNS rebinding. ` +
          `If you reach Cube by that name, add it to CUBE_ALLOWED_HOSTS (--allowed-hosts), like CUBE_ALLOWED_HOSTS=${host.replace(/:\d*$/, '')}`,
      );
    }
    if (!isPageShell(ctx.path)) {
      const why = crossSite(ctx);
      if (why) {
        throw new HttpError(
          403,
          `cross-site request refused: ${why}. A web page on another site may not use Cube's API; ` +
            `use the live view this server serves at /ui, curl or the cube command`,
        );
      }
    }
    await next();
  };
}
