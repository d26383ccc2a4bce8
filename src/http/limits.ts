// The settings an API's server was made with, found from a request: the
// stream buffer and the body's cap and deadline are read where the routes need them,
// without threading them through every route.
import type Koa from 'koa';
import type { Context } from 'koa';
import { readSettings, type Settings } from '../config/settings.js';

/** What the HTTP edge of an API reads from Cube's settings. */
export type ServerSettings = Pick<
  Settings,
  | 'token'
  | 'allowedHosts'
  | 'maxConnections'
  | 'headersTimeoutMs'
  | 'bodyTimeoutMs'
  | 'requestTimeoutMs'
  | 'keepAliveTimeoutMs'
  | 'streamBuffer'
  | 'bodyMax'
  | 'recordMax'
  | 'tlsDir'
>;

const byApp = new WeakMap<Koa, ServerSettings>();
let defaults: Settings | undefined;

export function setServerSettings(app: Koa, settings: ServerSettings): void {
  byApp.set(app, settings);
}

/** The app's settings; an app made without them (a test's own) gets the defaults. */
export function serverSettingsOf(app: Koa): ServerSettings {
  return byApp.get(app) ?? (defaults ??= readSettings({}, {}));
}

export const streamBufferOf = (ctx: Context) => serverSettingsOf(ctx.app).streamBuffer;
export const bodyTimeoutOf = (ctx: Context) => serverSettingsOf(ctx.app).bodyTimeoutMs;
export const bodyMaxOf = (ctx: Context) => serverSettingsOf(ctx.app).bodyMax;
