// @ts-check
// How the live view talks to the manager: with the token when it holds one,
// never from the browser's cache (what it reads is live), and through the same
// API as curl and the cube command. The browser adds its own Origin and
// Sec-Fetch-Site headers, which the manager's browser checks accept from its
// own page (src/http/browser-guard.ts).
import { authHeaders } from './token.js';

/** @param {string} path @param {AbortSignal} [signal] */
export const read = (path, signal) => fetch(path, { headers: authHeaders(), signal, cache: 'no-store' });

/**
 * What a command answered: `ok` for a 2xx, the body as JSON when it is some,
 * and in `message` what went wrong in the API's own words (its `Message`), or
 * why there was no answer.
 * @typedef {{ ok: boolean, status: number, body: any, message: string }} Answer
 */

/**
 * Sends a command (POST, DELETE) and never throws: the page shows the answer where the action was asked.
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<Answer>}
 */
export async function send(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...authHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    return { ok: false, status: 0, body: null, message: `the manager did not answer ${method} ${path} (${error instanceof Error ? error.message : error})` };
  }
  const text = await response.text().catch(() => '');
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the status says it
  }
  const message = response.ok
    ? (parsed?.Message ?? '')
    : (parsed?.Message ?? `${method} ${path} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  return { ok: response.ok, status: response.status, body: parsed, message };
}
