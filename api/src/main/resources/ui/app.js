// The status page: reads GET /v1/services and GET /v1/ha with a read token every REFRESH_MS and draws them.
// No framework, no build: served as is from the jar. Text from the API only ever goes into textContent
// (a real server's reason can hold what a probed HTTP server answered), never into HTML.
'use strict';

const REFRESH_MS = 2000;
const TOKEN_KEY = 'lvs-director.token';
let timer = null;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'title') e.title = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function ago(iso, now) {
  if (!iso) return '-';
  let s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ago';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h ago';
}

function hostPort(address, port) {
  return (address.includes(':') ? '[' + address + ']' : address) + ':' + port;
}

function serviceState(st) {
  if (st.applyError) return ['apply error ' + st.applyError.errno, 'trouble'];
  if (!st.reconciled) return ['pending', 'pending'];
  if (st.allDown) return ['all down (' + st.whenAllDown + ')', 'trouble'];
  return st.inKernel ? ['in step', 'instep'] : ['not in kernel', 'pending'];
}

function weight(w) {
  return w === null || w === undefined ? 'out' : String(w);
}

function drawServices(list, now) {
  const box = $('services');
  const parts = [];
  if (list.services.length === 0) parts.push(el('p', {class: 'note'}, 'No services.'));
  for (const s of list.services) {
    const spec = s.spec, st = s.status;
    const [state, cls] = serviceState(st);
    const c = st.counters;
    const head = el('div', {class: 'head'},
      el('span', {class: 'name'}, s.name),
      el('span', {}, (spec.protocol || 'tcp').toUpperCase() + ' ' + hostPort(spec.vip, spec.port)),
      el('span', {}, 'scheduler ' + (spec.scheduler || 'wrr') + ', ' + (spec.forwarding || 'dr')),
      el('span', {class: 'badge ' + cls, 'data-field': 'state'}, state),
      c ? el('span', {class: 'note'}, c.connections + ' connections, ' + c.inPackets + ' packets in') : null);
    const rows = st.realServers.map((r) => {
      const mismatch = r.desiredWeight !== r.kernelWeight;
      return el('tr', {class: mismatch ? 'mismatch' : '', 'data-address': r.address, 'data-port': String(r.port)},
        el('td', {}, hostPort(r.address, r.port)),
        el('td', {}, r.node || ''),
        el('td', {class: 'num', 'data-field': 'desired'}, weight(r.desiredWeight)),
        el('td', {class: 'num kernel', 'data-field': 'kernel'}, weight(r.kernelWeight)),
        el('td', {}, el('span', {class: 'badge ' + r.health, 'data-field': 'health'}, r.health)),
        el('td', {'data-field': 'disposition'}, r.disposition),
        el('td', {title: r.since}, ago(r.since, now)),
        el('td', {class: 'reason', 'data-field': 'reason'}, r.reason),
        el('td', {class: 'num'}, r.activeConnections),
        el('td', {class: 'num'}, r.inactiveConnections));
    });
    const table = el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Real server'), el('th', {}, 'Node'),
        el('th', {class: 'num'}, 'Desired weight'), el('th', {class: 'num'}, 'Kernel weight'), el('th', {}, 'Health'),
        el('th', {}, 'Disposition'), el('th', {}, 'Since'), el('th', {}, 'Reason'),
        el('th', {class: 'num'}, 'Active conns'), el('th', {class: 'num'}, 'Inactive conns'))),
      el('tbody', {}, ...rows));
    const error = st.applyError ? el('div', {class: 'error'}, 'The kernel refused ' + st.applyError.op + ': '
      + st.applyError.errno + ' ' + st.applyError.message + ' (' + st.applyError.failures + ' failures since '
      + st.applyError.since + ')') : null;
    parts.push(el('div', {class: 'service', 'data-service': s.name}, head, error, table));
  }
  box.replaceChildren(...parts);
}

function drawHa(ha, now) {
  const role = $('ha-role');
  if (!ha) {
    role.textContent = '';
    $('ha').replaceChildren(el('p', {class: 'note'}, 'Not readable with this token.'));
    return;
  }
  if (!ha.enabled) {
    role.textContent = 'HA off';
    role.className = 'badge';
  } else {
    role.textContent = ha.role.toUpperCase() + (ha.inStep ? '' : ' (sync daemons not in step)');
    role.className = 'badge ' + ha.role;
  }
  const parts = [el('p', {}, ha.enabled
    ? 'Role ' + ha.role + '; sync daemons wanted: ' + ha.syncDaemons.wanted.join(', ') + '; in step: ' + ha.inStep
      + (ha.lastError ? '; last error: ' + ha.lastError : '')
    : 'HA is off: the director does not follow keepalived.')];
  const kernel = ha.syncDaemons && ha.syncDaemons.kernel;
  parts.push(el('p', {}, 'Sync daemons in the kernel: ' + (kernel === null || kernel === undefined ? 'not read yet'
    : kernel.length === 0 ? 'none' : kernel.map((d) => d.state + ' on ' + d.interface + ' id ' + d.syncId).join(', '))));
  if (ha.instances && ha.instances.length) {
    parts.push(el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'VRRP instance'), el('th', {}, 'State'), el('th', {}, 'Priority'),
        el('th', {}, 'Since'))),
      el('tbody', {}, ...ha.instances.map((i) => el('tr', {}, el('td', {}, i.name), el('td', {}, i.state),
        el('td', {}, i.priority === null ? '' : i.priority), el('td', {title: i.since}, ago(i.since, now)))))));
  }
  $('ha').replaceChildren(...parts);
}

function drawChanges(list, ha, now) {
  const items = [];
  for (const s of list.services) {
    for (const r of s.status.realServers) {
      items.push({at: r.since, text: s.name + ' ' + hostPort(r.address, r.port) + ': ' + r.health + ', '
        + r.disposition + ' (' + r.reason + ')'});
    }
    if (s.status.applyError) {
      items.push({at: s.status.applyError.since, text: s.name + ': the kernel refused ' + s.status.applyError.op});
    }
  }
  for (const i of (ha && ha.instances) || []) {
    items.push({at: i.since, text: 'VRRP ' + i.name + ': ' + i.state});
  }
  items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  $('changes').replaceChildren(...items.slice(0, 12).map((i) =>
    el('li', {title: i.at}, ago(i.at, now) + ': ' + i.text)));
}

async function api(path, token) {
  const r = await fetch(path, {headers: {'Authorization': 'Bearer ' + token, 'Accept': 'application/json'},
    cache: 'no-store', credentials: 'omit', redirect: 'error'});
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  return {status: r.status, body};
}

function problem(text) {
  const p = $('problem');
  p.textContent = text || '';
  p.hidden = !text;
}

function askForToken(why) {
  if (timer) { clearTimeout(timer); timer = null; }
  sessionStorage.removeItem(TOKEN_KEY);
  $('content').hidden = true;
  $('forget').hidden = true;
  $('login').hidden = false;
  problem(why);
  $('token').focus();
}

async function refresh() {
  timer = null;
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) { askForToken(''); return; }
  try {
    const [services, ha] = await Promise.all([api('/v1/services', token), api('/v1/ha', token)]);
    if (services.status === 401) { askForToken('The director refused this token (401). Enter another.'); return; }
    if (services.status !== 200) {
      problem('GET /v1/services answered ' + services.status + (services.body && services.body.message
        ? ': ' + services.body.message : ''));
    } else {
      const now = Date.now();
      drawServices(services.body, now);
      drawHa(ha.status === 200 ? ha.body : null, now);
      drawChanges(services.body, ha.status === 200 ? ha.body : null, now);
      $('updated').textContent = 'updated ' + new Date(now).toLocaleTimeString() + ' · state version '
        + services.body.version + ' · kernel read ' + (services.body.kernelAgeSeconds === null ? 'never'
        : services.body.kernelAgeSeconds.toFixed(1) + ' s before');
      $('content').hidden = false;
      problem('');
    }
  } catch (e) {
    problem('Cannot reach the director: ' + e.message + ' (retrying every ' + REFRESH_MS / 1000 + ' s)');
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', () => {
  $('host').textContent = location.host;
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    $('token').value = '';
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    $('login').hidden = true;
    $('forget').hidden = false;
    problem('');
    refresh();
  });
  $('forget').addEventListener('click', () => askForToken(''));
  if (sessionStorage.getItem(TOKEN_KEY)) {
    $('login').hidden = true;
    $('forget').hidden = false;
    refresh();
  } else {
    askForToken('');
  }
});
