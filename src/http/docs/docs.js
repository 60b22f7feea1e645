// @ts-check
// The API documentation page's browser script (docs.html, served at GET /docs). It fetches
// /api/openapi.json, resolves the document's local $refs and lists every operation by tag with its
// parameters, request body and responses. Text goes in only through textContent. A classic script
// (the page is one inlined, hash-pinned response); tsconfig.browser.json type-checks it.
(function () {
  'use strict';

  /**
   * The parts of an OpenAPI 3.1 document this page reads (after $refs are resolved).
   * @typedef {{ schema?: unknown }} MediaType
   * @typedef {{ name?: string, in?: string, required?: boolean, schema?: unknown, description?: string }} Parameter
   * @typedef {{ required?: boolean, content?: Record<string, MediaType> }} RequestBody
   * @typedef {{ description?: string, content?: Record<string, MediaType> }} ResponseSpec
   * @typedef {{ tags?: string[], summary?: string, description?: string, security?: Array<Record<string, unknown>>,
   *   parameters?: Parameter[], requestBody?: RequestBody, responses?: Record<string, ResponseSpec> }} Operation
   * @typedef {{ info?: { title?: string, version?: string, description?: string },
   *   paths?: Record<string, Record<string, unknown>> }} OpenApiDocument
   * @typedef {{ path: string, method: string, op: Operation }} Entry
   */

  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

  /**
   * The element with this id; docs.html has every id this script names.
   * @param {string} id
   * @returns {HTMLElement}
   */
  function byId(id) {
    const node = document.getElementById(id);
    if (!node) throw new Error('docs.html has no #' + id);
    return node;
  }
  const main = byId('ops');

  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {string} [cls]
   * @param {unknown} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = String(text); return e; }

  /**
   * @param {unknown} value
   * @returns {value is Record<string, unknown>}
   */
  function isRecord(value) { return value !== null && typeof value === 'object' && !Array.isArray(value); }

  /**
   * The value with every local $ref replaced by its target (siblings of a $ref win), to a bounded depth.
   * @param {unknown} doc
   * @param {unknown} value
   * @param {number} depth
   * @returns {unknown}
   */
  function resolve(doc, value, depth) {
    if (depth > 20 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(function (v) { return resolve(doc, v, depth + 1); });
    const record = /** @type {Record<string, unknown>} */ (value);
    const ref = record.$ref;
    if (typeof ref === 'string' && ref.indexOf('#/') === 0) {
      const target = ref.slice(2).split('/').reduce(
        /** @param {unknown} node @param {string} key */
        function (node, key) { return isRecord(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined; },
        doc,
      );
      /** @type {Record<string, unknown>} */
      const rest = {};
      Object.keys(record).forEach(function (k) { if (k !== '$ref') rest[k] = record[k]; });
      return Object.assign({}, resolve(doc, target, depth + 1), resolve(doc, rest, depth + 1));
    }
    /** @type {Record<string, unknown>} */
    const out = {};
    Object.keys(record).forEach(function (k) { out[k] = resolve(doc, record[k], depth + 1); });
    return out;
  }
  /** @param {unknown} value */
  function pre(value) { return el('pre', '', JSON.stringify(value, null, 2)); }

  /** @param {OpenApiDocument} doc */
  function render(doc) {
    byId('title').textContent = (doc.info && doc.info.title || 'API') + ' ' + (doc.info && doc.info.version || '');
    byId('desc').textContent = doc.info && doc.info.description || '';
    /** @type {Record<string, Entry[]>} */
    const groups = {};
    /** @type {string[]} */
    const order = [];
    const paths = doc.paths || {};
    Object.keys(paths).forEach(function (path) {
      const item = paths[path];
      methods.forEach(function (method) {
        const op = item[method]; if (!op) return;
        const resolved = /** @type {Operation} */ (resolve(doc, op, 0));
        const tag = (resolved.tags && resolved.tags[0]) || 'other';
        if (!groups[tag]) { groups[tag] = []; order.push(tag); }
        groups[tag].push({ path: path, method: method, op: resolved });
      });
    });
    order.forEach(function (tag) {
      main.appendChild(el('h2', 'tag', tag));
      groups[tag].forEach(function (entry) { main.appendChild(operation(entry)); });
    });
  }

  /** @param {Entry} entry */
  function operation(entry) {
    const op = entry.op;
    const d = el('details', 'op');
    const s = el('summary');
    s.appendChild(el('span', 'method ' + entry.method, entry.method));
    s.appendChild(el('span', 'path', entry.path));
    s.appendChild(el('span', 'sum', op.summary || ''));
    if (op.security && op.security.length) s.appendChild(el('span', 'lock', 'auth: ' + op.security.map(function (r) { return Object.keys(r).join('+'); }).join(', ')));
    d.appendChild(s);
    const b = el('div', 'body');
    if (op.description) b.appendChild(el('p', '', op.description));
    if (op.parameters && op.parameters.length) {
      b.appendChild(el('h4', '', 'Parameters'));
      const t = el('table'); const h = el('tr');
      ['name', 'in', 'required', 'schema', 'description'].forEach(function (c) { h.appendChild(el('th', '', c)); });
      t.appendChild(h);
      op.parameters.forEach(function (p) {
        const r = el('tr');
        r.appendChild(el('td', '', '')).appendChild(el('code', '', p.name));
        r.appendChild(el('td', '', p.in));
        r.appendChild(el('td', '', p.required ? 'yes' : 'no'));
        r.appendChild(el('td', '', '')).appendChild(el('code', '', JSON.stringify(p.schema || {})));
        r.appendChild(el('td', '', p.description || ''));
        t.appendChild(r);
      });
      b.appendChild(t);
    }
    const requestBody = op.requestBody;
    if (requestBody) {
      b.appendChild(el('h4', '', 'Request body' + (requestBody.required ? ' (required)' : ' (optional)')));
      const content = requestBody.content || {};
      Object.keys(content).forEach(function (type) {
        b.appendChild(el('div', '', type));
        b.appendChild(pre(content[type].schema));
      });
    }
    b.appendChild(el('h4', '', 'Responses'));
    const responses = op.responses || {};
    Object.keys(responses).forEach(function (status) {
      const resp = responses[status];
      const line = el('div');
      line.appendChild(el('span', 'status' + (status >= '400' ? ' err' : ''), status + ' '));
      line.appendChild(el('span', '', resp.description || ''));
      b.appendChild(line);
      const content = resp.content || {};
      Object.keys(content).forEach(function (type) {
        const det = el('details'); det.appendChild(el('summary', '', type));
        det.appendChild(pre(content[type].schema)); b.appendChild(det);
      });
    });
    d.appendChild(b);
    return d;
  }

  fetch('/api/openapi.json', { headers: { accept: 'application/json' } })
    .then(function (r) { if (!r.ok) throw new Error('GET /api/openapi.json answered ' + r.status); return r.json(); })
    .then(render)
    .catch(function (e) { main.appendChild(el('p', 'err', 'Could not load the API document: ' + (e instanceof Error ? e.message : String(e)))); });
})();
