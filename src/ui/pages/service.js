// @ts-check
// The service page (#service=<name>): the service's facts, its deployment
// (a progress bar while it goes on), its copies (service-copies.js, each
// opening its task's page), its versions (service-versions.js), its history
// (Service.Events) and its machine with its state highlighted
// (machine-diagram.js). It is drawn again at each change of the service, of
// its endpoints, or of one of its copies.
import { $, el } from '../dom.js';
import { when } from '../format.js';
import { services } from '../store.js';
import { deploymentWords, inProgress, progressBar } from '../views/deployment.js';
import { fact } from '../views/facts.js';
import { renderHistory } from '../views/history.js';
import { serviceBadge } from '../views/state-badge.js';
import { shown } from '../route.js';
import { itemPage } from './item-page.js';
import { drawMachine } from './machine-diagram.js';
import { renderCopies } from './service-copies.js';
import { askEndpoints } from './service-endpoints.js';
import { renderVersions } from './service-versions.js';

/** @typedef {import('../store.js').Service} Service */

/** @param {Service} service */
function renderFacts(service) {
  const page = $('#service');
  page.setAttribute('data-service', service.Name);
  page.setAttribute('data-state', service.StateName);
  $('#service-name').textContent = service.Name;
  $('#service-summary').textContent = `version ${service.Version}${service.Stable ? `; stable: version ${service.Stable}` : '; no version stable yet'}`;
  $('#service-state').replaceWith(Object.assign(serviceBadge(service.StateName), { id: 'service-state' }));
  const version = service.Versions.find((v) => v.Version === service.Version);
  const update = version?.Update;
  $('#service-facts').replaceChildren(
    ...fact('Image', version?.Task.Image ?? '—', true),
    ...fact('Copies', `${service.Count} wanted, ${service.Running} running, ${service.Healthy} healthy`),
    ...fact('Ports', Object.keys(version?.Task.ExposedPorts ?? {}).join(', ') || '—', true),
    ...fact('Health check', version?.Task.HealthCheck || 'none: Running counts'),
    ...fact(
      'Update',
      update
        ? `${update.Parallelism} at a time, ${update.Order}; healthy for ${update.MinHealthy} within ${update.HealthyDeadline}; on failure ${update.OnFailure}`
        : '—',
    ),
    ...fact('Shutdown delay', version?.ShutdownDelay ?? '—'),
    ...fact('Created', when(service.Created)),
  );
}

/** @param {Service} service */
function renderDeployment(service) {
  const d = service.Deployment;
  const box = $('#service-deployment');
  box.setAttribute('data-state', d?.State ?? '');
  box.replaceChildren(
    ...(d
      ? [
          el('span', { class: 'label', text: 'Deployment' }),
          el('span', { class: 'words', text: deploymentWords(d) }),
          inProgress(d) ? progressBar(d) : '',
          el('span', { class: 'muted small', text: d.Finished ? `ended ${when(d.Finished)}` : `since ${when(d.Started)}` }),
        ]
      : []),
  );
  const reason = $('#service-reason');
  reason.hidden = !d?.Reason;
  reason.textContent = d?.Reason ?? '';
}

/** @param {Service} service */
function draw(service) {
  renderFacts(service);
  renderDeployment(service);
  renderCopies(service.Name);
  askEndpoints(service.Name, () => {
    if (shown('service') === service.Name) renderCopies(service.Name);
  });
  renderVersions(service);
  renderHistory($('#service-history tbody'), service.Events);
  drawMachine('service', service.StateName, service.Name);
}

/** The Page of pages.js that shows a service. */
export const servicePage = itemPage('#service', services, draw);
