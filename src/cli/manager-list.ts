// Where the `cube` commands find the manager: -m/--manager, else CUBE_MANAGER,
// else localhost:5556; each may name several managers (on etcd, docs/ha.md),
// and a command tries the next when one does not answer.
import { parseHostPort } from '../config/host-port.js';
import { UsageError } from './args.js';

export const DEFAULT_MANAGER = 'localhost:5556';

/**
 * The manager's base URL from `host:port` (a bare host gets port 5556; an
 * http:// or https:// URL is taken as it is). `from` names where the text came from.
 */
export function managerUrl(text: string, from: string): string {
  const trimmed = text.trim();
  if (/^https?:\/\/[^/\s]+\/?$/.test(trimmed)) return trimmed.replace(/\/$/, '');
  const address = parseHostPort(trimmed, 5556);
  if (!address) throw new UsageError(`${from}: ${JSON.stringify(text)} is not host:port (like localhost:5556 or 10.0.0.5:5556)`);
  return `http://${address.host}:${address.port}`;
}

/** Where the list came from, named in messages so a person knows what to change. */
export type ListSource = '-m/--manager' | 'CUBE_MANAGER' | 'the default manager';

/**
 * The managers of `text`: one address, or several separated by commas
 * (`a:5556,b:5556,c:5556`, as `cube worker --join` takes them), in order,
 * each once.
 */
export function managerUrls(text: string, from: ListSource): string[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) {
    throw new UsageError(`${from}: ${JSON.stringify(text)} has an empty address; give host:port, or several separated by commas (a:5556,b:5556)`);
  }
  return [...new Set(parts.map((part) => managerUrl(part, from)))];
}

/** `host:port` of a base URL, as messages show a manager. */
export const addressOf = (url: string): string => url.replace(/^https?:\/\//, '');

/**
 * The managers a command may use and the one it uses now: it stays with one
 * that answers, and moves on to the next (round the list) when that one does
 * not, so a command works through any manager of several on etcd, whichever leads.
 */
export class ManagerList {
  private at = 0;

  constructor(
    readonly urls: readonly string[],
    readonly source: ListSource,
  ) {
    if (urls.length === 0) throw new Error('a list of managers needs at least one');
  }

  get current(): string {
    return this.urls[this.at]!;
  }

  /** Moves on to the next manager of the list (the first after the last). */
  advance(): void {
    this.at = (this.at + 1) % this.urls.length;
  }
}
