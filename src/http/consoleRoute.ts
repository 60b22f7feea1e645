// GET /console: the operator's supervision page. One self-contained HTML document (inline CSS and
// JS, no external assets) that asks for the admin token once (kept in sessionStorage), polls
// GET /api/admin/actors every second with it, and offers the passivate / restart-projector actions.
// The page builds every node with DOM APIs and writes data only through textContent, so nothing
// from the API is ever parsed as HTML. A strict CSP (hash-pinned inline script and style,
// connect-src 'self') backs that up.
import { createHash } from 'node:crypto';
import { Router } from 'express';

const css = `
:root{--bg:#f4f6f9;--panel:#fff;--ink:#1b2430;--muted:#66748a;--line:#e2e7ef;--accent:#2457d6;--ok:#16794c;--okbg:#e3f5ec;--warn:#9a5b00;--warnbg:#fff2d9;--bad:#b42318;--badbg:#fde8e6;--idle:#eef1f6}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;align-items:center;gap:14px;padding:12px 24px;background:#131b2b;color:#fff}
header h1{font-size:16px;margin:0;font-weight:600;letter-spacing:.2px}
header h1 span{color:#8fa6d6;font-weight:400}
header .spacer{flex:1}
header .updated{color:#aab6cc;font-size:12px;font-variant-numeric:tabular-nums}
main{max-width:1280px;margin:0 auto;padding:20px 24px 40px}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;background:var(--idle);color:var(--muted);white-space:nowrap}
.pill.ok{background:var(--okbg);color:var(--ok)}.pill.warn{background:var(--warnbg);color:var(--warn)}.pill.bad{background:var(--badbg);color:var(--bad)}
button{font:inherit;font-size:13px;padding:5px 12px;border-radius:6px;border:1px solid var(--line);background:#fff;color:var(--ink);cursor:pointer}
button:hover:not(:disabled){border-color:var(--accent);color:var(--accent)}
button:disabled{opacity:.5;cursor:default}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.primary:hover:not(:disabled){background:#1b46b3;color:#fff}
button.danger{color:var(--bad)}button.danger:hover:not(:disabled){border-color:var(--bad);color:var(--bad)}
header button{background:transparent;color:#cfd8ea;border-color:#3a4660}
.alert{margin:0 0 16px;padding:10px 14px;border-radius:8px;border:1px solid;font-weight:500}
.alert.bad{background:var(--badbg);border-color:#f5c2bc;color:var(--bad)}
.alert.warn{background:var(--warnbg);border-color:#f3d9a6;color:var(--warn)}
.alert.ok{background:var(--okbg);border-color:#b4e2cb;color:var(--ok)}
.login{max-width:420px;margin:60px auto;background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:24px}
.login h2{margin:0 0 6px;font-size:18px}.login p{margin:0 0 16px;color:var(--muted)}
.login label{display:block;font-weight:600;margin-bottom:6px}
.login input{width:100%;font:inherit;padding:8px 10px;border:1px solid var(--line);border-radius:6px;margin-bottom:14px}
.login input:focus{outline:2px solid #b9cbf5;border-color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-bottom:12px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.card .value{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.card .sub{color:var(--muted);font-size:12px;min-height:18px}
.card.bad{border-color:#f5c2bc;background:var(--badbg)}.card.bad .value{color:var(--bad)}
.card.warn{border-color:#f3d9a6;background:var(--warnbg)}.card.warn .value{color:var(--warn)}
section{background:var(--panel);border:1px solid var(--line);border-radius:10px;margin-top:16px;overflow:hidden}
section>.head{display:flex;align-items:center;gap:10px;padding:10px 14px;border-bottom:1px solid var(--line)}
section>.head h2{font-size:14px;margin:0;font-weight:650}
section>.head .meta{color:var(--muted);font-size:12px}
section>.head .spacer{flex:1}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:7px 14px;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfd}
td.num,th.num{text-align:right}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover td{background:#f8faff}
td.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
td.empty{color:var(--muted);text-align:center;padding:18px}
.kv{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:0;border-bottom:1px solid var(--line)}
.kv>div{padding:8px 14px}.kv .k{color:var(--muted);font-size:12px}.kv .v{font-weight:600;font-variant-numeric:tabular-nums}
.kv .v.bad{color:var(--bad)}
.hidden{display:none!important}
`;

// Plain ES2017 in the browser; kept free of template literals so it can sit inside this one.
const js = String.raw`
(function () {
  'use strict';
  var TOKEN_KEY = 'acta.console.adminToken';
  var API = '/api/admin/actors';
  var POLL_MS = 1000;
  var timer = null;
  var generation = 0;
  var lastOk = 0;
  var rows = new Map();
  var projectorViews = new Map();

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function fmt(n) { return typeof n === 'number' && isFinite(n) ? n.toLocaleString('en-US') : (n === null || n === undefined ? '\u2014' : String(n)); }
  function age(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '\u2014';
    if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms';
    var s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    var m = s / 60;
    if (m < 60) return m.toFixed(0) + ' min';
    return (m / 60).toFixed(1) + ' h';
  }
  function ago(iso) {
    var t = Date.parse(iso);
    return isNaN(t) ? '\u2014' : age(Date.now() - t) + ' ago';
  }
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setPill(node, text, tone) { setText(node, text); node.className = 'pill' + (tone ? ' ' + tone : ''); }
  function tone(state) {
    var s = String(state || '').toLowerCase();
    if (/(crash|fail|error|stopped|dead)/.test(s)) return 'bad';
    if (/(running|idle|processing|active|connected|ok)/.test(s)) return 'ok';
    return 'warn';
  }

  // ---- banners --------------------------------------------------------------------------------
  function banner(kind, text) {
    var b = $('banner');
    if (!text) { b.className = 'alert hidden'; b.textContent = ''; return; }
    b.className = 'alert ' + kind;
    b.textContent = text;
  }
  var noticeTimer = null;
  function notice(kind, text) {
    var n = $('notice');
    n.className = 'alert ' + kind;
    n.textContent = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { n.className = 'alert hidden'; }, 4000);
  }
  function problemText(status, body) {
    var detail = body && typeof body === 'object' && (body.detail || body.title);
    return 'HTTP ' + status + (detail ? ': ' + detail : '');
  }

  // ---- session --------------------------------------------------------------------------------
  function token() { try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; } }
  function showLogin(message) {
    stop();
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage unavailable */ }
    $('dashboard').classList.add('hidden');
    $('signout').classList.add('hidden');
    $('login').classList.remove('hidden');
    var err = $('login-error');
    if (message) { err.textContent = message; err.classList.remove('hidden'); } else { err.textContent = ''; err.classList.add('hidden'); }
    setPill($('conn'), 'Signed out', '');
    setText($('updated'), '');
    $('token').value = '';
    $('token').focus();
  }
  function showDashboard() {
    $('login').classList.add('hidden');
    $('dashboard').classList.remove('hidden');
    $('signout').classList.remove('hidden');
    setPill($('conn'), 'Connecting\u2026', 'warn');
    start();
  }
  function stop() { generation++; clearTimeout(timer); timer = null; }
  function start() { stop(); poll(generation); }

  function api(method, path) {
    return fetch(path, { method: method, headers: { Authorization: 'Bearer ' + token(), Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' })
      .then(function (res) {
        return res.text().then(function (text) {
          var body = null;
          try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
          return { status: res.status, ok: res.ok, body: body, retryAfter: Number(res.headers.get('retry-after')) || 0 };
        });
      });
  }

  function poll(gen) {
    api('GET', API).then(function (r) {
      if (gen !== generation) return;
      if (r.status === 401) { showLogin('401 Unauthorized \u2014 the admin token was rejected. Check ADMIN_TOKEN and sign in again.'); return; }
      if (r.status === 429) { banner('warn', 'Rate limited by the admin API; retrying in ' + (r.retryAfter || 5) + ' s.'); schedule(gen, (r.retryAfter || 5) * 1000); return; }
      if (!r.ok || !r.body) { degraded(problemText(r.status, r.body)); schedule(gen, POLL_MS); return; }
      lastOk = Date.now();
      banner(null);
      setPill($('conn'), 'Live', 'ok');
      setText($('updated'), 'Updated ' + new Date(lastOk).toLocaleTimeString());
      render(r.body);
      schedule(gen, POLL_MS);
    }, function (err) {
      if (gen !== generation) return;
      degraded('Cannot reach the server (' + (err && err.message ? err.message : 'network error') + ')');
      schedule(gen, POLL_MS);
    });
  }
  function schedule(gen, ms) { if (gen === generation) timer = setTimeout(function () { poll(gen); }, ms); }
  function degraded(why) {
    setPill($('conn'), 'Stale', 'bad');
    banner('bad', why + (lastOk ? ' \u2014 showing data from ' + new Date(lastOk).toLocaleTimeString() + '.' : '.'));
  }

  // ---- rendering ------------------------------------------------------------------------------
  function card(id, value, sub, state) {
    var c = $(id);
    setText(c.querySelector('.value'), value);
    setText(c.querySelector('.sub'), sub || '');
    c.className = 'card' + (state ? ' ' + state : '');
  }

  function render(data) {
    var sys = data.system || {};
    var journal = sys.journal || {};
    var accounts = Array.isArray(data.accounts) ? data.accounts : [];
    var projectors = Array.isArray(data.projectors) ? data.projectors : [];
    var outbox = data.outbox || {};
    var relay = outbox.relay || {};

    card('c-live', fmt(sys.live), accounts.length + ' listed below');
    card('c-activations', fmt(sys.activations), 'actors started');
    card('c-passivations', fmt(sys.passivations), 'actors stopped when idle');
    card('c-crashes', fmt(sys.crashes), sys.crashes ? 'investigate logs' : 'none', sys.crashes ? 'bad' : '');
    card('c-commands', fmt(sys.commandsProcessed), fmt(sys.turns) + ' turns');
    var avg = journal.transactions ? (journal.appends / journal.transactions) : null;
    card('c-batch', fmt(journal.lastBatchAppends),
      'avg ' + (avg === null ? '\u2014' : avg.toFixed(1)) + ' / txn \u00b7 ' + fmt(journal.queued) + ' queued',
      journal.queued > 100 ? 'warn' : '');

    var dead = projectors.reduce(function (s, p) { return s + (Number(p.deadLettered) || 0); }, 0);
    card('c-pending', fmt(outbox.pending), 'events awaiting the relay', outbox.pending > 1000 ? 'warn' : '');
    card('c-oldest', age(outbox.oldestAgeMs), 'oldest pending event', outbox.oldestAgeMs > 30000 ? 'bad' : (outbox.oldestAgeMs > 5000 ? 'warn' : ''));
    card('c-relay', String(relay.state || '\u2014'), fmt(relay.published) + ' published \u00b7 ' + fmt(relay.failures) + ' failures \u00b7 ' + fmt(relay.rounds) + ' rounds',
      relay.failures ? 'warn' : '');
    card('c-dead', fmt(dead), dead ? 'events the projector gave up on' : 'none', dead ? 'bad' : '');

    renderActors(accounts);
    renderTransfers(Array.isArray(data.transfers) ? data.transfers : [], data.transferTotals || {});
    renderProjectors(projectors);
  }

  function renderActors(accounts) {
    var body = $('actors-body');
    setText($('actors-count'), accounts.length + (accounts.length === 1 ? ' actor' : ' actors'));
    var seen = new Set();
    accounts.slice().sort(function (a, b) { return String(a.accountId).localeCompare(String(b.accountId)); }).forEach(function (a, index) {
      var id = String(a.accountId);
      seen.add(id);
      var row = rows.get(id);
      if (!row) {
        row = { tr: el('tr', { 'data-account-id': id }), cells: {} };
        ['accountId', 'state', 'version', 'mailboxDepth', 'commandsProcessed', 'lastActiveAt'].forEach(function (col) {
          var td = el('td', { 'data-col': col });
          if (col === 'accountId') td.className = 'mono';
          if (col === 'version' || col === 'mailboxDepth' || col === 'commandsProcessed') td.className = 'num';
          if (col === 'state') td.appendChild(el('span', { className: 'pill' }));
          row.cells[col] = td;
          row.tr.appendChild(td);
        });
        var button = el('button', { type: 'button', className: 'danger', 'data-action': 'passivate', text: 'Passivate' });
        button.addEventListener('click', function () { passivate(id, button); });
        row.tr.appendChild(el('td', { className: 'num' }, [button]));
        rows.set(id, row);
      }
      setText(row.cells.accountId, id);
      setPill(row.cells.state.firstChild, String(a.state || '\u2014'), tone(a.state));
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

  function renderTransfers(transfers, totals) {
    var body = $('transfers-body');
    setText($('transfers-count'), transfers.length + ' live \u00b7 ' + fmt(totals.finished) + ' finished \u00b7 ' + fmt(totals.parked) + ' parked');
    while (body.firstChild) body.removeChild(body.firstChild);
    transfers.slice().sort(function (a, b) { return String(a.transferId).localeCompare(String(b.transferId)); }).forEach(function (t) {
      var tr = el('tr', { 'data-transfer-id': String(t.transferId) });
      tr.appendChild(el('td', { className: 'mono', text: String(t.transferId) }));
      var state = el('td');
      state.appendChild(el('span', { className: 'pill' }));
      setPill(state.firstChild, String(t.state || '\u2014'), tone(t.state));
      tr.appendChild(state);
      tr.appendChild(el('td', { text: String(t.stage || '\u2014') }));
      tr.appendChild(el('td', { className: 'num', text: fmt(t.attempts) }));
      tr.appendChild(el('td', { className: 'mono', text: String(t.lastError || '') }));
      body.appendChild(tr);
    });
    $('transfers-empty').classList.toggle('hidden', transfers.length > 0);
  }

  function renderProjectors(projectors) {
    var host = $('projectors');
    var seen = new Set();
    projectors.forEach(function (p) {
      var name = String(p.name);
      seen.add(name);
      var v = projectorViews.get(name);
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
      var parts = Array.isArray(p.partitions) ? p.partitions : [];
      var frag = document.createDocumentFragment();
      parts.forEach(function (part) {
        var lag = part.lag;
        var lagPill = el('span', { className: 'pill' + (lag === null || lag === undefined ? '' : (lag === 0 ? ' ok' : (lag > 1000 ? ' bad' : ' warn'))), text: fmt(lag) });
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

  function buildProjector(name) {
    var title = el('h2'), meta = el('span', { className: 'meta' }), state = el('span', { className: 'pill' });
    var restart = el('button', { type: 'button', 'data-action': 'restart-projector', 'data-projector': name, text: 'Restart projector' });
    restart.addEventListener('click', function () { restartProjector(name, restart); });
    var kv = {}, kvRow = el('div', { className: 'kv' });
    [['batches', 'Batches'], ['applied', 'Applied'], ['gapsRepaired', 'Gaps repaired'], ['deadLettered', 'Dead-lettered'], ['restarts', 'Restarts']].forEach(function (pair) {
      kv[pair[0]] = el('div', { className: 'v', 'data-col': pair[0] });
      kvRow.appendChild(el('div', {}, [el('div', { className: 'k', text: pair[1] }), kv[pair[0]]]));
    });
    var tbody = el('tbody');
    var table = el('table', {}, [
      el('thead', {}, [el('tr', {}, [el('th', { text: 'Topic' }), el('th', { className: 'num', text: 'Partition' }), el('th', { className: 'num', text: 'Committed offset' }), el('th', { className: 'num', text: 'Lag' })])]),
      tbody,
    ]);
    var root = el('section', { 'data-projector': name }, [
      el('div', { className: 'head' }, [title, state, meta, el('span', { className: 'spacer' }), restart]),
      kvRow, table,
    ]);
    return { root: root, title: title, meta: meta, state: state, kv: kv, tbody: tbody };
  }

  // ---- actions --------------------------------------------------------------------------------
  function action(path, button, okText) {
    button.disabled = true;
    return api('POST', path).then(function (r) {
      if (r.status === 401) { showLogin('401 Unauthorized \u2014 the admin token was rejected. Sign in again.'); return; }
      if (r.ok) notice('ok', okText); else notice('bad', problemText(r.status, r.body));
      start();
    }, function (err) {
      notice('bad', 'Request failed: ' + (err && err.message ? err.message : 'network error'));
    }).then(function () { button.disabled = false; });
  }
  function passivate(id, button) {
    action('/api/admin/actors/' + encodeURIComponent(id) + '/passivate', button, 'Passivated ' + id);
  }
  function restartProjector(name, button) {
    action('/api/admin/projectors/' + encodeURIComponent(name) + '/restart', button, 'Restarted projector ' + name);
  }

  // ---- wiring ---------------------------------------------------------------------------------
  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = $('token').value.trim();
    if (!value) { $('login-error').textContent = 'Enter the admin token.'; $('login-error').classList.remove('hidden'); return; }
    try { sessionStorage.setItem(TOKEN_KEY, value); } catch (e) { /* storage unavailable */ }
    $('token').value = '';
    showDashboard();
  });
  $('signout').addEventListener('click', function () { showLogin(''); });
  if (token()) showDashboard(); else showLogin('');
})();
`;

const body = `
<header>
  <h1>Acta <span>· actor console</span></h1>
  <span id="conn" class="pill">Signed out</span>
  <span class="spacer"></span>
  <span id="updated" class="updated"></span>
  <button id="signout" type="button" class="hidden">Sign out</button>
</header>
<main>
  <div id="login" class="login">
    <h2>Operator sign-in</h2>
    <p>Enter the admin bearer token. It is kept in this tab's session storage only.</p>
    <div id="login-error" class="alert bad hidden" role="alert"></div>
    <form id="login-form" autocomplete="off">
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" spellcheck="false" autocomplete="off" required>
      <button id="connect" type="submit" class="primary">Connect</button>
    </form>
  </div>
  <div id="dashboard" class="hidden">
    <div id="banner" class="alert hidden" role="alert"></div>
    <div id="notice" class="alert hidden" role="status"></div>
    <div class="cards">
      <div class="card" id="c-live"><div class="label">Live actors</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-activations"><div class="label">Activations</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-passivations"><div class="label">Passivations</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-crashes"><div class="label">Crashes</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-commands"><div class="label">Commands</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-batch"><div class="label">Group-commit batch</div><div class="value">—</div><div class="sub"></div></div>
    </div>
    <div class="cards">
      <div class="card" id="c-pending"><div class="label">Outbox pending</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-oldest"><div class="label">Outbox oldest age</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-relay"><div class="label">Relay</div><div class="value">—</div><div class="sub"></div></div>
      <div class="card" id="c-dead"><div class="label">Dead letters</div><div class="value">—</div><div class="sub"></div></div>
    </div>
    <section id="actors">
      <div class="head"><h2>Live account actors</h2><span id="actors-count" class="meta"></span></div>
      <table>
        <thead><tr><th>Account</th><th>State</th><th class="num">Version</th><th class="num">Mailbox</th><th class="num">Commands</th><th>Last active</th><th class="num"></th></tr></thead>
        <tbody id="actors-body"></tbody>
      </table>
      <div id="actors-empty" class="hidden"><table><tbody><tr><td class="empty">No live actors — they activate on the next command.</td></tr></tbody></table></div>
    </section>
    <section id="transfers">
      <div class="head"><h2>Transfers in flight</h2><span id="transfers-count" class="meta"></span></div>
      <table>
        <thead><tr><th>Transfer</th><th>Actor state</th><th>Step</th><th class="num">Failed attempts</th><th>Last error</th></tr></thead>
        <tbody id="transfers-body"></tbody>
      </table>
      <div id="transfers-empty" class="hidden"><table><tbody><tr><td class="empty">No transfer in flight — finished transfers are in GET /api/transfers/{id}.</td></tr></tbody></table></div>
    </section>
    <div id="projectors"></div>
  </div>
</main>`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const consolePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Acta · actor console</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>
<body>${body}
<script>${js}</script>
</body>
</html>
`;

const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src ${sha256(js)}`,
  `style-src ${sha256(css)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function consoleRouter(): Router {
  const router = Router();
  router.get('/console', (_req, res) => {
    res.set({
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.type('html').send(consolePage);
  });
  return router;
}
