// Baton's dashboard: plain ES module, no build step. Data from the /v1 API, live from /v1/events.
const main = document.getElementById('main');
const state = { role: 'admin', auth: false, scores: new Map(), page: null, pending: [], lastSeq: null };
const STATUSES = ['PENDING', 'SCHEDULED', 'WAITING', 'ASSIGNED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'];
const LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const EVENTS = ['task.submitted', 'task.waiting', 'task.scheduled', 'task.queued', 'task.released', 'task.assigned',
  'task.started', 'task.progress', 'task.completed', 'task.failed', 'task.retrying', 'task.expired', 'task.requeued',
  'task.cancelled', 'agent.registered', 'agent.lost', 'agent.left'];

const esc = v => String(v ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const fmtMs = ms => ms == null ? '–' : ms < 1000 ? ms + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : (ms / 60000).toFixed(1) + ' min';
const ago = iso => iso ? fmtMs(Date.now() - Date.parse(iso)) + ' ago' : '–';
const canChange = () => state.role === 'admin' || state.role === 'producer';

async function api(path, options = {}) {
  return answer(fetch(path, { credentials: 'same-origin', ...options,
    headers: options.body ? { accept: 'application/json', 'content-type': 'application/json' } : { accept: 'application/json' } }));
}

// The first view's reads, started by index.html before this module arrived; each taken once.
let first = globalThis.batonFirst || {};
delete globalThis.batonFirst;
const take = name => {
  const read = first[name];
  first[name] = null;
  return read;
};

async function answer(read) {
  const response = await read;
  if (response.status === 401) {
    signIn();
    throw new Error('sign in first');
  }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(body && body.message ? body.message : response.status + ' ' + response.statusText);
  }
  return body;
}

// ---- session ----

async function whoAmI() {
  const r = await (take('session') || fetch('/ui/session', { credentials: 'same-origin' }));
  const me = await r.json();
  state.role = me.role;
  state.auth = me.auth;
  document.getElementById('who').textContent = me.auth ? (me.role ? 'signed in: ' + me.role : 'not signed in') : 'open (loopback)';
  document.getElementById('signout').hidden = !(me.auth && me.role);
  return me;
}

function signIn() {
  const dialog = document.getElementById('signin');
  if (!dialog.open) {
    dialog.showModal();
  }
}

document.getElementById('signin-form').addEventListener('submit', async e => {
  e.preventDefault();
  const r = await fetch('/ui/session', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: document.getElementById('token').value }) });
  if (!r.ok) {
    document.getElementById('signin-error').textContent = (await r.json()).message;
    return;
  }
  document.getElementById('token').value = '';
  document.getElementById('signin').close();
  await whoAmI();
  connect();
  route();
});

document.getElementById('signout').addEventListener('click', async () => {
  await fetch('/ui/session', { method: 'DELETE', credentials: 'same-origin' });
  location.reload();
});

// ---- live: one EventSource, renders batched ----

// Counters a test (or a curious operator, in the console) can read: events heard, frames drawn,
// events dropped unrendered, and when the first view was painted (ms since navigation started).
const counters = globalThis.batonUi = { events: 0, frames: 0, dropped: 0, firstView: null };
// The first view is painted when the Overview's queued figure is (Element Timing, where the browser has it).
if (PerformanceObserver.supportedEntryTypes?.includes('element')) {
  new PerformanceObserver((list, observer) => {
    const painted = list.getEntries().find(e => e.identifier === 'first-view');
    if (painted) {
      counters.firstView = painted.renderTime || painted.loadTime;
      observer.disconnect();
    }
  }).observe({ type: 'element', buffered: true });
}
// Past this many unrendered events the oldest are dropped: the pages re-read what they show anyway.
const MAX_PENDING = 20000;

let source = null;
function connect() {
  if (source) {
    source.close();
  }
  source = new EventSource('/v1/events'); // reconnects by itself, sending Last-Event-ID
  const live = document.getElementById('live');
  source.onopen = () => { live.textContent = 'live'; live.className = 'live on'; };
  source.onerror = () => { live.textContent = 'reconnecting'; live.className = 'live off'; };
  // kept as received: JSON.parse only for the events a page reads (its task's, and assignments' scores)
  const arrived = (event, data) => {
    counters.events++;
    state.pending.push({ event, data });
    if (state.pending.length > MAX_PENDING) {
      counters.dropped += state.pending.length - MAX_PENDING / 2;
      state.pending = state.pending.slice(-MAX_PENDING / 2);
    }
  };
  for (const name of EVENTS) {
    source.addEventListener(name, e => arrived(name, e.data));
  }
  source.addEventListener('resync', () => arrived('resync', null));
}

// Applies what arrived since the last frame, at most four times a second, whatever the event rate.
setInterval(() => {
  if (state.pending.length === 0 || !state.page) {
    return;
  }
  const batch = state.pending;
  state.pending = [];
  for (const { event, data } of batch) {
    const e = event === 'task.assigned' ? JSON.parse(data) : null;
    if (e && e.score) {
      const list = state.scores.get(e.agent_id) || [];
      list.unshift({ task: e.task_id, type: e.task_type, score: e.score });
      state.scores.set(e.agent_id, list.slice(0, 5));
    }
  }
  counters.frames++;
  state.page.live(batch);
}, 250);

// ---- charts: inline SVG ----

function chart(title, points, value, format = v => v) {
  const values = points.map(value);
  const defined = values.filter(v => v != null);
  const max = Math.max(1e-9, ...defined);
  const w = 300, h = 80;
  const step = points.length > 1 ? w / (points.length - 1) : w;
  let path = '';
  values.forEach((v, i) => {
    if (v != null) {
      path += (path && values[i - 1] != null ? 'L' : 'M') + (i * step).toFixed(1) + ',' + (h - (v / max) * (h - 4)).toFixed(1);
    }
  });
  const last = defined.length ? defined[defined.length - 1] : null;
  return `<div class="chart"><div class="title">${esc(title)} — max ${esc(format(defined.length ? max : null))}, last ${esc(format(last))}</div>
    <svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none"><path d="${path}" fill="none" stroke="#1565c0" stroke-width="1.5"/></svg></div>`;
}

// ---- pages ----

const DONE = ['COMPLETED', 'FAILED', 'CANCELLED'];
const FILTERS = ['status', 'type', 'agent', 'priority', 'created_after', 'created_before'];
const isAdmin = () => state.role === 'admin';

// What the Overview fills in after its first view, per type: {p (last hour), oldest, dead}; and the dead letters.
const typeFigures = new Map();
const deadLetters = { count: null, more: false };

const pages = {
  // The first view reads only the stats and the analytics summaries (three small answers); the
  // per-type figures, the dead letters and the oldest queued tasks come after it is shown.
  async overview() {
    const started = take('overview');
    const now = started ? first.now : Date.now();
    const minute = Math.floor(now / 60000) * 60000;
    const hourAgo = started ? first.hourAgo : new Date(minute - 59 * 60000).toISOString();
    const [stats, hour, day] = await Promise.all(started ? [answer(started.stats), answer(started.hour), answer(started.day)] : [
      api('/v1/stats'), api('/v1/analytics?step=1m&from=' + hourAgo),
      api('/v1/analytics?step=15m&from=' + new Date(now - 24 * 3600000).toISOString())]);
    const types = new Set([...typeFigures].filter(([, f]) => f.dead).map(([type]) => type));
    for (const level of LEVELS) {
      Object.keys(stats.depth[level]?.by_type || {}).forEach(t => types.add(t));
    }
    const sum = (points, f) => points.reduce((s, p) => s + f(p), 0);
    const errorRate = p => (p.completed + p.failed) ? p.failed / (p.completed + p.failed) : null;
    const pct = v => v == null ? '–' : Math.round(v * 100) + ' %';
    main.innerHTML = `<h1>Overview</h1>
      <div class="cards">
        <div class="card">queued<b id="c-queued" elementtiming="first-view">${stats.pending}</b></div>
        <div class="card">running<b id="c-running">${stats.running}</b></div>
        <div class="card">waiting<b>${stats.waiting}</b></div>
        <div class="card">scheduled<b>${stats.scheduled}</b></div>
        <div class="card">dead letters<b id="c-dead">${deadLetterCount()}</b></div>
        <div class="card">agents<b>${stats.agents.total - stats.agents.lost}</b></div>
        <div class="card">in / out per min (1 h)<b>${(sum(hour.points, p => p.submitted) / 60).toFixed(1)} / ${(sum(hour.points, p => p.completed) / 60).toFixed(1)}</b></div>
      </div>
      <h2>Last hour</h2>
      <div class="charts">${chart('completed per minute', hour.points, p => p.completed)}
        ${chart('error rate', hour.points, errorRate, pct)}
        ${chart('utilisation', hour.points, p => p.utilisation, pct)}
        ${chart('submitted per minute', hour.points, p => p.submitted)}</div>
      <h2>Last 24 hours (15 min steps)</h2>
      <div class="charts">${chart('completed per 15 min', day.points, p => p.completed)}
        ${chart('error rate', day.points, errorRate, pct)}
        ${chart('utilisation', day.points, p => p.utilisation, pct)}
        ${chart('queue wait p95', day.points, p => p.queue_wait_millis.p95, fmtMs)}</div>
      <h2>Per type</h2>
      <table id="types"><thead><tr><th>type</th>${LEVELS.map(l => `<th class="num">${l.toLowerCase()}</th>`).join('')}
        <th class="num">dead letters</th><th class="num">oldest queued</th><th class="num">in (1 h)</th><th class="num">out (1 h)</th>
        <th class="num">wait p50 / p95</th><th class="num">run p50 / p95</th></tr></thead>
        <tbody>${typeRows(stats, types, now)}</tbody></table>`;
    if (!performance.getEntriesByName('baton:first-view').length) {
      performance.mark('baton:first-view'); // built; batonUi.firstView is when it is painted
      if (!PerformanceObserver.supportedEntryTypes?.includes('element')) {
        requestAnimationFrame(() => setTimeout(() => { counters.firstView ??= performance.now(); }));
      }
    }
    const tbody = document.querySelector('#types tbody');
    fillTypes(stats, types, hourAgo).then(() => {
      if (tbody.isConnected) {
        tbody.innerHTML = typeRows(stats, types, Date.now());
        document.getElementById('c-dead').textContent = deadLetterCount();
      }
    }, () => {});
    return { live: refresher(3000, () => route(true)) };
  },

  async agents() {
    const [agents, stats] = await Promise.all([api('/v1/agents'), api('/v1/stats')]);
    const running = await api('/v1/tasks?status=IN_PROGRESS&limit=1000');
    const assigned = await api('/v1/tasks?status=ASSIGNED&limit=1000');
    const active = [...running.tasks, ...assigned.tasks];
    const live = agents.filter(a => !a.lost);
    const general = live.some(a => a.capabilities.includes('general'));
    const queuedTypes = new Set();
    for (const level of LEVELS) {
      Object.keys(stats.depth[level]?.by_type || {}).forEach(t => queuedTypes.add(t));
    }
    const orphans = general ? [] : [...queuedTypes].filter(t => !live.some(a => a.capabilities.includes(t)));
    const rows = agents.map(a => {
      const tasks = active.filter(t => t.assigned_agent === a.id);
      const scores = state.scores.get(a.id);
      return `<tr data-agent="${esc(a.id)}"><td><b>${esc(a.id)}</b>${a.lost ? ' <span class="error">lost</span>' : ''}</td>
        <td>${a.capabilities.map(esc).join(', ')}</td><td class="num">${a.active.length} / ${a.max_concurrency}</td>
        <td class="num">${Math.round(a.history.success_rate * 100)} % (${a.history.completed} ok, ${a.history.failed} failed)</td>
        <td class="num">${fmtMs(a.history.mean_millis == null ? null : Math.round(a.history.mean_millis))}</td>
        <td>${ago(a.last_seen)}</td>
        <td>${tasks.map(t => `<div><a href="#/task/${encodeURIComponent(t.id)}">${esc(t.id)}</a>
          <div class="bar" title="${t.progress} %"><div style="width:${t.progress}%"></div></div></div>`).join('') || '<span class="muted">idle</span>'}</td>
        <td class="score">${scores ? scores.map(s => `${esc(s.task)}: total ${s.score.total} = capability ${s.score.capability} + priority ${s.score.priority}
          + load ${s.score.load} + history ${s.score.history} + speed ${s.score.speed}`).join('<br>') : '<span class="muted">not recorded</span>'}</td></tr>`;
    }).join('');
    main.innerHTML = `<h1>Agents</h1>
      <table><thead><tr><th>agent</th><th>capabilities</th><th class="num">slots</th><th class="num">success</th>
      <th class="num">mean run</th><th>last seen</th><th>running</th><th>why it got its last tasks (score)</th></tr></thead>
      <tbody>${rows || '<tr><td colspan="8" class="muted">no agents</td></tr>'}</tbody></table>
      <h2>Queued types no live agent can serve</h2>
      <p id="orphans">${orphans.length ? orphans.map(t => `<span class="error">${esc(t)}</span>`).join(', ') : '<span class="muted">none</span>'}</p>`;
    return { live: refresher(1000, () => route(true)) };
  },

  // The filter form is drawn once; live updates re-read the page of tasks and redraw only the rows.
  async tasks(params) {
    const filter = Object.fromEntries(FILTERS.map(k => [k, params.get(k) || '']));
    const query = serverQuery(filter, params.get('after') || '', 100);
    const first = await api('/v1/tasks?' + query);
    const option = (value, current) => `<option ${value === current ? 'selected' : ''}>${value}</option>`;
    const noBulk = filter.created_after ? 'a bulk action filters creation time only by "created before": clear "created after" first' : '';
    main.innerHTML = `<h1>Tasks</h1>
      <form class="filters" id="filters">
        <label>status <select name="status"><option value="">any</option>${STATUSES.map(s => option(s, filter.status)).join('')}</select></label>
        <label>type <input name="type" value="${esc(filter.type)}" size="12"></label>
        <label>agent <input name="agent" value="${esc(filter.agent)}" size="12"></label>
        <label>priority <select name="priority"><option value="">any</option>${LEVELS.map(l => option(l, filter.priority)).join('')}</select></label>
        <label>created after <input name="created_after" type="datetime-local" step="1" value="${esc(localInput(filter.created_after))}"></label>
        <label>created before <input name="created_before" type="datetime-local" step="1" value="${esc(localInput(filter.created_before))}"></label>
        <button class="primary">Filter</button>
        <label>task id <input id="lookup" size="20"></label><button type="button" id="go">Open</button>
      </form>
      <div id="bulk">${isAdmin() ? `<button type="button" id="bulk-retry" ${noBulk ? 'disabled' : ''} title="${esc(noBulk)}">Retry all matching…</button>
        <button type="button" class="danger" id="bulk-cancel" ${noBulk ? 'disabled' : ''} title="${esc(noBulk)}">Cancel all matching…</button>` : ''}</div>
      <table id="task-list" data-query="${esc(query)}"><thead><tr><th>id</th><th>type</th><th>priority</th><th>status</th><th>agent</th>
        <th>progress</th><th>created</th></tr></thead><tbody></tbody></table>
      <p id="pager"></p>`;
    const table = document.getElementById('task-list');
    const show = page => {
      const shown = page.tasks.filter(t => clientMatch(filter, t));
      table.tBodies[0].innerHTML = shown.map(t => `<tr data-id="${esc(t.id)}"><td><a href="#/task/${encodeURIComponent(t.id)}">${esc(t.id)}</a></td>
        <td>${esc(t.type)}</td><td>${t.priority}</td><td class="status s-${t.status}">${t.status}</td><td>${esc(t.assigned_agent)}</td>
        <td class="num">${t.progress} %</td><td>${esc(t.created_at)}</td></tr>`).join('')
        || '<tr><td colspan="7" class="muted">no matching tasks on this page</td></tr>';
      const next = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
      document.getElementById('pager').innerHTML = page.next_after
        ? `<a id="next" href="#/tasks?${new URLSearchParams({ ...next, after: page.next_after })}">next page</a>` : '';
    };
    show(first);
    document.getElementById('filters').addEventListener('submit', e => {
      e.preventDefault();
      const data = Object.fromEntries([...new FormData(e.target)].filter(([, v]) => v)
        .map(([k, v]) => [k, k.startsWith('created_') ? new Date(v).toISOString() : v]));
      location.hash = '#/tasks?' + new URLSearchParams(data);
    });
    document.getElementById('go').addEventListener('click', () => {
      location.hash = '#/task/' + encodeURIComponent(document.getElementById('lookup').value.trim());
    });
    for (const [id, action] of [['bulk-retry', 'retry'], ['bulk-cancel', 'cancel']]) {
      document.getElementById(id)?.addEventListener('click', () => bulk(filter, action));
    }
    return { live: refresher(2000, async () => {
      const page = await api('/v1/tasks?' + query);
      if (table.isConnected) {
        show(page);
      }
    }) };
  },

  async task(params, id) {
    const t = await api('/v1/tasks/' + encodeURIComponent(id));
    const graph = await dependencies(t);
    const previous = state.page && state.page.timeline;
    const timeline = previous && previous.id === t.id ? previous : taskTimeline(t.id);
    const json = v => { try { return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v, null, 2); } catch { return String(v); } };
    main.innerHTML = `<h1>Task ${esc(t.id)} <span class="status s-${t.status}" id="task-status">${t.status}</span></h1>
      <div>${canChange() && !DONE.includes(t.status) ? '<button class="danger" id="cancel">Cancel</button>' : ''}
        ${canChange() && t.status === 'FAILED' ? '<button class="primary" id="retry">Retry</button>' : ''}</div>
      <dl><dt>type</dt><dd>${esc(t.type)}</dd><dt>priority</dt><dd>${t.priority} (level now ${t.level})</dd>
        <dt>agent</dt><dd>${esc(t.assigned_agent) || '–'}</dd><dt>attempt</dt><dd>${t.attempt} of ${t.max_retries + 1} (${t.failures} failed, ${t.expiries} expired)</dd>
        <dt>queue position</dt><dd id="queue-position">${t.queue_position ?? '–'}</dd>
        <dt>created / started / ended</dt><dd>${esc(t.created_at)} / ${esc(t.started_at) || '–'} / ${esc(t.completed_at) || '–'}</dd>
        <dt>last error</dt><dd class="error">${esc(t.error) || '–'}</dd></dl>
      ${attemptsTable(t)}
      <h2>Progress</h2><div class="bar" id="progress"><div style="width:${t.progress}%"></div></div>
      <p id="progress-text">${t.progress} % ${esc(t.message)}</p>
      <h2>Dependencies</h2><div class="dag">${graph}</div>
      <h2>Payload</h2><pre>${esc(json(t.payload))}</pre>
      <h2>Result</h2><pre id="result">${t.result === undefined ? '–' : esc(json(t.result))}</pre>
      <h2>Events</h2><p class="muted" id="timeline-note"></p><ol class="timeline" id="timeline"></ol>`;
    document.getElementById('cancel')?.addEventListener('click', () => act(t.id, 'cancel'));
    document.getElementById('retry')?.addEventListener('click', () => act(t.id, 'retry'));
    timeline.render();
    if (!timeline.history) {
      timeline.history = 'reading';
      taskHistory(t.id).then(events => timeline.addHistory(events));
    }
    return {
      live(batch) {
        const mine = batch.filter(r => r.data && r.data.includes(t.id)).map(r => JSON.parse(r.data)).filter(e => e.task_id === t.id);
        if (!mine.length) {
          return;
        }
        timeline.add(mine);
        timeline.render();
        const last = mine[mine.length - 1];
        document.getElementById('progress').firstElementChild.style.width = (last.progress ?? 0) + '%';
        document.getElementById('progress-text').textContent = (last.progress ?? 0) + ' % ' + (last.message ?? '');
        if (last.status !== t.status) {
          t.status = last.status;
          route(true); // a new status: read the task again (result, buttons, attempts), keep the timeline
        }
      }, timeline };
  }
};

function deadLetterCount() {
  return deadLetters.count == null ? '…' : deadLetters.count + (deadLetters.more ? '+' : '');
}

function typeRows(stats, types, now) {
  const later = (f, text) => f ? text : '<span class="muted">…</span>';
  return [...types].sort().map(type => {
    const f = typeFigures.get(type);
    const p = f?.p || {};
    return `<tr data-type="${esc(type)}"><td><a href="#/tasks?type=${encodeURIComponent(type)}">${esc(type)}</a></td>
      ${LEVELS.map(l => `<td class="num">${stats.depth[l]?.by_type?.[type] ?? 0}</td>`).join('')}
      <td class="num">${later(f, f?.dead ?? 0)}</td><td class="num">${later(f, f?.oldest ? fmtMs(now - f.oldest) : '–')}</td>
      <td class="num">${later(f, p.submitted ?? 0)}</td><td class="num">${later(f, p.completed ?? 0)}</td>
      <td class="num">${later(f, fmtMs(p.queue_wait_millis?.p50) + ' / ' + fmtMs(p.queue_wait_millis?.p95))}</td>
      <td class="num">${later(f, fmtMs(p.run_time_millis?.p50) + ' / ' + fmtMs(p.run_time_millis?.p95))}</td></tr>`;
  }).join('') || '<tr><td colspan="11" class="muted">no tasks yet</td></tr>';
}

// The Overview's second step: dead letters (one page of them), then per type its last hour and its
// oldest queued task (ids sort by creation, so the first PENDING one in id order).
async function fillTypes(stats, types, hourAgo) {
  const dead = await api('/v1/tasks?status=FAILED&limit=1000');
  deadLetters.count = dead.tasks.length;
  deadLetters.more = Boolean(dead.next_after);
  const deadByType = new Map();
  for (const t of dead.tasks) {
    deadByType.set(t.type, (deadByType.get(t.type) || 0) + 1);
    types.add(t.type);
  }
  const queued = type => LEVELS.some(l => stats.depth[l]?.by_type?.[type]);
  await Promise.all([...types].map(async type => {
    const [a, first] = await Promise.all([
      api('/v1/analytics?step=1h&type=' + encodeURIComponent(type) + '&from=' + hourAgo),
      queued(type) ? api('/v1/tasks?status=PENDING&limit=1&type=' + encodeURIComponent(type)) : { tasks: [] }]);
    typeFigures.set(type, { p: a.points[a.points.length - 1] || {}, dead: deadByType.get(type) || 0,
      oldest: first.tasks.length ? Date.parse(first.tasks[0].created_at) : null });
  }));
}

function serverQuery(filter, after, limit) {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const k of FILTERS) {
    if (filter[k]) {
      q.set(k, filter[k]);
    }
  }
  if (after) {
    q.set('after', after);
  }
  return q;
}

// The server filters by priority and creation time; this check keeps the list right on a Baton
// that does not yet (it then narrows each page the server returns).
function clientMatch(filter, t) {
  return (!filter.priority || t.priority === filter.priority)
    && (!filter.created_after || Date.parse(t.created_at) >= Date.parse(filter.created_after))
    && (!filter.created_before || Date.parse(t.created_at) < Date.parse(filter.created_before));
}

// An ISO instant as a datetime-local input shows it (local time, seconds).
function localInput(iso) {
  const d = new Date(iso);
  return iso && !isNaN(d) ? new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19) : '';
}

// The list's filter as POST /v1/tasks/bulk takes it; "created before" becomes older_than, as of now.
function bulkFilter(filter) {
  const f = {};
  for (const k of ['status', 'type', 'agent', 'priority']) {
    if (filter[k]) {
      f[k] = filter[k];
    }
  }
  if (filter.created_before) {
    f.older_than = Math.max(0, Date.now() - Date.parse(filter.created_before)) + 'ms';
  }
  return f;
}

// Counts on the server (dry run), asks with that count, then acts in calls of up to 1,000 tasks
// for as long as the server says more remain.
async function bulk(filter, action) {
  const body = dryRun => {
    const f = bulkFilter(filter);
    return JSON.stringify({ action, filter: f, all: Object.keys(f).length === 0, dry_run: dryRun });
  };
  const verb = action === 'retry' ? 'Retry' : 'Cancel';
  try {
    const count = await api('/v1/tasks/bulk', { method: 'POST', body: body(true) });
    if (count.matched === 0) {
      alert(`No matching tasks to ${action}`);
      return;
    }
    if (!confirm(`${verb} ${count.matched} matching tasks?`)) {
      return;
    }
    let touched = 0;
    for (let answer = { remaining: 1, touched: 1 }; answer.remaining > 0 && answer.touched > 0;) {
      answer = await api('/v1/tasks/bulk', { method: 'POST', body: body(false) });
      touched += answer.touched;
    }
    alert(`${touched} tasks ${action === 'retry' ? 'retried' : 'cancelled'}`);
  } catch (e) {
    alert(e.message);
  }
  route();
}

async function act(id, action) {
  try {
    await api(`/v1/tasks/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
  } catch (e) {
    alert(e.message);
  }
  route(true);
}

// Each attempt's agent, times, outcome and error (absent on a Baton that does not record attempts).
function attemptsTable(t) {
  if (!Array.isArray(t.attempts)) {
    return '';
  }
  const rows = t.attempts.map(a => `<tr data-attempt="${a.attempt}"><td class="num">${a.attempt}</td><td>${esc(a.agent)}</td>
    <td>${esc(a.started_at)}</td><td>${esc(a.ended_at) || '–'}</td><td class="outcome o-${esc(a.outcome || 'running')}">${esc(a.outcome || 'running')}</td>
    <td class="error">${esc(a.error)}</td></tr>`).join('');
  return `<h2>Attempts</h2><table id="attempts"><thead><tr><th class="num">#</th><th>agent</th><th>started</th><th>ended</th>
    <th>outcome</th><th>error</th></tr></thead><tbody>${rows || '<tr><td colspan="6" class="muted">not run yet</td></tr>'}</tbody></table>`;
}

// ---- a task's timeline: its past events from the API, then live ones, each once (by seq) ----

const MAX_TIMELINE = 200;

function taskTimeline(id) {
  const events = new Map();
  let earlier = 0;
  const item = e => `<li>${esc(e.at)} <b>${esc(e.event)}</b> ${esc(e.status)} ${esc(e.agent_id)} ${e.progress ?? ''} ${esc(e.message)}</li>`;
  const timeline = {
    id, history: null,
    add(list) {
      for (const e of list) {
        events.set(e.seq, e);
      }
      if (events.size > MAX_TIMELINE) {
        const seqs = [...events.keys()].sort((a, b) => a - b);
        seqs.slice(0, events.size - MAX_TIMELINE).forEach(seq => events.delete(seq));
        earlier += seqs.length - MAX_TIMELINE;
      }
    },
    addHistory(list) {
      timeline.history = list ? 'loaded' : 'none';
      if (list) {
        timeline.add(list);
      }
      timeline.render();
    },
    render() {
      const list = document.getElementById('timeline');
      if (!list) {
        return;
      }
      list.innerHTML = [...events.values()].sort((a, b) => a.seq - b.seq).map(item).join('');
      document.getElementById('timeline-note').textContent = (timeline.history === 'loaded' ? 'its history, then live'
        : timeline.history === 'none' ? 'live, since this page opened' : 'reading its history…')
        + (earlier ? `; ${earlier} earlier events not shown` : '');
    }
  };
  return timeline;
}

// The task's past events, GET /v1/tasks/{id}/events as JSON; null where this Baton serves that
// path only as an event stream (then the page shows what happens from now on).
async function taskHistory(id) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const r = await fetch('/v1/tasks/' + encodeURIComponent(id) + '/events',
      { credentials: 'same-origin', headers: { accept: 'application/json' }, signal: controller.signal });
    if (!r.ok || !(r.headers.get('content-type') || '').startsWith('application/json')) {
      return null;
    }
    const body = await r.json();
    return Array.isArray(body && body.events) ? body.events : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    controller.abort(); // ends an event stream, if that is what answered
  }
}

// ---- the dependency graph ----

const MAX_GRAPH = 60;
const COLOUR = { COMPLETED: '#2e7d32', FAILED: '#c62828', CANCELLED: '#757575', IN_PROGRESS: '#1565c0', ASSIGNED: '#1565c0',
  WAITING: '#6d4c41', SCHEDULED: '#6d4c41', PENDING: '#ef6c00' };

// The task's dependencies (left) and dependents (right), transitively, at most MAX_GRAPH tasks,
// drawn in columns so that every arrow points right; below it, why each ended dependent ended.
async function dependencies(root) {
  if (!root.depends_on?.length && !root.dependents?.length) {
    return '<p class="muted">none</p>';
  }
  const nodes = new Map([[root.id, root]]);
  const column = new Map([[root.id, 0]]);
  await walk(nodes, column, root, t => t.depends_on, -1);
  await walk(nodes, column, root, t => t.dependents, 1);
  const edges = [];
  for (const [id, t] of nodes) {
    for (const dep of t.depends_on || []) {
      if (nodes.has(dep)) {
        edges.push([dep, id]);
      }
    }
  }
  // longest paths: push a dependency left of its dependent (or, right of the root, the dependent right)
  for (let changed = true, rounds = 0; changed && rounds < MAX_GRAPH; rounds++) {
    changed = false;
    for (const [from, to] of edges) {
      if (column.get(from) >= column.get(to)) {
        column.get(to) > 0 ? column.set(to, column.get(from) + 1) : column.set(from, column.get(to) - 1);
        changed = true;
      }
    }
  }
  const first = Math.min(...column.values());
  const rows = new Map();
  const pos = new Map();
  let height = 0, width = 0;
  for (const [id, c] of column) {
    const x = 10 + (c - first) * 190, row = rows.get(c) || 0;
    rows.set(c, row + 1);
    pos.set(id, { x, y: 10 + row * 56 });
    height = Math.max(height, (row + 1) * 56 + 10);
    width = Math.max(width, x + 170);
  }
  let svg = '';
  for (const [from, to] of edges) {
    const a = pos.get(from), b = pos.get(to);
    svg += `<line x1="${a.x + 160}" y1="${a.y + 20}" x2="${b.x}" y2="${b.y + 20}" stroke="#999" marker-end="url(#arrow)"/>`;
  }
  const short = (text, n) => text.length > n ? text.slice(0, n - 1) + '…' : text;
  for (const [id, t] of nodes) {
    const p = pos.get(id);
    const colour = COLOUR[t.status] || '#000';
    svg += `<g class="node" data-id="${esc(id)}" data-status="${t.status}"><a href="#/task/${encodeURIComponent(id)}">
      <rect x="${p.x}" y="${p.y}" width="160" height="40" rx="5" fill="#fff" stroke="${colour}" stroke-width="${id === root.id ? 3 : 2}"/>
      <text x="${p.x + 6}" y="${p.y + 16}">${esc(short(t.type || id, 24))}</text>
      <text x="${p.x + 6}" y="${p.y + 32}" fill="${colour}">${t.status}${t.error ? ': ' + esc(short(t.error, 18)) : ''}</text>
      <title>${esc(id)} ${t.status}${t.error ? ': ' + esc(t.error) : ''}</title></a></g>`;
  }
  const ended = [...nodes.values()].filter(t => t.id !== root.id && t.error && (t.status === 'CANCELLED' || t.status === 'FAILED'));
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5"
    markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#999"/></marker></defs>${svg}</svg>
    ${ended.length ? `<ul class="reasons">${ended.map(t => `<li data-id="${esc(t.id)}"><a href="#/task/${encodeURIComponent(t.id)}">${esc(t.id)}</a>
      (${esc(t.type)}) <span class="status s-${t.status}">${t.status}</span>: ${esc(t.error)}</li>`).join('')}</ul>` : ''}`;
}

// Reads the tasks `next` names from the frontier on, layer by layer (each layer in parallel).
async function walk(nodes, column, root, next, direction) {
  let frontier = [root];
  while (frontier.length && nodes.size < MAX_GRAPH) {
    const ids = [];
    for (const t of frontier) {
      for (const id of next(t) || []) {
        if (!column.has(id)) {
          column.set(id, column.get(t.id) + direction);
        }
        if (!nodes.has(id) && !ids.includes(id)) {
          ids.push(id);
        }
      }
    }
    frontier = await Promise.all(ids.slice(0, MAX_GRAPH - nodes.size).map(id =>
      api('/v1/tasks/' + encodeURIComponent(id)).catch(() => ({ id, status: 'UNKNOWN' }))));
    frontier.forEach(t => nodes.set(t.id, t));
  }
  for (const id of column.keys()) {
    if (!nodes.has(id)) {
      column.delete(id); // past MAX_GRAPH: not drawn
    }
  }
}

// Re-reads a page's data at most every `everyMillis` while events arrive, one read at a time (a
// slow server gets fewer reads, never a pile of them).
function refresher(everyMillis, load) {
  let last = Date.now(), busy = false;
  return async () => {
    if (busy || Date.now() - last < everyMillis) {
      return;
    }
    busy = true;
    try {
      await load();
    } catch {
      // the next event tries again
    } finally {
      busy = false;
      last = Date.now();
    }
  };
}

// ---- routing ----

let routing = 0;
async function route(quiet) {
  const hash = location.hash || '#/overview';
  const [path, query] = hash.slice(2).split('?');
  const [name, ...rest] = path.split('/');
  const page = pages[name] ? name : 'overview';
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.dataset.page === (page === 'task' ? 'tasks' : page)));
  const mine = ++routing;
  try {
    const made = await pages[page](new URLSearchParams(query || ''), decodeURIComponent(rest.join('/')));
    if (mine === routing) {
      state.page = made;
    }
  } catch (e) {
    if (mine === routing && !quiet) {
      main.innerHTML = `<p class="error">${esc(e.message)}</p>`;
    }
  }
}

window.addEventListener('hashchange', () => route());
(async () => {
  const me = await whoAmI();
  if (me.auth && !me.role) {
    first = {}; // read before signing in: refused
    signIn();
    return;
  }
  connect();
  route();
})();
