// @ts-check
// How the live view reads the manager's data: with the token when it holds
// one, and never from the browser's cache, since what it reads is live.
import { authHeaders } from './token.js';

/** @param {string} path @param {AbortSignal} [signal] */
export const read = (path, signal) => fetch(path, { headers: authHeaders(), signal, cache: 'no-store' });
