// @ts-check
// The page's one connection to the manager: GET /events, read with fetch
// (EventSource cannot send the token in a header), each event handed to
// updates.js, and the status badge in the top bar that says how it goes. A
// stream that breaks is opened again, later each time (1 s, doubling to 15 s),
// after the version last read (?since=), so the manager sends what changed
// instead of everything.
import { read } from './api.js';
import { $ } from './dom.js';
import { EventTooLarge, readEventStream } from './event-stream.js';
import { CLIENT_MAX } from './lines.js';
import { askForToken, token } from './token.js';
import { applyEvent } from './updates.js';

/** @param {string} status @param {string} text */
function setStatus(status, text) {
  const badge = $('#status');
  badge.dataset['status'] = status;
  /** @type {HTMLElement} */ (badge.querySelector('.text')).textContent = text;
  $('#forget-token').hidden = !token();
}

/** @type {AbortController | null} */
let controller = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;
let retryMs = 1000;
/** The version of the last change read: a reconnect resumes after it (?since=) instead of starting over. */
/** @type {number | undefined} */
let lastVersion;

/** @param {string} why */
function retry(why) {
  const seconds = Math.round(retryMs / 1000);
  setStatus('offline', `${why}; reconnecting in ${seconds} s`);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, retryMs);
  retryMs = Math.min(retryMs * 2, 15_000);
}

/** The stream opens with a snapshot, or with `resumed` when nothing was missed: from then on the page is live. */
function live() {
  retryMs = 1000;
  setStatus('live', 'live');
}

/** Opens GET /events anew. Nobody waits for it: follow() turns every failure into a retry or the token form. */
export function connect() {
  void follow();
}

async function follow() {
  clearTimeout(retryTimer);
  controller?.abort();
  const mine = (controller = new AbortController());
  setStatus('connecting', 'connecting…');
  let response;
  try {
    response = await read(`/events${lastVersion === undefined ? '' : `?since=${lastVersion}`}`, mine.signal);
  } catch {
    if (!mine.signal.aborted) retry('the manager does not answer');
    return;
  }
  if (response.status === 401) {
    const body = await response.json().catch(() => null);
    setStatus('auth', 'token needed');
    askForToken(token() ? `The token was refused: ${body?.Message ?? 'it is wrong'}` : body?.Message);
    return;
  }
  if (response.status === 410) {
    // Too far behind to resume: start over from a snapshot, at once.
    lastVersion = undefined;
    connect();
    return;
  }
  if (!response.ok || !response.body) {
    retry(`GET /events answered ${response.status}`);
    return;
  }
  try {
    for await (const event of readEventStream(response.body, CLIENT_MAX)) {
      if (mine.signal.aborted) return;
      applyEvent(event);
      if (event.type === 'snapshot' || event.type === 'resumed') live();
      if (event.id !== undefined) lastVersion = event.id;
    }
  } catch (error) {
    if (mine.signal.aborted) return;
    if (error instanceof SyntaxError || error instanceof EventTooLarge) console.error('cube: an event could not be read', error);
  }
  if (!mine.signal.aborted) retry('the event stream ended');
}
