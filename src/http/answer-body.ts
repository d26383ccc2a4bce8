// The body of an answer from another process (a worker, a manager), read with
// a cap: Response.text() and .json() read whatever is sent, so a peer could
// make this process hold gigabytes. The chunks are kept as they come and
// joined once, so the reading is linear.

/** An answer longer than the reader takes: the rest was not read. */
export class AnswerTooLarge extends Error {
  override name = 'AnswerTooLarge';
  constructor(readonly max: number) {
    super(`the answer is larger than ${max} bytes`);
  }
}

/** The first bytes of a body, at most `max`: the rest is not read. */
async function head(response: Response, max: number): Promise<{ bytes: Buffer; whole: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return { bytes: Buffer.alloc(0), whole: true };
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), whole: true };
      size += value.length;
      chunks.push(size > max ? value.subarray(0, value.length - (size - max)) : value);
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        return { bytes: Buffer.concat(chunks), whole: false };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** The body as text; an AnswerTooLarge past `max` bytes. */
export async function answerBody(response: Response, max: number): Promise<string> {
  const { bytes, whole } = await head(response, max);
  if (!whole) throw new AnswerTooLarge(max);
  return bytes.toString('utf8');
}

/** The body as JSON; an AnswerTooLarge past `max` bytes, a SyntaxError when it is not JSON. */
export async function answerJson(response: Response, max: number): Promise<unknown> {
  return JSON.parse(await answerBody(response, max));
}

/** Enough of an error answer to say what it was: its Message when it is Cube's JSON, else its first bytes as text. */
export async function answerText(response: Response, max = 4096): Promise<string> {
  const { bytes, whole } = await head(response, max);
  const text = bytes.toString('utf8');
  try {
    return (JSON.parse(text) as { Message?: string }).Message ?? text;
  } catch {
    return whole ? text : `${text}…`;
  }
}
