// @ts-check
// Cube's live view: follows GET /events (server-sent events read with fetch,
// so the token can go in a header), lists the tasks, and draws the selected
// task's state machine with its current state highlighted.
//
// Hooks for tests and scripts (kept stable):
//   #status[data-status]               connecting | live | offline | auth
//   #tasks tr[data-task-id][data-state] one row per task; data-state is Task.StateName
//   #detail[data-task-id][data-state]  the selected task
//   #diagram[data-state][data-highlight] after each drawing: the state shown and its Mermaid id
//   #diagram svg g.current             the highlighted state's node
//   #transitions li[data-state]        state changes seen by this page, newest first
//   #history tr                        Task.Events, newest first
//   #auth, #token-form, #token         the token form, shown when /events answers 401
//   #logs[data-task-id], #logs .line[data-stream]  the selected task's output, followed
//   #logs-status[data-status]          idle | reading | following | ended | none | error
import { EventTooLarge, readEventStream } from './event-stream.js';
import { CLIENT_MAX, LineSplitter } from './lines.js';
import { ports, stateNameLabels } from './words.js';

/** @typedef {import('../vocabulary/task.js').Task} Task */
/** @typedef {import('../vocabulary/log-entry.js').LogEntry} LogEntry */
/** @typedef {import('../manager/views/node-view.js').NodeView} NodeView */
/** @typedef {import('../logs/log-line.js').LogLine} LogLine */
/** @typedef {{ from: string | null, to: string, at: string, how: string }} Transition */
/** @typedef {import('./event-stream.js').StreamEvent} StreamEvent */
/** What the page adds to window: Mermaid (from mermaid.min.js) and hooks for tests. */
/** @typedef {Window & typeof globalThis & { mermaid?: any, cubeStateIds?: Record<string, string> }} CubeWindow */
const page = /** @type {CubeWindow} */ (window);

// The page's state and behaviour, in one block (the module itself keeps them from the global scope).
{
  /** Task.StateName → the Mermaid id of the state drawn for it (mermaidId of src/diagrams/mermaid.ts). */
  /** @type {Record<string, string>} */
  const stateIds = {
    pending: 'pending',
    scheduled: 'scheduled',
    running: 'running',
    stopping: 'stopping',
    completed: 'completed',
    failed: 'failed_halted',
    restarting: 'failed_restarting',
  };
  page.cubeStateIds = stateIds;

  // The labels `cube status` shows too (src/ui/words.js).
  const stateLabels = stateNameLabels;
  const ZERO_TIME = '0001-01-01T00:00:00Z';
  const TOKEN_KEY = 'cube.token';
  const LOG_LIMIT = 60;

  /**
   * The page's element for `selector`; the page is static, so it is there.
   * @template {HTMLElement} [T=HTMLElement]
   * @param {string} selector
   * @returns {T}
   */
  const $ = (selector) => /** @type {T} */ (document.querySelector(selector));
  /**
   * A new element: `class`, `text` and `data-*` props set as such, any other as a property.
   * @param {string} tag
   * @param {Record<string, any>} [props]
   * @param {(Node | string)[]} children
   */
  const el = (tag, props = {}, ...children) => {
    const node = /** @type {HTMLElement & Record<string, any>} */ (document.createElement(tag));
    for (const [key, value] of Object.entries(props)) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('data-')) node.setAttribute(key, value);
      else node[key] = value;
    }
    node.append(...children);
    return node;
  };

  /** @type {Map<string, Task>} */
  const tasks = new Map();
  /** @type {Map<string, NodeView>} */
  const nodes = new Map();
  /** Per task: the state changes this page saw, oldest first. @type {Map<string, Transition[]>} */
  const transitions = new Map();
  let selected = decodeURIComponent((/^#task=(.+)$/.exec(location.hash) || [])[1] || '') || null;
  const logSeen = new Set();

  // ---- time ----------------------------------------------------------------

  /** @param {string | null | undefined} time */
  const isSet = (time) => Boolean(time) && time !== ZERO_TIME;
  /** @param {string | null | undefined} time */
  function age(time, now = Date.now()) {
    if (!isSet(time)) return '—';
    let s = Math.max(0, Math.floor((now - Date.parse(/** @type {string} */ (time))) / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    s %= 60;
    if (m < 60) return `${m}m ${s}s`;
    const h = Math.floor(m / 60);
    if (h < 24) return `${h}h ${m % 60}m`;
    return `${Math.floor(h / 24)}d ${h % 24}h`;
  }
  /** @param {number} n */
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  /** @param {string} time */
  function clock(time) {
    const d = new Date(time);
    if (Number.isNaN(d.getTime())) return '';
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  /** @param {string} time */
  function when(time) {
    if (!isSet(time)) return '—';
    const d = new Date(time);
    const today = new Date().toDateString() === d.toDateString();
    return `${today ? '' : `${d.toLocaleDateString()} `}${clock(time)} (${age(time)} ago)`;
  }

  // ---- token -----------------------------------------------------------------

  const token = () => sessionStorage.getItem(TOKEN_KEY) || '';
  /** @returns {Record<string, string>} */
  const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

  /** @param {string} [message] */
  function showAuth(message) {
    $('#auth').hidden = false;
    $('#auth-message').textContent = message || 'Enter the token this Cube was started with.';
    const input = /** @type {HTMLInputElement} */ ($('#token'));
    input.value = '';
    input.focus();
  }

  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = /** @type {HTMLInputElement} */ ($('#token')).value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('#auth').hidden = true;
    connect();
  });
  $('#forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    connect();
  });

  // ---- connection -------------------------------------------------------------

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

  /** Opens GET /events anew. Nobody waits for it: follow() turns every failure into a retry or the token form. */
  function connect() {
    void follow();
  }

  async function follow() {
    clearTimeout(retryTimer);
    controller?.abort();
    const mine = (controller = new AbortController());
    setStatus('connecting', 'connecting…');
    let response;
    try {
      const from = lastVersion === undefined ? '' : `?since=${lastVersion}`;
      response = await fetch(`/events${from}`, { headers: authHeaders(), signal: mine.signal, cache: 'no-store' });
    } catch {
      if (!mine.signal.aborted) retry('the manager does not answer');
      return;
    }
    if (response.status === 401) {
      const body = await response.json().catch(() => null);
      setStatus('auth', 'token needed');
      showAuth(token() ? `The token was refused: ${body?.Message ?? 'it is wrong'}` : body?.Message);
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
        handle(event);
        if (event.id !== undefined) lastVersion = event.id;
      }
    } catch (error) {
      if (mine.signal.aborted) return;
      if (error instanceof SyntaxError || error instanceof EventTooLarge) console.error('cube: an event could not be read', error);
    }
    if (!mine.signal.aborted) retry('the event stream ended');
  }

  /** @param {StreamEvent} event */
  function handle({ type, data }) {
    switch (type) {
      case 'snapshot': {
        retryMs = 1000;
        const ids = new Set(data.tasks.map((/** @type {Task} */ t) => t.ID));
        for (const id of [...tasks.keys()]) if (!ids.has(id)) tasks.delete(id);
        for (const task of data.tasks) observe(task, 'snapshot');
        nodes.clear();
        for (const node of data.nodes) nodes.set(node.Name, node);
        renderTasks();
        renderNodes();
        renderDetail();
        setStatus('live', 'live');
        // Its failures are caught inside: the log is a nicety, and the live events go on without it.
        void loadLog();
        break;
      }
      case 'resumed':
        // Back after a break, nothing missed: the changes since follow; the workers are as now.
        retryMs = 1000;
        nodes.clear();
        for (const node of data.nodes) nodes.set(node.Name, node);
        renderNodes();
        setStatus('live', 'live');
        break;
      case 'task.updated':
        observe(data.task, 'live');
        renderRow(data.task);
        renderNodes();
        if (data.task.ID === selected) renderDetail();
        break;
      case 'node.updated':
        nodes.set(data.node.Name, data.node);
        renderNodes();
        break;
      case 'node.removed':
        nodes.delete(data.name);
        renderNodes();
        break;
      case 'log':
        addLog(data.entry, true);
        break;
      default:
        break;
    }
  }

  /**
   * Records a task's new version and, when its state name changed, the transition:
   * `how` is "live" (a task.updated), "when the page connected" (first snapshot)
   * or "after a reconnect" (a later snapshot, which may skip states).
   */
  /** @param {Task} task @param {'snapshot' | 'live'} source */
  function observe(task, source) {
    const previous = tasks.get(task.ID);
    tasks.set(task.ID, task);
    if (previous?.StateName === task.StateName) return;
    const list = transitions.get(task.ID) ?? [];
    const last = list.at(-1);
    if (last?.to === task.StateName) return;
    const how = source === 'live' ? 'live' : previous ? 'after a reconnect' : 'when the page connected';
    list.push({ from: previous?.StateName ?? null, to: task.StateName, at: new Date().toISOString(), how });
    if (list.length > 50) list.shift();
    transitions.set(task.ID, list);
  }

  // ---- the task list -----------------------------------------------------------

  /** @param {string} state */
  const badge = (state) => el('span', { class: `badge state-${state}`, text: stateLabels[state] ?? state, 'data-state': state });
  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();

  /** @param {Task} task */
  function renderRow(task) {
    let row = rows.get(task.ID);
    const fresh = !row;
    if (!row) {
      row = el('tr', { tabIndex: 0, 'data-task-id': task.ID });
      row.addEventListener('click', () => select(task.ID));
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          select(task.ID);
        }
      });
      rows.set(task.ID, row);
    }
    row.setAttribute('data-state', task.StateName);
    row.classList.toggle('selected', task.ID === selected);
    row.setAttribute('aria-selected', String(task.ID === selected));
    row.replaceChildren(
      el(
        'td',
        { class: 'name' },
        el('div', { text: task.Name || '(no name)' }),
        el('div', { class: 'mono muted small', text: task.ID.slice(0, 8), title: task.ID }),
      ),
      el('td', {}, badge(task.StateName)),
      el('td', { class: 'worker nowrap', text: task.Worker || '—' }),
      el('td', { class: 'num', text: String(task.RestartCount) }),
      el('td', { class: 'num age', text: age(task.SubmitTime), 'data-time': task.SubmitTime }),
    );
    if (fresh) placeRow(row, task);
    $('#no-tasks').hidden = tasks.size > 0;
    $('#task-count').textContent = `${tasks.size} task${tasks.size === 1 ? '' : 's'}`;
  }

  /** Newest first, by SubmitTime. */
  /** @param {Task} a @param {Task} b */
  const newer = (a, b) => (b.SubmitTime || '').localeCompare(a.SubmitTime || '') || a.ID.localeCompare(b.ID);

  /** @param {HTMLElement} row @param {Task} task */
  function placeRow(row, task) {
    const body = $('#tasks tbody');
    const next = [...body.children].find((other) => {
      const t = tasks.get(other.getAttribute('data-task-id') ?? '');
      return t && newer(task, t) < 0;
    });
    body.insertBefore(row, next ?? null);
  }

  function renderTasks() {
    for (const [id, row] of rows) {
      if (!tasks.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    for (const task of [...tasks.values()].sort(newer)) renderRow(task);
    $('#tasks tbody').replaceChildren(...[...tasks.values()].sort(newer).map((t) => /** @type {HTMLElement} */ (rows.get(t.ID))));
    $('#no-tasks').hidden = tasks.size > 0;
    $('#task-count').textContent = `${tasks.size} task${tasks.size === 1 ? '' : 's'}`;
  }

  /** The states in which a task is on its worker (as the manager counts them). */
  const onWorker = new Set(['scheduled', 'running', 'restarting', 'stopping']);

  function renderNodes() {
    // node.updated comes only when a worker's liveness changes, so its stats and
    // reservations in the stream go stale: the task count is the page's own.
    const counts = new Map();
    for (const task of tasks.values()) if (onWorker.has(task.StateName)) counts.set(task.Worker, (counts.get(task.Worker) ?? 0) + 1);
    $('#nodes').replaceChildren(
      ...[...nodes.values()].map((node) => {
        const count = counts.get(node.Name) ?? 0;
        return el(
          'li',
          {
            class: `node node-${node.State}`,
            title: node.Problem || `${node.Name} at ${node.Address}: ${node.State} since ${clock(node.Since)}`,
            'data-node': node.Name,
            'data-state': node.State,
          },
          el('span', { class: 'dot' }),
          el('span', { text: node.Name }),
          el('span', { class: 'muted', text: `${node.State} · ${count} task${count === 1 ? '' : 's'}` }),
        );
      }),
    );
  }

  setInterval(() => {
    const now = Date.now();
    for (const cell of document.querySelectorAll('#tasks td.age')) cell.textContent = age(cell.getAttribute('data-time'), now);
  }, 1000);

  // ---- the selected task ----------------------------------------------------------

  /** @param {string} id */
  function select(id) {
    selected = id;
    history.replaceState(null, '', `#task=${encodeURIComponent(id)}`);
    for (const [rowId, row] of rows) {
      row.classList.toggle('selected', rowId === id);
      row.setAttribute('aria-selected', String(rowId === id));
    }
    renderDetail();
  }

  /** @param {string} term @param {string} value */
  function fact(term, value, mono = false) {
    return [el('dt', { text: term }), el('dd', { class: mono ? 'mono' : '', text: value })];
  }

  function renderDetail() {
    const task = selected ? tasks.get(selected) : undefined;
    $('#detail').hidden = !task;
    $('#machine').hidden = !task;
    $('#no-selection').hidden = Boolean(task);
    if (!task) return stopLogs();
    $('#machine-task').textContent = task.Name || task.ID;
    const detail = $('#detail');
    detail.setAttribute('data-task-id', task.ID);
    detail.setAttribute('data-state', task.StateName);
    $('#detail-name').textContent = task.Name || '(no name)';
    $('#detail-id').textContent = task.ID;
    $('#detail-state').replaceWith(Object.assign(badge(task.StateName), { id: 'detail-state' }));
    $('#facts').replaceChildren(
      ...fact('Image', task.Image, true),
      ...fact('Worker', task.Worker || '—'),
      ...fact('Container', task.ContainerID ? task.ContainerID.slice(0, 12) : '—', true),
      ...fact('Ports', ports(task.HostPorts) || '—', true),
      ...fact('Restarts', `${task.RestartCount}${task.RestartPolicy ? ` (policy ${task.RestartPolicy})` : ''}`),
      ...fact('Submitted', when(task.SubmitTime)),
      ...fact('Started', when(task.StartTime)),
      ...fact('Finished', when(task.FinishTime)),
      ...(task.ExitCode === null || task.ExitCode === undefined ? [] : fact('Exit code', String(task.ExitCode))),
    );
    const reason = $('#detail-reason');
    reason.hidden = !task.Reason;
    reason.textContent = task.Reason || '';

    const seen = [...(transitions.get(task.ID) ?? [])].reverse();
    $('#transitions').replaceChildren(
      ...seen.map((t) =>
        el(
          'li',
          { 'data-state': t.to },
          el('time', { class: 'mono', text: clock(t.at), dateTime: t.at }),
          t.from
            ? el('span', { class: 'from', text: stateLabels[t.from] ?? t.from })
            : el('span', { class: 'from muted', text: t.how === 'live' ? 'new' : 'seen' }),
          el('span', { class: 'arrow', text: '→' }),
          badge(t.to),
          t.how === 'live' ? '' : el('span', { class: 'muted small', text: t.how }),
        ),
      ),
    );
    $('#history tbody').replaceChildren(
      ...[...(task.Events ?? [])]
        .reverse()
        .map((e) =>
          el(
            'tr',
            {},
            el('td', { class: 'mono nowrap', text: clock(e.Time), title: e.Time }),
            el('td', { class: 'type nowrap', text: e.Type }),
            el('td', { text: e.Message }),
          ),
        ),
    );
    if (!task.Events?.length) $('#history tbody').append(el('tr', {}, el('td', { class: 'muted', text: 'no events yet' })));
    followLogs(task);
    drawDiagram(task);
  }

  // ---- the selected task's logs --------------------------------------------------

  const LOG_LINES = 1000;
  /** Which container's output is followed: a restart (a new container) starts over. */
  /** @type {string | null} */
  let logsKey = null;
  /** @type {AbortController | null} */
  let logsController = null;

  /** @param {string} status @param {string} text */
  function setLogsStatus(status, text) {
    const badge = $('#logs-status');
    badge.dataset['status'] = status;
    badge.textContent = text;
  }

  /** Follows the task's output while it is selected (GET /tasks/{id}/logs?follow=1, NDJSON). */
  /** @param {Task} task */
  function followLogs(task) {
    const key = `${task.ID}|${task.ContainerID}|${task.State}`;
    if (key === logsKey) return;
    logsKey = key;
    logsController?.abort();
    const mine = (logsController = new AbortController());
    const box = $('#logs');
    box.replaceChildren();
    box.setAttribute('data-task-id', task.ID);
    // What the manager would refuse is not asked for (a refused load is an error in the console).
    if (task.State === 3) return setLogsStatus('none', 'completed: its container was removed, and its output with it');
    if (!task.ContainerID) return setLogsStatus('none', `no container yet (${stateLabels[task.StateName] ?? task.StateName})`);
    setLogsStatus('reading', 'reading…');
    void readLogs(task.ID, mine.signal, box);
  }

  function stopLogs() {
    logsController?.abort();
    logsKey = null;
  }

  /** @param {string} id @param {AbortSignal} signal @param {HTMLElement} box */
  async function readLogs(id, signal, box) {
    let response;
    try {
      response = await fetch(`/tasks/${encodeURIComponent(id)}/logs?follow=1&tail=200`, { headers: authHeaders(), signal, cache: 'no-store' });
    } catch {
      if (!signal.aborted) setLogsStatus('error', 'the manager does not answer');
      return;
    }
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => null);
      if (!signal.aborted) setLogsStatus('none', body?.Message ?? `GET /tasks/${id}/logs answered ${response.status}`);
      return;
    }
    setLogsStatus('following', 'following');
    /** @type {LogLine[]} */
    const lines = [];
    const decoder = new TextDecoder();
    const splitter = new LineSplitter(CLIENT_MAX, (kept, length) => {
      if (length > CLIENT_MAX) lines.push({ Time: '', Stream: 'stderr', Line: `[a line of ${length} bytes, too long for this page]` });
      else if (length > 0) lines.push(JSON.parse(decoder.decode(kept)));
    });
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        splitter.push(value);
        appendLogLines(box, lines.splice(0));
      }
      if (!signal.aborted) setLogsStatus('ended', 'its container stopped');
    } catch {
      if (!signal.aborted) setLogsStatus('error', 'the output could not be read to the end');
    }
  }

  /** @param {HTMLElement} box @param {LogLine[]} lines */
  function appendLogLines(box, lines) {
    if (lines.length === 0) return;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.append(...lines.map((line) => el('span', { class: `line ${line.Stream}`, title: line.Time, 'data-stream': line.Stream, text: `${line.Line}\n` })));
    while (box.childElementCount > LOG_LINES) box.firstElementChild?.remove();
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  // ---- the diagram ------------------------------------------------------------

  /** @type {string | null} */
  let machineText = null;
  /** @type {string | null} */
  let wanted = null;
  /** @type {string | null} */
  let drawn = null;
  let drawing = false;
  let renders = 0;

  const showRestore = () => /** @type {HTMLInputElement} */ ($('#show-restore')).checked;

  /** @param {Task} task */
  function drawDiagram(task) {
    wanted = `${task.StateName}|${showRestore() ? 'all' : 'simple'}`;
    if (!drawing) void pump();
  }

  async function pump() {
    drawing = true;
    try {
      while (wanted !== drawn) {
        const next = /** @type {string} */ (wanted);
        const [state = '', mode] = next.split('|');
        await draw(state, mode === 'all');
        drawn = next;
      }
    } catch (error) {
      $('#diagram').replaceChildren(el('p', { class: 'reason', text: `The diagram could not be drawn: ${error instanceof Error ? error.message : error}` }));
      drawn = wanted;
    } finally {
      drawing = false;
    }
  }

  /**
   * The machine without its restore dispatcher: a top-level initial state that
   * is left only by eventless `always` transitions (the task's `boot`, which
   * sends a task restored from disk to the state it was in). Its seven edges
   * reach every state and dominate the layout, and no live task is ever in it.
   * The new initial arrow goes where the unguarded `always` goes (pending); the
   * note hung on it ("in every state: …") is returned to show as a caption.
   * Any other shape of text is returned unchanged.
   */
  /**
   * @param {string} text
   * @returns {{ text: string, note: string }}
   */
  function withoutDispatcher(text) {
    const lines = text.split('\n');
    const initial = lines.findIndex((line) => /^ {2}\[\*\] --> \S+$/.test(line));
    if (initial < 0) return { text, note: '' };
    const id = /** @type {string} */ (lines[initial]).split('--> ')[1];
    const exits = lines.filter((line) => line.startsWith(`  ${id} --> `));
    const alwaysOnly = exits.length > 0 && exits.every((line) => /^ {2}\S+ --> \S+: always\b/.test(line));
    const unguarded = exits.filter((line) => !/\[.*\]$/.test(line));
    const entered = lines.some((line, i) => i !== initial && new RegExp(`--> ${id}(:|$)`).test(line));
    if (!alwaysOnly || unguarded.length !== 1 || entered || lines.some((line) => line.includes(`as ${id} {`))) return { text, note: '' };
    const target = /--> (\S+):/.exec(unguarded[0] ?? '')?.[1];
    const kept = [];
    const note = [];
    let inNote = false;
    for (const [i, line] of lines.entries()) {
      if (i === initial) kept.push(`  [*] --> ${target}`);
      else if (line === `  note right of ${id}` || line === `  note left of ${id}`) inNote = true;
      else if (inNote) {
        if (line.trim() === 'end note') inNote = false;
        else note.push(line.trim());
      } else if (!line.startsWith(`  ${id} --> `) && !new RegExp(`^ {2}state "[^"]*" as ${id}$`).test(line)) kept.push(line);
    }
    return { text: kept.join('\n'), note: note.join(' ') };
  }

  /** @param {string} state @param {boolean} all */
  async function draw(state, all) {
    if (!page.mermaid) throw new Error('mermaid.min.js did not load');
    if (machineText === null) {
      const response = await fetch('/ui/machines/task.mmd');
      if (!response.ok) throw new Error(`GET /ui/machines/task.mmd answered ${response.status}`);
      machineText = await response.text();
    }
    const shown = all ? { text: machineText, note: '' } : withoutDispatcher(machineText);
    const id = stateIds[state];
    const text = id ? `${shown.text.replace(/\n*$/, '\n')}  class ${id} current\n` : shown.text;
    const { svg } = await page.mermaid.render(`task-diagram-${++renders}`, text);
    const box = $('#diagram');
    box.innerHTML = svg;
    box.setAttribute('data-state', state);
    box.setAttribute('data-highlight', id ?? '');
    box.setAttribute('data-restore-paths', String(all));
    const caption = $('#diagram-note');
    caption.hidden = !shown.note;
    const note = shown.note.replace(/^in every state:\s*/, '');
    caption.textContent = shown.note
      ? `Not drawn: boot and its restore paths (a task read back from disk resumes in the state it was in; tick "restore paths" to see them). In every state: ${note}.`
      : '';
    centerCurrent();
  }

  /** At full size the machine is wider than the panel: scroll its current state into the middle. */
  function centerCurrent() {
    const box = $('#diagram');
    const node = box.querySelector('svg g.current');
    if (!node || box.classList.contains('fit')) return;
    const b = node.getBoundingClientRect();
    const c = box.getBoundingClientRect();
    box.scrollLeft += b.left + b.width / 2 - (c.left + c.width / 2);
    box.scrollTop += b.top + b.height / 2 - (c.top + c.height / 2);
  }

  /** @param {boolean} fit */
  function setZoom(fit) {
    $('#diagram').classList.toggle('fit', fit);
    $('#zoom-fit').setAttribute('aria-pressed', String(fit));
    $('#zoom-full').setAttribute('aria-pressed', String(!fit));
    sessionStorage.setItem('cube.zoom', fit ? 'fit' : 'full');
    centerCurrent();
  }
  $('#zoom-fit').addEventListener('click', () => setZoom(true));
  $('#zoom-full').addEventListener('click', () => setZoom(false));
  setZoom(sessionStorage.getItem('cube.zoom') !== 'full');
  $('#show-restore').addEventListener('change', () => {
    const task = selected ? tasks.get(selected) : undefined;
    if (task) drawDiagram(task);
  });

  // ---- manager activity -----------------------------------------------------------

  /** @param {LogEntry} entry @param {boolean} live */
  function addLog(entry, live) {
    const key = `${entry.Time}|${entry.Type}|${entry.Message}`;
    if (logSeen.has(key)) return;
    logSeen.add(key);
    const item = el(
      'li',
      { class: live ? 'fresh' : '' },
      el('time', { class: 'mono', text: clock(entry.Time), dateTime: entry.Time }),
      el('span', { class: 'type', text: entry.Type }),
      el('span', { text: entry.Message }),
    );
    const list = $('#log');
    const before = [...list.children].find((li) => (li.querySelector('time')?.dateTime ?? '') < entry.Time);
    list.insertBefore(item, live ? list.firstChild : (before ?? null));
    while (list.children.length > LOG_LIMIT) list.lastChild?.remove();
  }

  async function loadLog() {
    try {
      const response = await fetch(`/log?limit=${LOG_LIMIT}`, { headers: authHeaders(), cache: 'no-store' });
      if (!response.ok) return;
      for (const entry of (await response.json()).reverse()) addLog(entry, false);
    } catch {
      // The log is a nicety: the live events go on without it.
    }
  }

  // ---- start -----------------------------------------------------------------

  page.mermaid?.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: 'base',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    themeVariables: {
      fontSize: '13px',
      primaryColor: '#f1f5f9',
      primaryBorderColor: '#94a3b8',
      primaryTextColor: '#0f172a',
      lineColor: '#64748b',
      secondaryColor: '#f8fafc',
      tertiaryColor: '#ffffff',
      edgeLabelBackground: '#ffffff',
      compositeBackground: '#f8fafc',
      compositeTitleBackground: '#e2e8f0',
      altBackground: '#f8fafc',
      noteBkgColor: '#fefce8',
      noteBorderColor: '#e5e7a0',
    },
    state: { useMaxWidth: false },
  });
  window.addEventListener('hashchange', () => {
    const id = decodeURIComponent((/^#task=(.+)$/.exec(location.hash) || [])[1] || '');
    if (id && id !== selected) select(id);
  });
  connect();
}
