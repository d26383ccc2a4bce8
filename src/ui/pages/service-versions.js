// @ts-check
// A service's versions on its page, newest first: when each came, what it
// changed from the version kept before it (a key of the task, of Update, or
// the ShutdownDelay), and which one the service wants now and which is
// stable (where a rollback goes).
import { $, el } from '../dom.js';
import { when } from '../format.js';

/** @typedef {import('../store.js').Service} Service */
/** @typedef {import('../../vocabulary/service.js').ServiceVersion} ServiceVersion */

/** A version's definition as one level of keys: the task's, Update's (as Update.<key>), and ShutdownDelay. @param {ServiceVersion} v */
const keysOf = (v) => ({
  ...v.Task,
  ...Object.fromEntries(Object.entries(v.Update).map(([key, value]) => [`Update.${key}`, value])),
  ShutdownDelay: v.ShutdownDelay,
});

/** @param {unknown} value */
const written = (value) => (typeof value === 'string' && value !== '' ? value : JSON.stringify(value));

/** What `version` changed from `before` (the version kept before it), a line a key. @param {ServiceVersion} version @param {ServiceVersion | undefined} before */
function changes(version, before) {
  if (!before) return [version.Version === 1 ? `the first: ${version.Task.Image}` : `${version.Task.Image} (the versions before it are no longer kept)`];
  /** @type {Record<string, unknown>} */
  const now = keysOf(version);
  /** @type {Record<string, unknown>} */
  const then = keysOf(before);
  const lines = [...new Set([...Object.keys(then), ...Object.keys(now)])]
    .filter((key) => JSON.stringify(then[key]) !== JSON.stringify(now[key]))
    .map((key) => `${key}: ${written(then[key])} → ${written(now[key])}`);
  if (lines.length === 0) return [`the same as version ${before.Version}`];
  return before.Version === version.Version - 1 ? lines : [`from version ${before.Version}:`, ...lines];
}

/** @param {Service} service */
export function renderVersions(service) {
  const versions = [...service.Versions].sort((a, b) => a.Version - b.Version);
  const rows = versions.map((version, i) => {
    const current = version.Version === service.Version;
    const stable = version.Version === service.Stable;
    return el(
      'tr',
      { 'data-version': String(version.Version), 'data-current': String(current), 'data-stable': String(stable) },
      el('td', { class: 'type nowrap', text: `version ${version.Version}` }),
      el('td', { class: 'mono nowrap', text: when(version.Created), title: version.Created }),
      el('td', {}, ...changes(version, versions[i - 1]).map((line) => el('div', { class: 'change', text: line }))),
      el(
        'td',
        { class: 'nowrap' },
        current ? el('span', { class: 'badge tag state-deploying', text: 'wanted now' }) : '',
        stable ? el('span', { class: 'badge tag state-stable', text: 'stable' }) : '',
      ),
    );
  });
  $('#service-versions tbody').replaceChildren(...rows.reverse());
}
