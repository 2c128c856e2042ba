// Meshwork's web console: plain JavaScript, no build step. It reads the mesh only through the
// router's REST API with the user's bearer token, and keeps its tables live from one stream of
// server-sent events (GET /v1/mesh/events) read with fetch, which can send the token.
'use strict';
(() => {
  const TOKEN_KEY = 'meshwork.token';
  const state = { models: new Map(), nodes: null, vmodels: [], received: false };
  let token = sessionStorage.getItem(TOKEN_KEY) || '';
  let page = { live() {}, leave() {} };
  let streamAbort = null;
  let renderQueued = false;

  // ---- small helpers --------------------------------------------------------------------------
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) {
      if (kid == null || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  const svg = (tag, attrs) => {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    return el;
  };
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const id = m => (m.namespace && m.namespace !== 'default' ? m.namespace + '/' : '') + m.name;
  const modelHref = m => '#/models/' + encodeURIComponent(m.namespace || 'default') + '/' + encodeURIComponent(m.name);
  function bytes(n) {
    if (n == null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
  }
  function ago(iso) {
    if (!iso) return '–';
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return Math.round(s) + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }
  const stateTag = s => h('span', { class: 'state ' + s }, s);
  function bar(used, capacity) {
    const fraction = capacity > 0 ? Math.min(1, used / capacity) : 0;
    const fill = h('span');
    fill.style.width = (fraction * 100).toFixed(1) + '%';
    if (used > 0) fill.style.minWidth = '3px'; // a slot that holds anything shows it, however small
    return h('div', { class: 'bar' + (fraction > 0.9 ? ' high' : ''), role: 'meter', 'aria-valuenow': String(used),
      'aria-valuemax': String(capacity), title: bytes(used) + ' of ' + bytes(capacity) }, fill);
  }

  // ---- the REST API ---------------------------------------------------------------------------
  async function api(method, path, options = {}) {
    const headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (options.namespace) headers['meshwork-namespace'] = options.namespace;
    let body;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const r = await fetch(path, { method, headers, body });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : {}; } catch (e) { json = { error: text }; }
    if (r.status === 401) askToken(json.error);
    if (!r.ok) {
      const e = new Error(json.error || 'HTTP ' + r.status);
      e.status = r.status;
      throw e;
    }
    return json;
  }

  function askToken(why) {
    const dialog = document.getElementById('token-dialog');
    document.getElementById('token-why').textContent = why || 'This mesh needs a bearer token (an API token or a JWT).';
    document.getElementById('token-input').value = token;
    if (!dialog.open) dialog.showModal();
  }
  function setToken(value) {
    token = value;
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    state.models = new Map(); state.nodes = null; state.vmodels = []; state.received = false;
    if (streamAbort) streamAbort.abort();
    route();
  }

  // ---- live updates ---------------------------------------------------------------------------
  function setLive(on, text) {
    const el = document.getElementById('live');
    el.className = 'live ' + (on ? 'on' : 'off');
    el.textContent = text;
  }
  function onEvent(block) {
    let name = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (!data) return;
    const body = JSON.parse(data);
    if (name === 'models') { state.models = new Map(body.models.map(m => [id(m), m])); state.received = true; }
    else if (name === 'model') state.models.set(id(body), body);
    else if (name === 'removed') state.models.delete(id(body));
    else if (name === 'nodes') state.nodes = body.nodes;
    else if (name === 'vmodels') state.vmodels = body.vmodels;
    queueRender();
  }
  async function stream() {
    for (;;) {
      streamAbort = new AbortController();
      try {
        const r = await fetch('/v1/mesh/events', { headers: token ? { Authorization: 'Bearer ' + token } : {}, signal: streamAbort.signal });
        if (r.status === 401 || r.status === 403) {
          const body = await r.json().catch(() => ({}));
          setLive(false, r.status === 401 ? 'signed out' : 'not allowed');
          if (r.status === 401) askToken(body.error);
          await waitUntilAborted();
          continue;
        }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        setLive(true, 'live');
        const reader = r.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            onEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (e) {
        if (streamAbort.signal.aborted) continue; // a new token: start over at once
      }
      setLive(false, 'reconnecting');
      await sleep(2000);
    }
  }
  function waitUntilAborted() {
    return new Promise(resolve => streamAbort.signal.addEventListener('abort', resolve, { once: true }));
  }
  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; page.live(); });
  }

  // ---- pages ----------------------------------------------------------------------------------
  function glance() {
    const live = h('div');
    return {
      el: h('section', {}, h('h1', {}, 'The mesh at a glance'), live),
      live() {
        const models = [...state.models.values()];
        const count = s => models.filter(m => m.state === s).length;
        const slots = (state.nodes || []).flatMap(n => n.slots);
        const used = slots.reduce((a, s) => a + s.usedBytes, 0);
        const capacity = slots.reduce((a, s) => a + s.capacityBytes, 0);
        const summary = h('div', { class: 'cards' },
          h('div', { class: 'card', id: 'models-card' }, h('h3', {}, 'Models'), h('div', { class: 'stat' }, models.length),
            h('div', { class: 'muted' }, `${count('LOADED')} loaded · ${count('LOADING')} loading · ${count('FAILED')} failed`)),
          h('div', { class: 'card' }, h('h3', {}, 'Nodes'), h('div', { class: 'stat' }, state.nodes ? state.nodes.length : '–'),
            h('div', { class: 'muted' }, state.nodes ? `${state.nodes.filter(n => n.draining).length} draining · `
              + `${state.nodes.reduce((a, n) => a + n.inFlight, 0)} requests in flight` : 'shown to admins')),
          h('div', { class: 'card' }, h('h3', {}, 'Slot memory'), h('div', { class: 'stat' }, state.nodes ? bytes(used) : '–'),
            state.nodes ? bar(used, capacity) : null, h('div', { class: 'muted' }, state.nodes ? 'of ' + bytes(capacity) : '')));
        const nodes = state.nodes
          ? h('div', { class: 'cards' }, state.nodes.map(nodeCard))
          : h('p', { class: 'notice' }, state.received ? 'Nodes and slots are shown to principals with the admin role over all namespaces.'
            : 'Waiting for the router…');
        live.replaceChildren(summary, h('h2', {}, 'Nodes'), nodes);
      },
    };
  }
  function nodeCard(n) {
    return h('div', { class: 'card node', 'data-node': n.node },
      h('h3', {}, n.node, n.draining ? h('span', { class: 'state FAILED' }, ' draining') : null),
      h('div', { class: 'muted' }, `${n.endpoint || 'in-process'}${n.zone ? ' · zone ' + n.zone : ''} · ${n.inFlight} in flight`),
      n.slots.map(s => h('div', { class: 'slot', 'data-slot': s.name },
        h('div', {}, h('strong', {}, s.name), ' ', h('span', { class: 'muted' }, `${s.runtime} · ${s.device} · `
          + `${bytes(s.usedBytes)} of ${bytes(s.capacityBytes)} · ${s.evictions} evictions`)),
        bar(s.usedBytes, s.capacityBytes),
        h('div', { class: 'chips' }, s.models.map(m => {
          const slash = m.indexOf('/');
          const model = slash < 0 ? { namespace: 'default', name: m } : { namespace: m.slice(0, slash), name: m.slice(slash + 1) };
          return h('a', { class: 'chip', href: modelHref(model) }, m);
        })))));
  }

  function models() {
    const filter = h('input', { class: 'filter', type: 'search', placeholder: 'filter by name, namespace, format or state', id: 'model-filter' });
    const message = h('div');
    const form = h('form', { class: 'inline', id: 'register-form' },
      h('label', {}, 'Name', h('input', { name: 'name', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]*' })),
      h('label', {}, 'Namespace', h('input', { name: 'namespace', placeholder: 'default' })),
      h('label', {}, 'Format', h('input', { name: 'format', required: true, list: 'formats', placeholder: 'onnx' })),
      h('datalist', { id: 'formats' }, ['onnx', 'pytorch', 'tensorflow', 'xgboost', 'lightgbm', 'sklearn', 'mlflow'].map(f => h('option', { value: f }))),
      h('label', {}, 'Storage URI', h('input', { name: 'storageUri', required: true, size: 40, placeholder: 'file:///models/fraud/model.onnx' })),
      h('label', {}, h('span', {}, 'Load now'), h('input', { name: 'load', type: 'checkbox', checked: true })),
      h('button', { type: 'submit' }, 'Register'));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const f = new FormData(form);
      const name = f.get('name').trim();
      message.replaceChildren(h('p', { class: 'muted' }, 'Registering ' + name + '…'));
      try {
        await api('PUT', '/v1/mesh/models/' + encodeURIComponent(name) + (f.get('load') ? '?load=true' : ''), {
          namespace: f.get('namespace').trim() || undefined,
          body: { modelFormat: { name: f.get('format').trim() }, storageUri: f.get('storageUri').trim() } });
        message.replaceChildren(h('p', { class: 'muted' }, 'Registered ' + name + '.'));
        form.reset();
      } catch (err) {
        message.replaceChildren(h('p', { class: 'error' }, err.message));
      }
    });
    const live = h('div');
    filter.addEventListener('input', () => queueRender());
    return {
      el: h('section', {}, h('h1', {}, 'Models'), h('h2', {}, 'Register a model'), form, message, h('h2', {}, 'Registered'), filter, live),
      live() {
        const q = filter.value.trim().toLowerCase();
        const rows = [...state.models.values()]
          .filter(m => !q || [m.name, m.namespace, m.modelFormat && m.modelFormat.name, m.state].some(v => v && v.toLowerCase().includes(q)))
          .sort((a, b) => id(a).localeCompare(id(b)));
        live.replaceChildren(h('table', { id: 'models-table' },
          h('thead', {}, h('tr', {}, ['Name', 'Namespace', 'Format', 'State', 'Copies', 'Last used', 'Error', ''].map(t => h('th', {}, t)))),
          h('tbody', {}, rows.map(modelRow))));
      },
    };
  }
  function lastUsed(m) {
    return (m.copies || []).map(c => c.lastUsed).filter(Boolean).sort().pop();
  }
  function modelRow(m) {
    const loaded = (m.copies || []).filter(c => c.state === 'LOADED').length;
    return h('tr', { 'data-model': id(m) },
      h('td', {}, h('a', { href: modelHref(m) }, m.name)),
      h('td', {}, m.namespace),
      h('td', {}, m.modelFormat ? m.modelFormat.name + (m.modelFormat.version ? ' ' + m.modelFormat.version : '') : ''),
      h('td', {}, stateTag(m.state), (m.copies || []).map(downloading)),
      h('td', { class: 'num' }, `${loaded} / ${(m.copies || []).length}`),
      h('td', {}, ago(lastUsed(m))),
      h('td', { class: 'error' }, m.error || ''),
      h('td', {}, actionButtons(m)));
  }
  function actionButtons(m) {
    const act = (label, method, path) => h('button', { class: 'small', type: 'button', 'data-action': label.toLowerCase(), async onclick(e) {
      e.target.disabled = true;
      try { await api(method, path, { namespace: m.namespace }); } catch (err) { alert(label + ' ' + m.name + ': ' + err.message); }
      e.target.disabled = false;
    } }, label);
    const name = encodeURIComponent(m.name);
    return [act('Load', 'POST', '/v2/repository/models/' + name + '/load'), act('Unload', 'POST', '/v2/repository/models/' + name + '/unload')];
  }

  function model(namespace, name) {
    const key = (namespace !== 'default' ? namespace + '/' : '') + name;
    const path = encodeURIComponent(name);
    const info = h('div');
    const charts = h('div', { class: 'charts' });
    const request = h('textarea', { id: 'infer-request', spellcheck: 'false' });
    const answer = h('pre', { id: 'infer-answer' }, 'The answer appears here.');
    const metadata = h('div', {}, h('p', { class: 'muted' }, 'Reading the model’s metadata…'));
    const send = h('button', { type: 'button', id: 'infer-send', async onclick() {
      const started = performance.now();
      answer.textContent = 'Sending…';
      try {
        const out = await api('POST', '/v2/models/' + path + '/infer', { namespace, body: request.value });
        answer.textContent = `${Math.round(performance.now() - started)} ms\n` + JSON.stringify(out, null, 2);
      } catch (err) {
        answer.textContent = 'Error: ' + err.message;
      }
    } }, 'Send');
    api('GET', '/v2/models/' + path, { namespace }).then(meta => {
      metadata.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ['', 'Tensor', 'Datatype', 'Shape'].map(t => h('th', {}, t)))),
        h('tbody', {}, [...(meta.inputs || []).map(t => ['input', t]), ...(meta.outputs || []).map(t => ['output', t])]
          .map(([kind, t]) => h('tr', {}, h('td', {}, kind), h('td', {}, t.name), h('td', {}, t.datatype), h('td', {}, JSON.stringify(t.shape)))))));
      if (!request.value) request.value = JSON.stringify(exampleRequest(meta), null, 1);
    }).catch(err => metadata.replaceChildren(h('p', { class: 'error' }, 'Metadata: ' + err.message)));
    let timer = 0;
    const history = () => api('GET', '/v1/mesh/models/' + path + '/history', { namespace })
      .then(hist => charts.replaceChildren(
        chart('Requests per second', [{ values: hist.samples.map(s => [Date.parse(s.at), s.requests / hist.intervalSeconds]) }], 'req/s'),
        chart('Latency (ms): p50, p99', [{ values: hist.samples.map(s => [Date.parse(s.at), s.p50Ms]) },
          { values: hist.samples.map(s => [Date.parse(s.at), s.p99Ms]), cls: 'p99' }], 'ms'),
        chart('Errors per second', [{ values: hist.samples.map(s => [Date.parse(s.at), s.errors / hist.intervalSeconds]), cls: 'p99' }], 'err/s')))
      .catch(err => charts.replaceChildren(h('p', { class: 'error' }, 'History: ' + err.message)));
    history();
    timer = setInterval(history, 5000);
    return {
      el: h('section', {}, h('h1', {}, name, ' ', h('span', { class: 'muted' }, namespace)), info,
        h('h2', {}, 'Requests at this router, last 10 minutes'), charts,
        h('h2', {}, 'Inputs and outputs'), metadata,
        h('h2', {}, 'Send a test inference (Open Inference Protocol v2)'), request, h('p', {}, send), answer),
      live() {
        const m = state.models.get(key);
        if (!m) {
          info.replaceChildren(h('p', { class: 'notice' }, state.received ? 'No model ' + key + ' is registered (or you may not see it).' : 'Waiting for the router…'));
          return;
        }
        info.replaceChildren(...[
          h('p', {}, stateTag(m.state), ' · ', m.modelFormat ? m.modelFormat.name : '', ' · ', h('code', {}, m.storageUri),
            m.servingRuntime ? ' · runtime ' + m.servingRuntime : m.runtime ? ' · runtime ' + m.runtime : ''),
          m.error ? h('p', { class: 'error' }, m.error) : null,
          h('p', {}, actionButtons(m)),
          h('table', { id: 'copies-table' }, h('thead', {}, h('tr', {}, ['Node', 'Slot', 'State', 'Size', 'Last used', 'Digest'].map(t => h('th', {}, t)))),
            h('tbody', {}, (m.copies || []).map(c => h('tr', {}, h('td', {}, c.node), h('td', {}, c.slot), h('td', {}, stateTag(c.state), downloading(c)),
              h('td', { class: 'num' }, bytes(c.sizeBytes)), h('td', {}, ago(c.lastUsed)), h('td', { class: 'muted' }, (c.digest || '').slice(0, 19))))))]
          .filter(Boolean));
      },
      leave() { clearInterval(timer); },
    };
  }
  function downloading(c) {
    if (!c.downloadedBytes) return null;
    return h('div', { class: 'muted download' }, 'downloading ' + bytes(c.downloadedBytes)
      + (c.downloadBytes ? ' of ' + bytes(c.downloadBytes) : ''), c.downloadBytes ? bar(c.downloadedBytes, c.downloadBytes) : null);
  }
  function exampleRequest(meta) {
    return { inputs: (meta.inputs || []).map(t => {
      const shape = (t.shape || []).map(d => (d < 0 ? 1 : d));
      const n = shape.reduce((a, d) => a * d, 1);
      return { name: t.name, shape, datatype: t.datatype, data: new Array(Math.min(n, 100000)).fill(t.datatype === 'BYTES' ? '' : t.datatype === 'BOOL' ? false : 0) };
    }) };
  }
  function chart(title, series, unit) {
    const W = 380, H = 130, L = 40, B = 18;
    const end = Date.now();
    // the axis spans the samples there are (at least a minute, at most the ten the router keeps)
    const first = Math.min(end, ...series.flatMap(s => s.values.map(v => v[0])));
    const start = Math.max(end - 10 * 60 * 1000, Math.min(first - 5000, end - 60 * 1000));
    const span = (end - start) / 1000;
    const highest = Math.max(0, ...series.flatMap(s => s.values.map(v => v[1])));
    const max = highest > 0 ? highest * 1.1 : 1;
    const el = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
    el.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W, y2: H - B }), svg('line', { class: 'axis', x1: L, y1: 4, x2: L, y2: H - B }));
    const label = (x, y, text, anchor) => { const t = svg('text', { x, y, 'text-anchor': anchor || 'start' }); t.textContent = text; return t; };
    el.append(label(L - 4, 12, max >= 10 ? Math.round(max) : max.toPrecision(2), 'end'), label(L - 4, H - B, '0', 'end'),
      label(L, H - 4, span < 120 ? Math.round(span) + ' s ago' : Math.round(span / 60) + ' min ago'), label(W - 2, H - 4, 'now', 'end'));
    for (const s of series) {
      const points = s.values.filter(v => v[0] >= start)
        .map(([t, v]) => `${(L + (t - start) / (end - start) * (W - L)).toFixed(1)},${(H - B - v / max * (H - B - 6)).toFixed(1)}`);
      if (points.length) el.append(svg('polyline', { class: 'line ' + (s.cls || ''), points: points.join(' ') }));
      for (const p of points) {
        const [x, y] = p.split(',');
        el.append(svg('circle', { class: 'dot ' + (s.cls || ''), cx: x, cy: y, r: 2 }));
      }
    }
    return h('div', { class: 'chart' }, h('div', { class: 'muted' }, title), el,
      series[0].values.length ? null : h('div', { class: 'muted' }, 'no requests in the last ten minutes'));
  }

  function vmodels() {
    const live = h('div');
    return {
      el: h('section', {}, h('h1', {}, 'VModels'), live),
      live() {
        live.replaceChildren(state.vmodels.length === 0 ? h('p', { class: 'muted' }, 'No vmodels.') : h('table', { id: 'vmodels-table' },
          h('thead', {}, h('tr', {}, ['Name', 'Namespace', 'State', 'Active model', 'Target model', 'Traffic', 'Error'].map(t => h('th', {}, t)))),
          h('tbody', {}, state.vmodels.map(v => h('tr', {}, h('td', {}, v.name), h('td', {}, v.namespace), h('td', {}, stateTag(v.state)),
            h('td', {}, v.activeModel), h('td', {}, v.targetModel),
            h('td', {}, v.traffic ? v.traffic.shares.map(s => s.model + ' ' + s.weight).join(' · ') : ''),
            h('td', { class: 'error' }, v.error || ''))))));
      },
    };
  }

  function fetched(title, path, render) {
    const body = h('div', {}, h('p', { class: 'muted' }, 'Reading…'));
    const load = () => api('GET', path).then(json => body.replaceChildren(render(json)))
      .catch(err => body.replaceChildren(h('p', { class: 'notice' }, err.status === 403 ? err.message : 'Could not read ' + path + ': ' + err.message)));
    load();
    const timer = setInterval(load, 5000);
    return { el: h('section', {}, h('h1', {}, title), body), live() {}, leave() { clearInterval(timer); } };
  }
  const runtimes = () => fetched('Runtime catalog', '/v1/mesh/runtimes', json => h('div', {},
    json.reloadError ? h('p', { class: 'error' }, json.reloadError) : null,
    h('table', { id: 'runtimes-table' }, h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Namespace', 'Adapter', 'Formats', 'Protocols', 'Disabled', 'Source']
      .map(t => h('th', {}, t)))),
    h('tbody', {}, json.runtimes.map(r => h('tr', {}, h('td', {}, r.name), h('td', {}, r.kind), h('td', {}, r.namespace || ''), h('td', {}, r.adapter),
      h('td', {}, (r.supportedModelFormats || []).map(f => typeof f === 'string' ? f : f.name + (f.version ? ':' + f.version : '')).join(', ')),
      h('td', {}, (r.protocolVersions || []).join(', ')), h('td', {}, r.disabled ? 'yes' : ''), h('td', { class: 'muted' }, r.source || '')))))));
  const namespaces = () => fetched('Namespaces', '/v1/mesh/namespaces', json => h('div', {},
    h('p', { class: 'muted' }, `Mesh slot memory ${bytes(json.meshBytes)} · ${json.routers} router(s); rates are this router's.`),
    h('table', { id: 'namespaces-table' }, h('thead', {}, h('tr', {}, ['Namespace', 'Models', 'Loaded', 'Share', 'Ceiling', 'Req/s', 'Throttled/s', 'Hit ratio', 'In flight']
      .map(t => h('th', {}, t)))),
    h('tbody', {}, json.namespaces.map(n => h('tr', {}, h('td', {}, n.namespace), h('td', { class: 'num' }, n.models),
      h('td', {}, bytes(n.loadedBytes), bar(n.loadedBytes, n.maxBytes || json.meshBytes)), h('td', { class: 'num' }, bytes(n.shareBytes)),
      h('td', { class: 'num' }, n.maxBytes == null ? 'none' : bytes(n.maxBytes)), h('td', { class: 'num' }, n.requestsPerSecond.toFixed(1)),
      h('td', { class: 'num' }, n.throttledPerSecond.toFixed(1)), h('td', { class: 'num' }, n.hitRatio == null ? '–' : (n.hitRatio * 100).toFixed(1) + '%'),
      h('td', { class: 'num' }, n.inFlight)))))));

  // ---- routing --------------------------------------------------------------------------------
  function route() {
    page.leave();
    const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    const name = parts[0] || 'glance';
    page = name === 'models' && parts.length >= 3 ? model(parts[1], parts.slice(2).join('/'))
      : name === 'models' ? models() : name === 'vmodels' ? vmodels() : name === 'runtimes' ? runtimes()
        : name === 'namespaces' ? namespaces() : glance();
    page.leave = page.leave || (() => {});
    for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === (parts[0] || 'glance'));
    document.getElementById('main').replaceChildren(page.el);
    page.live();
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('token-button').addEventListener('click', () => askToken());
    document.getElementById('token-form').addEventListener('submit', () => setToken(document.getElementById('token-input').value.trim()));
    document.getElementById('token-clear').addEventListener('click', () => {
      document.getElementById('token-dialog').close();
      setToken('');
    });
    window.addEventListener('hashchange', route);
    route();
    stream();
  });
})();
