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
  const response = await fetch(path, { credentials: 'same-origin', ...options,
    headers: options.body ? { 'content-type': 'application/json' } : {} });
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
  const r = await fetch('/ui/session', { credentials: 'same-origin' });
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

let source = null;
function connect() {
  if (source) {
    source.close();
  }
  source = new EventSource('/v1/events'); // reconnects by itself, sending Last-Event-ID
  const live = document.getElementById('live');
  source.onopen = () => { live.textContent = 'live'; live.className = 'live on'; };
  source.onerror = () => { live.textContent = 'reconnecting'; live.className = 'live off'; };
  for (const name of EVENTS) {
    source.addEventListener(name, e => state.pending.push(JSON.parse(e.data)));
  }
  source.addEventListener('resync', () => state.pending.push({ event: 'resync' }));
}

// Applies what arrived since the last frame, at most four times a second, whatever the event rate.
setInterval(() => {
  if (state.pending.length === 0 || !state.page) {
    return;
  }
  const batch = state.pending;
  state.pending = [];
  for (const e of batch) {
    if (e.event === 'task.assigned' && e.score) {
      const list = state.scores.get(e.agent_id) || [];
      list.unshift({ task: e.task_id, type: e.task_type, score: e.score });
      state.scores.set(e.agent_id, list.slice(0, 5));
    }
  }
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

const pages = {
  async overview() {
    const now = Date.now();
    const minute = Math.floor(now / 60000) * 60000;
    const hourAgo = new Date(minute - 59 * 60000).toISOString();
    const [stats, hour, day, dead, agents] = await Promise.all([
      api('/v1/stats'), api('/v1/analytics?step=1m&from=' + hourAgo),
      api('/v1/analytics?step=15m&from=' + new Date(now - 24 * 3600000).toISOString()),
      api('/v1/tasks?status=FAILED&limit=1000'), api('/v1/agents')]);
    const pending = await api('/v1/tasks?status=PENDING&limit=1000');
    const types = new Set();
    for (const level of LEVELS) {
      Object.keys(stats.depth[level]?.by_type || {}).forEach(t => types.add(t));
    }
    dead.tasks.forEach(t => types.add(t.type));
    pending.tasks.forEach(t => types.add(t.type));
    const perType = await Promise.all([...types].sort().map(async type => {
      const a = await api('/v1/analytics?step=1h&type=' + encodeURIComponent(type) + '&from=' + hourAgo);
      const p = a.points[a.points.length - 1] || {};
      const oldest = pending.tasks.filter(t => t.type === type).map(t => Date.parse(t.created_at)).sort((x, y) => x - y)[0];
      return { type, p, oldest, dead: dead.tasks.filter(t => t.type === type).length };
    }));
    const sum = (points, f) => points.reduce((s, p) => s + f(p), 0);
    const rows = perType.map(({ type, p, oldest, dead }) => `<tr><td><a href="#/tasks?type=${encodeURIComponent(type)}">${esc(type)}</a></td>
      ${LEVELS.map(l => `<td class="num">${stats.depth[l]?.by_type?.[type] ?? 0}</td>`).join('')}
      <td class="num">${dead}</td><td class="num">${oldest ? fmtMs(now - oldest) : '–'}</td>
      <td class="num">${p.submitted ?? 0}</td><td class="num">${p.completed ?? 0}</td>
      <td class="num">${fmtMs(p.queue_wait_millis?.p50)} / ${fmtMs(p.queue_wait_millis?.p95)}</td>
      <td class="num">${fmtMs(p.run_time_millis?.p50)} / ${fmtMs(p.run_time_millis?.p95)}</td></tr>`).join('');
    const errorRate = p => (p.completed + p.failed) ? p.failed / (p.completed + p.failed) : null;
    const pct = v => v == null ? '–' : Math.round(v * 100) + ' %';
    main.innerHTML = `<h1>Overview</h1>
      <div class="cards">
        <div class="card">queued<b id="c-queued">${stats.pending}</b></div>
        <div class="card">running<b id="c-running">${stats.running}</b></div>
        <div class="card">waiting<b>${stats.waiting}</b></div>
        <div class="card">scheduled<b>${stats.scheduled}</b></div>
        <div class="card">dead letters<b>${dead.tasks.length}${dead.next_after ? '+' : ''}</b></div>
        <div class="card">agents<b>${agents.filter(a => !a.lost).length}</b></div>
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
      <table><thead><tr><th>type</th>${LEVELS.map(l => `<th class="num">${l.toLowerCase()}</th>`).join('')}
        <th class="num">dead letters</th><th class="num">oldest queued</th><th class="num">in (1 h)</th><th class="num">out (1 h)</th>
        <th class="num">wait p50 / p95</th><th class="num">run p50 / p95</th></tr></thead><tbody>${rows || '<tr><td colspan="11" class="muted">no tasks yet</td></tr>'}</tbody></table>`;
    return { live: throttledReload(3000) };
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
    return { live: throttledReload(1000) };
  },

  async tasks(params) {
    const filter = { status: params.get('status') || '', type: params.get('type') || '', agent: params.get('agent') || '',
      priority: params.get('priority') || '', since: params.get('since') || '' };
    const after = params.get('after') || '';
    const page = await api('/v1/tasks?' + serverQuery(filter, after, 100));
    const shown = page.tasks.filter(t => clientMatch(filter, t));
    const option = (value, current) => `<option ${value === current ? 'selected' : ''}>${value}</option>`;
    main.innerHTML = `<h1>Tasks</h1>
      <form class="filters" id="filters">
        <label>status <select name="status"><option value="">any</option>${STATUSES.map(s => option(s, filter.status)).join('')}</select></label>
        <label>type <input name="type" value="${esc(filter.type)}" size="12"></label>
        <label>agent <input name="agent" value="${esc(filter.agent)}" size="12"></label>
        <label>priority <select name="priority"><option value="">any</option>${LEVELS.map(l => option(l, filter.priority)).join('')}</select></label>
        <label>created since <input name="since" type="datetime-local" value="${esc(filter.since)}"></label>
        <button class="primary">Filter</button>
        <label>task id <input id="lookup" size="20"></label><button type="button" id="go">Open</button>
      </form>
      <div id="bulk">${canChange() ? `<button type="button" id="bulk-retry">Retry all matching…</button>
        <button type="button" class="danger" id="bulk-cancel">Cancel all matching…</button>` : ''}</div>
      <table id="task-list"><thead><tr><th>id</th><th>type</th><th>priority</th><th>status</th><th>agent</th><th>progress</th><th>created</th></tr></thead>
      <tbody>${shown.map(t => `<tr data-id="${esc(t.id)}"><td><a href="#/task/${encodeURIComponent(t.id)}">${esc(t.id)}</a></td><td>${esc(t.type)}</td>
        <td>${t.priority}</td><td class="status s-${t.status}">${t.status}</td><td>${esc(t.assigned_agent)}</td>
        <td class="num">${t.progress} %</td><td>${esc(t.created_at)}</td></tr>`).join('') || '<tr><td colspan="7" class="muted">no matching tasks on this page</td></tr>'}</tbody></table>
      <p>${page.next_after ? `<a id="next" href="#/tasks?${new URLSearchParams({ ...filter, after: page.next_after })}">next page</a>` : ''}</p>`;
    document.getElementById('filters').addEventListener('submit', e => {
      e.preventDefault();
      const data = Object.fromEntries([...new FormData(e.target)].filter(([, v]) => v));
      location.hash = '#/tasks?' + new URLSearchParams(data);
    });
    document.getElementById('go').addEventListener('click', () => {
      location.hash = '#/task/' + encodeURIComponent(document.getElementById('lookup').value.trim());
    });
    for (const [id, action] of [['bulk-retry', 'retry'], ['bulk-cancel', 'cancel']]) {
      document.getElementById(id)?.addEventListener('click', () => bulk(filter, action));
    }
    return { live: throttledReload(2000) };
  },

  async task(params, id) {
    const t = await api('/v1/tasks/' + encodeURIComponent(id));
    const graph = await dependencies(t);
    const timeline = [];
    const json = v => { try { return JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v, null, 2); } catch { return String(v); } };
    main.innerHTML = `<h1>Task ${esc(t.id)} <span class="status s-${t.status}" id="task-status">${t.status}</span></h1>
      <div>${canChange() && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(t.status) ? '<button class="danger" id="cancel">Cancel</button>' : ''}
        ${canChange() && t.status === 'FAILED' ? '<button class="primary" id="retry">Retry</button>' : ''}</div>
      <dl><dt>type</dt><dd>${esc(t.type)}</dd><dt>priority</dt><dd>${t.priority} (level now ${t.level})</dd>
        <dt>agent</dt><dd>${esc(t.assigned_agent) || '–'}</dd><dt>attempt</dt><dd>${t.attempt} of ${t.max_retries + 1} (${t.failures} failed, ${t.expiries} expired)</dd>
        <dt>queue position</dt><dd id="queue-position">${t.queue_position ?? '–'}</dd>
        <dt>created / started / ended</dt><dd>${esc(t.created_at)} / ${esc(t.started_at) || '–'} / ${esc(t.completed_at) || '–'}</dd>
        <dt>last error</dt><dd class="error">${esc(t.error) || '–'}</dd></dl>
      <h2>Progress</h2><div class="bar" id="progress"><div style="width:${t.progress}%"></div></div>
      <p id="progress-text">${t.progress} % ${esc(t.message)}</p>
      <h2>Dependencies</h2><div class="dag">${graph}</div>
      <h2>Payload</h2><pre>${esc(json(t.payload))}</pre>
      <h2>Result</h2><pre id="result">${t.result === undefined ? '–' : esc(json(t.result))}</pre>
      <h2>Events (live, since this page opened)</h2><ol class="timeline" id="timeline"></ol>`;
    document.getElementById('cancel')?.addEventListener('click', () => act(t.id, 'cancel'));
    document.getElementById('retry')?.addEventListener('click', () => act(t.id, 'retry'));
    return {
      live(batch) {
        const mine = batch.filter(e => e.task_id === t.id);
        if (!mine.length) {
          return;
        }
        const list = document.getElementById('timeline');
        for (const e of mine) {
          timeline.push(e);
          list.insertAdjacentHTML('beforeend', `<li>${esc(e.at)} <b>${esc(e.event)}</b> ${esc(e.status)} ${esc(e.agent_id)} ${e.progress ?? ''} ${esc(e.message)}</li>`);
        }
        const last = mine[mine.length - 1];
        document.getElementById('progress').firstElementChild.style.width = (last.progress ?? 0) + '%';
        document.getElementById('progress-text').textContent = (last.progress ?? 0) + ' % ' + (last.message ?? '');
        if (last.status !== t.status) {
          t.status = last.status;
          route(true); // a new status: read the task again (result, buttons), keep the timeline
        }
      }, timeline };
  }
};

function serverQuery(filter, after, limit) {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const k of ['status', 'type', 'agent']) {
    if (filter[k]) {
      q.set(k, filter[k]);
    }
  }
  if (after) {
    q.set('after', after);
  }
  return q;
}

// priority and creation time are filtered here, on each page the server returns
function clientMatch(filter, t) {
  return (!filter.priority || t.priority === filter.priority)
    && (!filter.since || Date.parse(t.created_at) >= Date.parse(filter.since));
}

async function matchingIds(filter) {
  const ids = [];
  let after = '';
  do {
    const page = await api('/v1/tasks?' + serverQuery(filter, after, 1000));
    page.tasks.filter(t => clientMatch(filter, t)).forEach(t => ids.push(t.id));
    after = page.next_after;
  } while (after && ids.length < 100000);
  return ids;
}

async function bulk(filter, action) {
  const ids = await matchingIds(filter);
  if (!confirm(`${action === 'retry' ? 'Retry' : 'Cancel'} ${ids.length} matching tasks?`)) {
    return;
  }
  let done = 0, refused = 0;
  for (const id of ids) {
    try {
      await api(`/v1/tasks/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
      done++;
    } catch {
      refused++;
    }
  }
  alert(`${done} tasks ${action === 'retry' ? 'retried' : 'cancelled'}${refused ? `, ${refused} refused` : ''}`);
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

// The task's dependencies, transitively (at most 60 tasks), drawn as layers left to right.
async function dependencies(root) {
  if (!root.depends_on) {
    return '<p class="muted">none</p>';
  }
  const nodes = new Map([[root.id, root]]);
  const depth = new Map([[root.id, 0]]);
  let frontier = [root];
  while (frontier.length && nodes.size < 60) {
    const next = [];
    for (const t of frontier) {
      for (const dep of t.depends_on || []) {
        depth.set(dep, Math.max(depth.get(dep) ?? 0, depth.get(t.id) + 1));
        if (!nodes.has(dep)) {
          const d = await api('/v1/tasks/' + encodeURIComponent(dep)).catch(() => ({ id: dep, status: 'UNKNOWN' }));
          nodes.set(dep, d);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  const maxDepth = Math.max(...depth.values());
  const columns = new Map();
  for (const [id, d] of depth) {
    const column = maxDepth - d;
    columns.set(column, [...(columns.get(column) || []), id]);
  }
  const pos = new Map();
  const colour = { COMPLETED: '#2e7d32', FAILED: '#c62828', CANCELLED: '#757575', IN_PROGRESS: '#1565c0', ASSIGNED: '#1565c0',
    WAITING: '#6d4c41', SCHEDULED: '#6d4c41', PENDING: '#ef6c00' };
  let height = 0;
  for (const [column, ids] of columns) {
    ids.forEach((id, row) => pos.set(id, { x: 10 + column * 190, y: 10 + row * 56 }));
    height = Math.max(height, ids.length * 56 + 10);
  }
  let svg = '';
  for (const [id, t] of nodes) {
    for (const dep of t.depends_on || []) {
      const a = pos.get(dep), b = pos.get(id);
      if (a && b) {
        svg += `<line x1="${a.x + 160}" y1="${a.y + 20}" x2="${b.x}" y2="${b.y + 20}" stroke="#999" marker-end="url(#arrow)"/>`;
      }
    }
  }
  for (const [id, t] of nodes) {
    const p = pos.get(id);
    svg += `<g class="node" data-id="${esc(id)}" data-status="${t.status}"><a href="#/task/${encodeURIComponent(id)}">
      <rect x="${p.x}" y="${p.y}" width="160" height="40" rx="5" fill="#fff" stroke="${colour[t.status] || '#000'}" stroke-width="${id === root.id ? 3 : 2}"/>
      <text x="${p.x + 6}" y="${p.y + 16}">${esc((t.type || id).length > 24 ? (t.type || id).slice(0, 23) + '…' : (t.type || id))}</text>
      <text x="${p.x + 6}" y="${p.y + 32}" fill="${colour[t.status] || '#000'}">${t.status}${t.error ? ': ' + esc(t.error.slice(0, 18)) : ''}</text>
      <title>${esc(id)} ${t.status}${t.error ? ': ' + esc(t.error) : ''}</title></a></g>`;
  }
  const width = (maxDepth + 1) * 190 + 10;
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5"
    markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#999"/></marker></defs>${svg}</svg>`;
}

function throttledReload(everyMillis) {
  let last = Date.now();
  return () => {
    if (Date.now() - last >= everyMillis) {
      last = Date.now();
      route(true);
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
    const keep = quiet && state.page && state.page.timeline;
    const made = await pages[page](new URLSearchParams(query || ''), decodeURIComponent(rest.join('/')));
    if (mine === routing) {
      state.page = made;
      if (keep && made.timeline) {
        keep.forEach(e => made.timeline.push(e));
        document.getElementById('timeline').innerHTML = keep.map(e => `<li>${esc(e.at)} <b>${esc(e.event)}</b> ${esc(e.status)} ${esc(e.agent_id)} ${e.progress ?? ''} ${esc(e.message)}</li>`).join('');
      }
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
    signIn();
    return;
  }
  connect();
  route();
})();
