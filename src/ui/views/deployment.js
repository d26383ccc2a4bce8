// @ts-check
// A service's last deployment (Service.Deployment) as the list and the
// service's page show it: in words, and while it goes on as a progress bar of
// the copies of the version it rolls out (or back to) that count as healthy,
// of Count.
import { el } from '../dom.js';

/** @typedef {import('../../vocabulary/service.js').Deployment} Deployment */

/** It goes on: a new version rolls out, or the service rolls back. @param {Deployment | null} deployment */
export const inProgress = (deployment) => deployment?.State === 'running' || deployment?.State === 'rolling-back';

/**
 * What the deployment does, or did. While rolling back, `Version` is the
 * version that failed and `From` the one it goes back to.
 * @param {Deployment} d
 */
export function deploymentWords(d) {
  switch (d.State) {
    case 'running':
      return d.From ? `version ${d.From} → ${d.Version}` : `version ${d.Version}, the first`;
    case 'rolling-back':
      return `version ${d.Version}, rolling back to ${d.From}`;
    case 'succeeded':
      return `version ${d.Version} deployed`;
    case 'rolled-back':
      return `version ${d.Version} rolled back to ${d.From}`;
    default:
      return `version ${d.Version} ${d.State}`;
  }
}

/** The bar and its count ("1/3"); data-done and data-total keep them for tests. @param {Deployment} d */
export function progressBar(d) {
  const fill = el('span', { class: 'fill' });
  fill.style.width = `${d.Count > 0 ? Math.min(100, (100 * d.Healthy) / d.Count) : 100}%`;
  return el(
    'span',
    { class: 'progress-line' },
    el(
      'span',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': String(d.Count),
        'aria-valuenow': String(d.Healthy),
        'aria-label': `${d.Healthy} of ${d.Count} copies healthy`,
        'data-done': String(d.Healthy),
        'data-total': String(d.Count),
      },
      fill,
    ),
    el('span', { class: 'num small', text: `${d.Healthy}/${d.Count}` }),
  );
}

/** The deployment in a list's cell: its words, and its bar while it goes on. @param {Deployment | null} d */
export function deploymentCell(d) {
  if (!d) return el('span', { class: 'muted', text: '—' });
  return el(
    'div',
    { class: `deploy deploy-${d.State}`, title: d.Reason },
    el('div', { class: 'small', text: deploymentWords(d) }),
    inProgress(d) ? progressBar(d) : '',
  );
}
