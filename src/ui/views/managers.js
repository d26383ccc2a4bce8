// @ts-check
// The managers, when several share etcd (docs/ha.md): each with its role, the
// one that leads marked with its term, which one served this page, and the
// changes of leader this page saw. With one manager on its own store GET
// /nodes lists no manager, and the card stays hidden.
// Hooks: #managers-card, #managers tr[data-manager][data-state] (leader | follower),
// #leader-changes li[data-leader][data-term].
import { $, el } from '../dom.js';
import { age, clock } from '../format.js';
import { leaderChanges, managers } from '../store.js';

export function renderManagers() {
  $('#managers-card').hidden = managers.length === 0;
  const leader = managers.find((m) => m.State === 'leader');
  $('#manager-count').textContent = leader ? `${leader.Name} leads (term ${leader.Term})` : managers.length ? 'no manager leads right now' : '';
  $('#managers tbody').replaceChildren(
    ...managers.map((m) =>
      el(
        'tr',
        { 'data-manager': m.Name, 'data-state': m.State },
        el('td', { class: 'name' }, el('div', { text: m.Name }), el('div', { class: 'mono muted small', text: m.Api })),
        el('td', {}, el('span', { class: `badge role-${m.State}`, text: m.State })),
        el('td', { class: 'mono small', text: m.Term || '—' }),
        el('td', { class: 'num', text: age(m.Since) }),
        el('td', { class: 'muted small', text: m.Address === location.host ? 'this page' : '' }),
      ),
    ),
  );
  $('#leader-changes').replaceChildren(
    ...[...leaderChanges]
      .reverse()
      .map((change) =>
        el(
          'li',
          { 'data-leader': change.to, 'data-term': change.term },
          el('time', { class: 'mono', text: clock(change.at), dateTime: change.at }),
          el('span', { text: change.from ? `${change.from} → ${change.to}` : `${change.to} leads` }),
          el('span', { class: 'muted small', text: `term ${change.term}${change.from ? '' : ', when the page connected'}` }),
        ),
      ),
  );
}
