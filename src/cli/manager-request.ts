// One request of a `cube` command to a list of managers (src/cli/manager-list.ts):
// to the one in use, or the next when it does not answer, so the command
// works through the failover of several managers on etcd (docs/ha.md). A
// manager that answers 503 with Retry-After (no manager leads yet, a
// follower whose leader is gone) is asked again, the next one first, for a
// few seconds: an election takes about CUBE_LEADER_LEASE. What is repeated is
// only what cannot be done twice: a read, or a command the manager said it
// did nothing with (Cube-Retry-Safe).
import { setTimeout as pause } from 'node:timers/promises';
import { cubeHeaders } from '../http/cube-headers.js';
import type { Answer } from './http.js';
import type { ManagerList } from './manager-list.js';

/** A manager that gave no answer, and why in a word or two. */
export interface Miss {
  url: string;
  reason: string;
}

/** No manager of the list answered at all. */
export class NoManagerAnswered extends Error {
  override name = 'NoManagerAnswered';
  constructor(readonly misses: readonly Miss[]) {
    super(misses.map((m) => `${m.url} (${m.reason})`).join(', '));
  }
}

/** A command was sent and its connection broke before an answer: it may have been carried out, so it is not sent again. */
export class OutcomeUnknown extends Error {
  override name = 'OutcomeUnknown';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
  }
}

/** Connection errors after which the manager surely never got the request. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** The error code of a failed request (node's, or of the first address of several that failed alike). */
export function errorCode(error: unknown): string | undefined {
  const e = error as Error & { code?: string; errors?: { code?: string }[]; cause?: { code?: string } };
  return e.code ?? e.errors?.find((x) => x.code)?.code ?? e.cause?.code;
}

/** A 503 to ask again in a moment: a read, or a command the manager says it did nothing with. */
function askAgain(method: string, answer: Answer): boolean {
  if (answer.status !== 503 || answer.header('retry-after') === undefined) return false;
  return method === 'GET' || answer.header(cubeHeaders.retrySafe) === 'true';
}

/** The pause a 503 asks for (Retry-After, in seconds), at most 2 s. */
function retryAfterMs(answer: Answer): number {
  const seconds = Number(answer.header('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 2) * 1000 : 1000;
}

export interface RequestOptions {
  method: string;
  /** How long 503s with Retry-After are asked again, in all. */
  retryMs: number;
  /** Why an attempt failed, in words (reachError). */
  reason: (error: unknown) => string;
  signal?: AbortSignal | undefined;
}

/**
 * The answer of the first manager, from the one in use, that answers
 * `attempt` (which sends the request to one base URL). A manager that does not
 * answer moves the list on to the next; when none of them answers, rejects with
 * NoManagerAnswered. A command (not a GET) whose connection broke after it was
 * sent rejects with OutcomeUnknown. An aborted `signal` rejects with its reason.
 */
export async function requestAny(managers: ManagerList, attempt: (url: string) => Promise<Answer>, options: RequestOptions): Promise<Answer> {
  const deadline = Date.now() + options.retryMs;
  let misses: Miss[] = [];
  for (;;) {
    const url = managers.current;
    let answer: Answer;
    try {
      answer = await attempt(url);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const reason = options.reason(error);
      if (options.method !== 'GET' && !NOT_DELIVERED.has(errorCode(error) ?? '')) throw new OutcomeUnknown(url, reason);
      misses.push({ url, reason });
      if (misses.length >= managers.urls.length) throw new NoManagerAnswered(misses);
      managers.advance();
      continue;
    }
    if (!askAgain(options.method, answer) || Date.now() >= deadline) return answer;
    answer.discard();
    misses = [];
    await pause(retryAfterMs(answer), undefined, options.signal ? { signal: options.signal } : {});
    managers.advance();
  }
}
