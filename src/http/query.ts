// Query parameters both APIs read, checked like bodies: a wrong one is a 400
// that says what was expected.
import type { Context } from 'koa';
import { HttpError } from './errors.js';

/** `?since=` (or Last-Event-ID): a version, a whole number ≥ 0. */
export function versionParameter(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new HttpError(400, `since: expected a version (a whole number ≥ 0, the id of the last event read), got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Where an event stream resumes: `?since=`, or the Last-Event-ID an EventSource sends when it reconnects. */
export const resumeFrom = (ctx: Context): number | undefined => versionParameter(ctx.query['since'] ?? (ctx.get('last-event-id') || undefined));
