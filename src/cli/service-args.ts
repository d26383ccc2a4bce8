// The words `cube service` commands take after their name: the one service
// they act on, and the NAME N (or NAME=N, as docker service scale takes it)
// of a scale. Each refusal says how to write it.
import { UsageError } from './args.js';

/**
 * The one service NAME of `cube service <command> NAME`; `doing` says what the
 * command does to it ("deletes"), for the error when there are several.
 */
export function oneService(positionals: readonly string[], command: string, doing: string): string {
  if (positionals.length === 0) throw new UsageError(`which service? give its name: cube service ${command} NAME (cube service ls lists them)`);
  if (positionals.length > 1) throw new UsageError(`${doing} one service at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

/** The service and count of `cube service scale NAME N` (or `NAME=N`). */
export function scaleArgs(positionals: readonly string[]): { name: string; count: number } {
  const words = positionals.length === 1 && positionals[0]!.includes('=') ? positionals[0]!.split('=') : [...positionals];
  const [name = '', count = ''] = words;
  if (words.length !== 2 || name === '') {
    throw new UsageError(`give one service and its count, like cube service scale web 5${positionals.length ? `, not ${positionals.join(' ')}` : ''}`);
  }
  if (!/^\d+$/.test(count)) throw new UsageError(`the count ${JSON.stringify(count)} is not a whole number: write it like cube service scale ${name} 5`);
  return { name, count: Number(count) };
}
