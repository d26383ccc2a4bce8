// docs/cli.md and docs/configuration.md hold to what `--help` prints: every
// command has its section with the same synopsis, documents exactly the flags
// its --help lists, and the settings table says who reads each setting and its
// default as `cube worker|manager|start --help` show them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { everyCommand } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { commandHelp } from '../../src/cli/help.js';

const cliDoc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
const configDoc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** The flags in the "Flags:" part of a --help, as "--name" (and "-s"), without --help. */
function helpFlags(help: string): string[] {
  const part = help.split('\nFlags:\n')[1]!.split('\n\n')[0]!;
  return part
    .split('\n')
    .map((line) => /^\s+(?:-(\w), )?\s*--([\w-]+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2] !== 'help')
    .flatMap((m) => [`--${m[2]}`, ...(m[1] ? [`-${m[1]}`] : [])]);
}

/** The section of docs/cli.md about `cube NAME`. */
function section(name: string): string {
  const start = cliDoc.indexOf(`\n## \`cube ${name}\`\n`);
  assert.ok(start >= 0, `docs/cli.md has a section "## \`cube ${name}\`"`);
  const end = cliDoc.indexOf('\n## ', start + 1);
  return cliDoc.slice(start, end < 0 ? undefined : end);
}

test('docs/cli.md has a section for every command (and group of commands), with the synopsis of its --help', { timeout: 10_000 }, () => {
  for (const [name, command] of [...Object.entries(commands), ...everyCommand(commands)]) {
    const usage = /^usage: (.*)$/m.exec(commandHelp(command))![1]!;
    const synopsis = /```\n(.*)\n```/.exec(section(name))?.[1];
    assert.equal(synopsis, usage, `cube ${name}`);
  }
});

test('docs/cli.md documents exactly the flags each command takes', { timeout: 10_000 }, () => {
  for (const [name, command] of everyCommand(commands)) {
    const text = section(name);
    const taken = helpFlags(commandHelp(command));
    for (const flag of taken) assert.match(text, new RegExp(`(?:^\\| |, )\`${flag}(?: [^\`]+)?\``, 'm'), `cube ${name}: ${flag} is documented in its table`);
    const documented = [...text.matchAll(/^\| `(-{1,2}[\w-]+)[^`]*`(?:, `(-{1,2}[\w-]+)[^`]*`)?/gm)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])]);
    for (const flag of documented) assert.ok(taken.includes(flag), `cube ${name}: docs/cli.md documents ${flag}, which cube ${name} --help does not list`);
  }
});

interface Row {
  env: string;
  flag: string;
  fallback: string;
  readBy: string;
}

/** The settings table of docs/configuration.md. */
const rows: Row[] = [...configDoc.matchAll(/^\| `(CUBE_\w+)` \| `(--[\w-]+)` \| `?([^`|]+?)`? \| (worker|manager|both) \|/gm)].map((m) => ({
  env: m[1]!,
  flag: m[2]!,
  fallback: m[3]!.trim(),
  readBy: m[4]!,
}));

/** The settings part of a server's --help: flag, variable and default per line. */
function helpSettings(name: string): { flag: string; env: string; fallback: string }[] {
  const part = commandHelp(commands[name]!).split(/\nSettings \(.*\):\n/)[1]!;
  return part
    .trimEnd()
    .split('\n')
    .map((line) => /^\s+(--[\w-]+)\s+(CUBE_\w+)\s+(\S+)/.exec(line)!)
    .map((m) => ({ flag: m[1]!, env: m[2]!, fallback: m[3]!.replace(homedir(), '~') }));
}

test('docs/configuration.md lists every setting with its flag, default and who reads it, as the servers --help shows them', { timeout: 10_000 }, () => {
  assert.ok(rows.length >= 15, `the table was read: ${rows.length} rows`);
  const readers: Record<string, readonly string[]> = { worker: ['worker', 'both'], manager: ['manager', 'both'], start: ['worker', 'manager', 'both'] };
  for (const [server, readBy] of Object.entries(readers)) {
    const shown = helpSettings(server);
    assert.deepEqual(
      shown.map((s) => s.env),
      rows.filter((r) => readBy.includes(r.readBy)).map((r) => r.env),
      `cube ${server} --help lists the settings docs/configuration.md says it reads`,
    );
    for (const setting of shown) {
      const row = rows.find((r) => r.env === setting.env)!;
      assert.equal(row.flag, setting.flag, setting.env);
      assert.equal(row.fallback, setting.fallback, `${setting.env}: the default`);
    }
  }
});

test('cube tls --help gives the lifetimes the certificates are made with', { timeout: 10_000 }, async () => {
  const { CA_DAYS, CERT_DAYS } = await import('../../src/tls/certificates.js');
  assert.match(commandHelp(commands['tls']!), new RegExp(`Certificates last ${CERT_DAYS} days, the CA ${CA_DAYS};`));
});
