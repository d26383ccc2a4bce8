// What an HTTP route answers when its handler returns or throws, as
// src/http/errors.ts maps it: HttpError → its status, ValidationError → 400,
// anything else → 500 (an exception the route did not expect). The simulated
// network and the simulated user both go through this, so a status code here
// is the one a real client would get.
import { HttpError } from '../../src/http/errors.js';
import { ValidationError } from '../../src/task/codec.js';

export interface Answer {
  status: number;
  body: unknown;
  /** The exception behind a 500, for the report. */
  internal?: unknown;
}

export function failure(error: unknown): Answer {
  if (error instanceof HttpError) return { status: error.status, body: { HTTPStatusCode: error.status, Message: error.message } };
  if (error instanceof ValidationError) return { status: 400, body: { HTTPStatusCode: 400, Message: error.message } };
  return { status: 500, body: { HTTPStatusCode: 500, Message: 'internal error' }, internal: error };
}

export function answer(status: number, run: () => unknown): Answer {
  try {
    return { status, body: run() };
  } catch (error) {
    return failure(error);
  }
}

export async function answerAsync(status: number, run: () => Promise<unknown>): Promise<Answer> {
  try {
    return { status, body: await run() };
  } catch (error) {
    return failure(error);
  }
}

export const messageOf = (a: Answer): string => String((a.body as { Message?: unknown } | undefined)?.Message ?? '');

/** What crosses a process boundary is bytes: a JSON round trip, as HTTP gives. */
export const wire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
