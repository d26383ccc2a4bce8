// Where the `cube` commands find the manager: -m/--manager, else CUBE_MANAGER,
// else localhost:5556.
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
