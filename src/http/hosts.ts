// Which `Host` headers a Cube API answers to: the defence against DNS
// rebinding, where a web page on a name its attacker controls re-points that
// name at 127.0.0.1 and reads the API as if it were its own origin. The
// attacker needs a name to do that, so IP addresses are always fine (Vite's
// rule); names are fine when they are loopback names, the address the API
// listens on, this machine's hostname, or listed in CUBE_ALLOWED_HOSTS.
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export interface HostRule {
  /** Any Host at all (CUBE_ALLOWED_HOSTS=*). */
  any: boolean;
  names: Set<string>;
  /** Suffixes like ".example.com": the name's subdomains (and the name itself). */
  suffixes: string[];
}

/** The rule from CUBE_ALLOWED_HOSTS ("a.example,.b.example" or "*") and the names the server listens on. */
export function hostRule(allowedHosts: string, listenHosts: string[] = []): HostRule {
  const entries = allowedHosts
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  const names = new Set(['localhost', hostname().toLowerCase(), ...listenHosts.map((h) => h.toLowerCase())]);
  const suffixes = ['.localhost'];
  for (const entry of entries) {
    if (entry.startsWith('.')) {
      suffixes.push(entry);
      names.add(entry.slice(1));
    } else names.add(entry);
  }
  return { any: entries.includes('*'), names, suffixes };
}

/** The name part of a Host header: "Example.com:5556" → "example.com", "[::1]:5556" → "::1". */
export function hostName(header: string): string {
  const trimmed = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(trimmed);
  if (bracketed) return bracketed[1]!;
  return trimmed.replace(/:\d*$/, '').replace(/\.$/, '');
}

/** True when a request with this Host header may be answered; an absent header (HTTP/1.0, no browser) may. */
export function hostAllowed(header: string | undefined, rule: HostRule): boolean {
  if (rule.any || header === undefined || header === '') return true;
  const name = hostName(header);
  if (isIP(name) !== 0) return true;
  return rule.names.has(name) || rule.suffixes.some((suffix) => name.endsWith(suffix));
}
