// `cube service create`, `update` and `rollback` follow the rollout they ask
// for until it is over: succeeded, rolled back, paused or failed. They react
// to GET /events, opened before the command is sent so no change is missed:
// each service.updated of the service newer than the answer (its Revision)
// moves the display on; after a break of the stream, the service is read
// again, since the manager replays task changes only. The rollout itself is
// the manager's: Ctrl-C or the ceiling ends the watching, never the rollout.
import type { Service } from '../vocabulary/service.js';
import type { Flags } from './args.js';
import { outputFlags, outputOf } from './flags.js';
import { liveDisplay } from './live-display.js';
import type { StreamEvent } from '../http/sse-client.js';
import { ApiError } from './manager-client.js';
import type { ServiceApi } from './service-client.js';
import { answeredOutcome, commandLine, judge, progressText, rolloutLiveLine, type Goal, type Outcome } from './service-views.js';
import { followStream, waitOptions, type FollowOptions } from './wait.js';

/** The service as it is now, or null when it is gone (404). */
async function reread(api: ServiceApi, name: string): Promise<Service | null> {
  try {
    return await api.get(name);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Sends the command (`ask`), then follows the rollout it starts until it is
 * over; returns the exit code: 0 when it reached `goal`, 1 when it did not (or
 * the ceiling came first), 130 on Ctrl-C.
 */
async function followRollout(api: ServiceApi, name: string, ask: () => Promise<Service>, goal: Goal, options: FollowOptions): Promise<number> {
  const { client } = api;
  const controller = new AbortController();
  const stream = await client.events(controller.signal, { notice: (line) => process.stderr.write(`cube ${options.command}: ${line}\n`) });
  const started = Date.now();
  let answer: Service;
  try {
    answer = await ask();
  } catch (error) {
    controller.abort();
    throw error;
  }
  const print = (service: Service, outcome: Outcome) => {
    process.stdout.write(options.json ? `${JSON.stringify(service, null, 2)}\n` : `${outcome.line}\n`);
    return outcome.code;
  };
  const atOnce = answeredOutcome(answer, goal);
  if (atOnce) {
    controller.abort();
    return print(answer, atOnce);
  }

  const show = liveDisplay<Service>({ tty: options.tty, started, line: rolloutLiveLine, entries: (s) => s.Events, progress: progressText });
  show.seen({ ...answer, Events: answer.Events.slice(0, -1) }); // the command's own entry is news
  show.update(answer);
  const goesOn = `the rollout goes on: cube service ps ${name}`;

  let current = answer;
  let outcome: Outcome | undefined;
  let gone = false;
  let before = true; // the first snapshot is from before the command
  const step = async ({ type, data }: StreamEvent): Promise<boolean> => {
    let latest: Service | null | undefined;
    if (type === 'service.updated' && data.service?.Name === name) latest = data.service as Service;
    else if (type === 'service.removed' && data.service === name) latest = null;
    else if (type === 'resumed') latest = await reread(api, name);
    else if (type === 'snapshot' && !before) latest = (data.services as Service[]).find((s) => s.Name === name) ?? null;
    before &&= type !== 'snapshot';
    gone = latest === null;
    if (gone) return true;
    if (!latest || latest.Revision <= current.Revision) return false;
    current = latest;
    show.update(current);
    outcome = judge(current, answer, goal, Date.now() - started);
    return outcome !== undefined;
  };
  const lost = (reason: string) => `lost the connection to the manager at ${client.url} while following service ${name} (${reason}); ${goesOn}`;
  const interrupted = await followStream(stream, controller, options.timeoutMs, show, step, lost);

  if (interrupted === 'SIGINT') {
    process.stderr.write(`cube ${options.command}: stopped watching; ${goesOn}\n`);
    return 130;
  }
  if (interrupted === 'timeout') {
    process.stdout.write(
      `after ${options.timeoutText}, service ${name} is still ${progressText(current) || current.StateName}; Cube keeps at it: cube service ps ${name} shows where it is, cube service rollback ${name} goes back\n`,
    );
    return 1;
  }
  if (gone) throw new Error(`service ${name} was deleted while its rollout was followed`);
  if (!outcome) throw new Error(`the manager at ${client.url} closed its event stream while service ${name} was followed; ${goesOn}`);
  return print(current, outcome);
}

/** How long a rollout is followed by default: each copy has its HealthyDeadline (5m unless set), so this is generous. */
export const ROLLOUT_TIMEOUT = '30m';

/** The flags of the commands that start a rollout and follow it. */
export const rolloutFlags: Flags = {
  detach: { type: 'boolean', short: 'd', help: 'print what the manager answered and return at once, without following the rollout' },
  ...outputFlags,
  output: { ...outputFlags['output']!, help: 'table (a sentence, the default) or json: the service as the rollout left it (with -d, as the manager answered)' },
  timeout: {
    type: 'string',
    value: 'DURATION',
    help: `give up following after this long (default ${ROLLOUT_TIMEOUT}; 0 follows until it is over); the rollout goes on`,
  },
};

/**
 * What `cube service create`, `update` and `rollback` do once they know what
 * to ask (`ask`, not yet sent): with -d, send it and print the answer; else
 * follow the rollout it starts until it reaches `goal`, or not.
 */
export async function rollout(
  api: ServiceApi,
  name: string,
  ask: () => Promise<Service>,
  goal: Goal,
  flags: Record<string, string>,
  command: string,
): Promise<number> {
  const wait = { ...waitOptions(flags, command, ROLLOUT_TIMEOUT), json: outputOf(flags) === 'json' };
  if (flags['detach'] === undefined) return followRollout(api, name, ask, goal, wait);
  const answer = await ask();
  process.stdout.write(wait.json ? `${JSON.stringify(answer, null, 2)}\n` : `${commandLine(answer)}; cube service ps ${answer.Name} shows how far it is\n`);
  return 0;
}
