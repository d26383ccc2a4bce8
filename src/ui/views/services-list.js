// @ts-check
// The services list: a row per service, by name, with the version it wants
// and that version's image, its state, its copies (wanted / running /
// healthy: Count, and how many hold a place and are healthy) and its last
// deployment, a progress bar while it goes on. A row (a click, or Enter on
// it) shows the service's page.
import { $, el } from '../dom.js';
import { count } from '../format.js';
import { services } from '../store.js';
import { deploymentCell } from './deployment.js';
import { pageRows } from './page-rows.js';
import { serviceBadge } from './state-badge.js';

const list = pageRows('service', 'data-service');

/** Every row again, in name order: each event of a service changes its row, adds one or removes one, and there are few. */
export function renderServices() {
  list.prune((name) => services.has(name));
  const body = $('#services tbody');
  for (const [i, name] of [...services.keys()].sort().entries()) {
    const service = /** @type {import('../store.js').Service} */ (services.get(name));
    const { row } = list.row(name);
    const image = service.Versions.find((v) => v.Version === service.Version)?.Task.Image ?? '';
    row.setAttribute('data-state', service.StateName);
    row.replaceChildren(
      el('td', { class: 'name' }, el('div', { text: name }), el('div', { class: 'muted small', text: `version ${service.Version} · ${image}` })),
      el('td', {}, serviceBadge(service.StateName)),
      el('td', { class: 'num copies-count', text: `${service.Count} / ${service.Running} / ${service.Healthy}` }),
      el('td', { class: 'deployment' }, deploymentCell(service.Deployment)),
    );
    // Only a row out of place is moved: a row taken out of the table loses its focus.
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] ?? null);
  }
  $('#no-services').hidden = services.size > 0;
  $('#service-count').textContent = count(services.size, 'service');
}

/** Marks the row of the service the address shows, and only that one. */
export const markSelectedService = list.markSelected;
