// @ts-check
// The actor console's browser script (console.html, served at GET /console). It asks for the admin
// token once (kept in sessionStorage), polls GET /api/admin/actors every second with it, and offers
// the passivate / restart-projector actions. Every node is built with DOM APIs and data is written
// only through textContent, so nothing from the API is ever parsed as HTML. A classic script (the
// page is one inlined, hash-pinned response); tsconfig.browser.json type-checks it against the DOM.
(function () {
  'use strict';

  /**
   * What the page reads of GET /api/admin/actors. The server types that answer loosely
   * (AdminPort.console() is a Record), so every field is optional and each is rendered defensively.
   * @typedef {{ transactions?: number, appends?: number, lastBatchAppends?: number, queued?: number }} JournalStats
   * @typedef {{ live?: number, activations?: number, passivations?: number, crashes?: number,
   *   commandsProcessed?: number, turns?: number, journal?: JournalStats }} SystemStats
   * @typedef {{ accountId?: unknown, state?: unknown, version?: number, mailboxDepth?: number,
   *   commandsProcessed?: number, lastActiveAt?: string }} ActorView
   * @typedef {{ transferId?: unknown, state?: unknown, stage?: unknown, attempts?: number, lastError?: unknown }} TransferView
   * @typedef {{ finished?: number, parked?: number }} TransferTotals
   * @typedef {{ topic?: unknown, partition?: number, committedOffset?: unknown, lag?: number | null }} PartitionView
   * @typedef {{ name?: unknown, groupId?: unknown, state?: unknown, batches?: number, applied?: number,
   *   gapsRepaired?: number, deadLettered?: number, restarts?: number, partitions?: PartitionView[] }} ProjectorView
   * @typedef {{ state?: unknown, published?: number, failures?: number, rounds?: number }} RelayStats
   * @typedef {{ pending?: number, oldestAgeMs?: number, relay?: RelayStats }} OutboxStats
   * @typedef {{ system?: SystemStats, accounts?: ActorView[], transfers?: TransferView[],
   *   transferTotals?: TransferTotals, projectors?: ProjectorView[], outbox?: OutboxStats }} ConsoleData
   * @typedef {{ detail?: unknown, title?: unknown }} Problem
   * @typedef {{ status: number, ok: boolean, body: unknown, retryAfter: number }} ApiAnswer
   * @typedef {{ tr: HTMLTableRowElement, cells: Record<string, HTMLTableCellElement> }} ActorRow
   * @typedef {{ root: HTMLElement, title: HTMLElement, meta: HTMLElement, state: HTMLElement,
   *   kv: Record<string, HTMLElement>, tbody: HTMLTableSectionElement }} ProjectorPanel
   */

  const TOKEN_KEY = 'acta.console.adminToken';
  const API = '/api/admin/actors';
  const POLL_MS = 1000;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let generation = 0;
  let lastOk = 0;
  /** @type {Map<string, ActorRow>} */
  const rows = new Map();
  /** @type {Map<string, ProjectorPanel>} */
  const projectorViews = new Map();

  /**
   * The element with this id; the shell (console.html) has every id this script names.
   * @param {string} id
   * @returns {HTMLElement}
   */
  function $(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error('console.html has no #' + id);
    return node;
  }
  /** @param {string} id */
  function input(id) {
    const node = $(id);
    if (!(node instanceof HTMLInputElement)) throw new Error('#' + id + ' is not an input');
    return node;
  }
  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {Record<string, string>} [attrs] text and className set the properties; the rest are attributes
   * @param {Node[]} [children]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  /** @param {unknown} n */
  function fmt(n) { return typeof n === 'number' && isFinite(n) ? n.toLocaleString('en-US') : (n === null || n === undefined ? '\u2014' : String(n)); }
  /** @param {unknown} ms */
  function age(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '\u2014';
    if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    const m = s / 60;
    if (m < 60) return m.toFixed(0) + ' min';
    return (m / 60).toFixed(1) + ' h';
  }
  /** @param {unknown} iso */
  function ago(iso) {
    const t = Date.parse(String(iso));
    return isNaN(t) ? '\u2014' : age(Date.now() - t) + ' ago';
  }
  /** @param {Node} node @param {string} text */
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  /** @param {Element} node @param {string} text @param {string} tone */
  function setPill(node, text, tone) { setText(node, text); node.className = 'pill' + (tone ? ' ' + tone : ''); }
  /** @param {unknown} state */
  function tone(state) {
    const s = String(state || '').toLowerCase();
    if (/(crash|fail|error|stopped|dead)/.test(s)) return 'bad';
    if (/(running|idle|processing|active|connected|ok)/.test(s)) return 'ok';
    return 'warn';
  }

  // ---- banners --------------------------------------------------------------------------------
  /** @param {string | null} kind @param {string} [text] */
  function banner(kind, text) {
    const b = $('banner');
    if (!text) { b.className = 'alert hidden'; b.textContent = ''; return; }
    b.className = 'alert ' + kind;
    b.textContent = text;
  }
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let noticeTimer;
  /** @param {string} kind @param {string} text */
  function notice(kind, text) {
    const n = $('notice');
    n.className = 'alert ' + kind;
    n.textContent = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { n.className = 'alert hidden'; }, 4000);
  }
  /** @param {number} status @param {unknown} body */
  function problemText(status, body) {
    const problem = /** @type {Problem | null} */ (body && typeof body === 'object' ? body : null);
    const detail = problem && (problem.detail || problem.title);
    return 'HTTP ' + status + (detail ? ': ' + String(detail) : '');
  }

  // ---- session --------------------------------------------------------------------------------
  // sessionStorage throws when storage is disabled; the page then works without remembering.
  function token() { try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; } }
  /** @param {string} message */
  function showLogin(message) {
    stop();
    try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* storage unavailable: nothing was kept */ }
    $('dashboard').classList.add('hidden');
    $('signout').classList.add('hidden');
    $('login').classList.remove('hidden');
    const err = $('login-error');
    if (message) { err.textContent = message; err.classList.remove('hidden'); } else { err.textContent = ''; err.classList.add('hidden'); }
    setPill($('conn'), 'Signed out', '');
    setText($('updated'), '');
    input('token').value = '';
    input('token').focus();
  }
  function showDashboard() {
    $('login').classList.add('hidden');
    $('dashboard').classList.remove('hidden');
    $('signout').classList.remove('hidden');
    setPill($('conn'), 'Connecting\u2026', 'warn');
    start();
  }
  function stop() { generation++; clearTimeout(timer); timer = undefined; }
  function start() { stop(); poll(generation); }

  /**
   * @param {string} method
   * @param {string} path
   * @returns {Promise<ApiAnswer>}
   */
  function api(method, path) {
    return fetch(path, { method: method, headers: { Authorization: 'Bearer ' + token(), Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' })
      .then(function (res) {
        return res.text().then(function (text) {
          /** @type {unknown} */
          let body;
          try { body = text ? JSON.parse(text) : null; } catch { body = null; /* not JSON: shown as the bare status */ }
          return { status: res.status, ok: res.ok, body: body, retryAfter: Number(res.headers.get('retry-after')) || 0 };
        });
      });
  }

  /** @param {unknown} err */
  function messageOf(err) { return err instanceof Error && err.message ? err.message : 'network error'; }

  /** @param {number} gen */
  function poll(gen) {
    api('GET', API).then(function (r) {
      if (gen !== generation) return;
      if (r.status === 401) { showLogin('401 Unauthorized \u2014 the admin token was rejected. Check ADMIN_TOKEN and sign in again.'); return; }
      if (r.status === 429) { banner('warn', 'Rate limited by the admin API; retrying in ' + (r.retryAfter || 5) + ' s.'); schedule(gen, (r.retryAfter || 5) * 1000); return; }
      if (!r.ok || !r.body || typeof r.body !== 'object') { degraded(problemText(r.status, r.body)); schedule(gen, POLL_MS); return; }
      lastOk = Date.now();
      banner(null);
      setPill($('conn'), 'Live', 'ok');
      setText($('updated'), 'Updated ' + new Date(lastOk).toLocaleTimeString());
      render(/** @type {ConsoleData} */ (r.body));
      schedule(gen, POLL_MS);
    }, function (err) {
      if (gen !== generation) return;
      degraded('Cannot reach the server (' + messageOf(err) + ')');
      schedule(gen, POLL_MS);
    });
  }
  /** @param {number} gen @param {number} ms */
  function schedule(gen, ms) { if (gen === generation) timer = setTimeout(function () { poll(gen); }, ms); }
  /** @param {string} why */
  function degraded(why) {
    setPill($('conn'), 'Stale', 'bad');
    banner('bad', why + (lastOk ? ' \u2014 showing data from ' + new Date(lastOk).toLocaleTimeString() + '.' : '.'));
  }

  // ---- rendering ------------------------------------------------------------------------------
  /** @param {string} id @param {string} value @param {string} sub @param {string} [state] */
  function card(id, value, sub, state) {
    const c = $(id);
    const valueNode = c.querySelector('.value');
    const subNode = c.querySelector('.sub');
    if (!valueNode || !subNode) throw new Error('card #' + id + ' lacks .value or .sub');
    setText(valueNode, value);
    setText(subNode, sub || '');
    c.className = 'card' + (state ? ' ' + state : '');
  }

  /** @param {ConsoleData} data */
  function render(data) {
    const sys = data.system || {};
    const journal = sys.journal || {};
    const accounts = Array.isArray(data.accounts) ? data.accounts : [];
    const projectors = Array.isArray(data.projectors) ? data.projectors : [];
    const outbox = data.outbox || {};
    const relay = outbox.relay || {};

    card('c-live', fmt(sys.live), accounts.length + ' listed below');
    card('c-activations', fmt(sys.activations), 'actors started');
    card('c-passivations', fmt(sys.passivations), 'actors stopped when idle');
    card('c-crashes', fmt(sys.crashes), sys.crashes ? 'investigate logs' : 'none', sys.crashes ? 'bad' : '');
    card('c-commands', fmt(sys.commandsProcessed), fmt(sys.turns) + ' turns');
    const avg = journal.transactions ? (Number(journal.appends) / journal.transactions) : null;
    card('c-batch', fmt(journal.lastBatchAppends),
      'avg ' + (avg === null ? '\u2014' : avg.toFixed(1)) + ' / txn \u00b7 ' + fmt(journal.queued) + ' queued',
      (journal.queued ?? 0) > 100 ? 'warn' : '');

    const dead = projectors.reduce(function (s, p) { return s + (Number(p.deadLettered) || 0); }, 0);
    const oldest = outbox.oldestAgeMs ?? 0;
    card('c-pending', fmt(outbox.pending), 'events awaiting the relay', (outbox.pending ?? 0) > 1000 ? 'warn' : '');
    card('c-oldest', age(outbox.oldestAgeMs), 'oldest pending event', oldest > 30000 ? 'bad' : (oldest > 5000 ? 'warn' : ''));
    card('c-relay', String(relay.state || '\u2014'), fmt(relay.published) + ' published \u00b7 ' + fmt(relay.failures) + ' failures \u00b7 ' + fmt(relay.rounds) + ' rounds',
      relay.failures ? 'warn' : '');
    card('c-dead', fmt(dead), dead ? 'events the projector gave up on' : 'none', dead ? 'bad' : '');

    renderActors(accounts);
    renderTransfers(Array.isArray(data.transfers) ? data.transfers : [], data.transferTotals || {});
    renderProjectors(projectors);
  }

  /** @param {ActorView[]} accounts */
  function renderActors(accounts) {
    const body = $('actors-body');
    setText($('actors-count'), accounts.length + (accounts.length === 1 ? ' actor' : ' actors'));
    /** @type {Set<string>} */
    const seen = new Set();
    accounts.slice().sort(function (a, b) { return String(a.accountId).localeCompare(String(b.accountId)); }).forEach(function (a, index) {
      const id = String(a.accountId);
      seen.add(id);
      let row = rows.get(id);
      if (!row) {
        /** @type {ActorRow} */
        const created = { tr: el('tr', { 'data-account-id': id }), cells: {} };
        ['accountId', 'state', 'version', 'mailboxDepth', 'commandsProcessed', 'lastActiveAt'].forEach(function (col) {
          const td = el('td', { 'data-col': col });
          if (col === 'accountId') td.className = 'mono';
          if (col === 'version' || col === 'mailboxDepth' || col === 'commandsProcessed') td.className = 'num';
          if (col === 'state') td.appendChild(el('span', { className: 'pill' }));
          created.cells[col] = td;
          created.tr.appendChild(td);
        });
        const button = el('button', { type: 'button', className: 'danger', 'data-action': 'passivate', text: 'Passivate' });
        button.addEventListener('click', function () { passivate(id, button); });
        created.tr.appendChild(el('td', { className: 'num' }, [button]));
        rows.set(id, created);
        row = created;
      }
      setText(row.cells.accountId, id);
      setPill(/** @type {Element} */ (row.cells.state.firstElementChild), String(a.state || '\u2014'), tone(a.state));
      setText(row.cells.version, fmt(a.version));
      setText(row.cells.mailboxDepth, fmt(a.mailboxDepth));
      setText(row.cells.commandsProcessed, fmt(a.commandsProcessed));
      setText(row.cells.lastActiveAt, ago(a.lastActiveAt));
      row.cells.lastActiveAt.title = String(a.lastActiveAt || '');
      if (body.children[index] !== row.tr) body.insertBefore(row.tr, body.children[index] || null);
    });
    rows.forEach(function (row, id) { if (!seen.has(id)) { row.tr.remove(); rows.delete(id); } });
    $('actors-empty').classList.toggle('hidden', accounts.length > 0);
  }

  /** @param {TransferView[]} transfers @param {TransferTotals} totals */
  function renderTransfers(transfers, totals) {
    const body = $('transfers-body');
    setText($('transfers-count'), transfers.length + ' live \u00b7 ' + fmt(totals.finished) + ' finished \u00b7 ' + fmt(totals.parked) + ' parked');
    while (body.firstChild) body.removeChild(body.firstChild);
    transfers.slice().sort(function (a, b) { return String(a.transferId).localeCompare(String(b.transferId)); }).forEach(function (t) {
      const tr = el('tr', { 'data-transfer-id': String(t.transferId) });
      tr.appendChild(el('td', { className: 'mono', text: String(t.transferId) }));
      const pill = el('span', { className: 'pill' });
      setPill(pill, String(t.state || '\u2014'), tone(t.state));
      tr.appendChild(el('td', {}, [pill]));
      tr.appendChild(el('td', { text: String(t.stage || '\u2014') }));
      tr.appendChild(el('td', { className: 'num', text: fmt(t.attempts) }));
      tr.appendChild(el('td', { className: 'mono', text: String(t.lastError || '') }));
      body.appendChild(tr);
    });
    $('transfers-empty').classList.toggle('hidden', transfers.length > 0);
  }

  /** @param {number | null | undefined} lag */
  function lagTone(lag) { return lag === null || lag === undefined ? '' : (lag === 0 ? ' ok' : (lag > 1000 ? ' bad' : ' warn')); }

  /** @param {ProjectorView[]} projectors */
  function renderProjectors(projectors) {
    const host = $('projectors');
    /** @type {Set<string>} */
    const seen = new Set();
    projectors.forEach(function (p) {
      const name = String(p.name);
      seen.add(name);
      let v = projectorViews.get(name);
      if (!v) { v = buildProjector(name); projectorViews.set(name, v); host.appendChild(v.root); }
      setText(v.title, 'Projector \u00b7 ' + name);
      setText(v.meta, 'group ' + String(p.groupId || '\u2014'));
      setPill(v.state, String(p.state || '\u2014'), tone(p.state));
      setText(v.kv.batches, fmt(p.batches));
      setText(v.kv.applied, fmt(p.applied));
      setText(v.kv.gapsRepaired, fmt(p.gapsRepaired));
      setText(v.kv.deadLettered, fmt(p.deadLettered));
      v.kv.deadLettered.className = 'v' + (p.deadLettered ? ' bad' : '');
      setText(v.kv.restarts, fmt(p.restarts));
      const parts = Array.isArray(p.partitions) ? p.partitions : [];
      const frag = document.createDocumentFragment();
      parts.forEach(function (part) {
        const lagPill = el('span', { className: 'pill' + lagTone(part.lag), text: fmt(part.lag) });
        frag.appendChild(el('tr', { 'data-partition': String(part.partition) }, [
          el('td', { className: 'mono', text: String(part.topic) }),
          el('td', { className: 'num', text: fmt(part.partition) }),
          el('td', { className: 'num', 'data-col': 'committedOffset', text: part.committedOffset === null || part.committedOffset === undefined ? '\u2014' : String(part.committedOffset) }),
          el('td', { className: 'num', 'data-col': 'lag' }, [lagPill]),
        ]));
      });
      if (!parts.length) frag.appendChild(el('tr', {}, [el('td', { className: 'empty', colspan: '4', text: 'No partitions assigned' })]));
      v.tbody.replaceChildren(frag);
    });
    projectorViews.forEach(function (v, name) { if (!seen.has(name)) { v.root.remove(); projectorViews.delete(name); } });
  }

  /**
   * @param {string} name
   * @returns {ProjectorPanel}
   */
  function buildProjector(name) {
    const title = el('h2'), meta = el('span', { className: 'meta' }), state = el('span', { className: 'pill' });
    const restart = el('button', { type: 'button', 'data-action': 'restart-projector', 'data-projector': name, text: 'Restart projector' });
    restart.addEventListener('click', function () { restartProjector(name, restart); });
    /** @type {Record<string, HTMLElement>} */
    const kv = {};
    const kvRow = el('div', { className: 'kv' });
    [['batches', 'Batches'], ['applied', 'Applied'], ['gapsRepaired', 'Gaps repaired'], ['deadLettered', 'Dead-lettered'], ['restarts', 'Restarts']].forEach(function (pair) {
      const value = el('div', { className: 'v', 'data-col': pair[0] });
      kv[pair[0]] = value;
      kvRow.appendChild(el('div', {}, [el('div', { className: 'k', text: pair[1] }), value]));
    });
    const tbody = el('tbody');
    const table = el('table', {}, [
      el('thead', {}, [el('tr', {}, [
        el('th', { text: 'Topic' }),
        el('th', { className: 'num', text: 'Partition' }),
        el('th', { className: 'num', text: 'Committed offset' }),
        el('th', { className: 'num', text: 'Lag' }),
      ])]),
      tbody,
    ]);
    const root = el('section', { 'data-projector': name }, [
      el('div', { className: 'head' }, [title, state, meta, el('span', { className: 'spacer' }), restart]),
      kvRow, table,
    ]);
    return { root: root, title: title, meta: meta, state: state, kv: kv, tbody: tbody };
  }

  // ---- actions --------------------------------------------------------------------------------
  /** @param {string} path @param {HTMLButtonElement} button @param {string} okText */
  function action(path, button, okText) {
    button.disabled = true;
    return api('POST', path).then(function (r) {
      if (r.status === 401) { showLogin('401 Unauthorized \u2014 the admin token was rejected. Sign in again.'); return; }
      if (r.ok) notice('ok', okText); else notice('bad', problemText(r.status, r.body));
      start();
    }, function (err) {
      notice('bad', 'Request failed: ' + messageOf(err));
    }).then(function () { button.disabled = false; });
  }
  /** @param {string} id @param {HTMLButtonElement} button */
  function passivate(id, button) {
    action('/api/admin/actors/' + encodeURIComponent(id) + '/passivate', button, 'Passivated ' + id);
  }
  /** @param {string} name @param {HTMLButtonElement} button */
  function restartProjector(name, button) {
    action('/api/admin/projectors/' + encodeURIComponent(name) + '/restart', button, 'Restarted projector ' + name);
  }

  // ---- wiring ---------------------------------------------------------------------------------
  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    const value = input('token').value.trim();
    if (!value) { $('login-error').textContent = 'Enter the admin token.'; $('login-error').classList.remove('hidden'); return; }
    try { sessionStorage.setItem(TOKEN_KEY, value); } catch { /* storage unavailable: this tab signs in without remembering */ }
    input('token').value = '';
    showDashboard();
  });
  $('signout').addEventListener('click', function () { showLogin(''); });
  if (token()) showDashboard(); else showLogin('');
})();
