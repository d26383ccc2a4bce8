// Why a call to another Cube process failed, in words a log line or an answer
// can carry: fetch says only "fetch failed", the code of its cause says more.
// Every caller (the manager's worker proxies, a follower's forward, a joining
// worker) reads a failure the same way.

/** Why a call failed, in words: the error code rather than fetch's "fetch failed". */
export function callError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
