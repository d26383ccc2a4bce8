// Parses `cube <command> [positionals] [--flag value | --flag=value | --switch]`.
// Which flags are switches (take no value) is given, so `--json ID` reads right.

export interface Args {
  positionals: string[];
  /** Flag values by name without dashes; switches map to "". */
  flags: Record<string, string>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Short flags and the long names they stand for. */
const aliases: Record<string, string> = { m: 'manager', f: 'file', h: 'help', d: 'detach' };

export function parseArgs(argv: string[], switches: ReadonlySet<string>): Args {
  const positionals: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!match) {
      positionals.push(arg);
      continue;
    }
    const name = arg.startsWith('--') ? match[1]! : (aliases[match[1]!] ?? match[1]!);
    if (match[2] !== undefined) flags[name] = match[2];
    else if (switches.has(name)) flags[name] = '';
    else if (i + 1 < argv.length) flags[name] = argv[++i]!;
    else throw new UsageError(`--${name} needs a value`);
  }
  return { positionals, flags };
}
