#!/usr/bin/env node
// A browser stand-in for tests, used as $BROWSER: follows redirects, keeps cookies, fills the
// login form with STANDIN_LOGIN and submits the consent (or denies it), then delivers the
// provider's redirect to scc-onboard's loopback listener.
//
// STANDIN_MODE: approve (default) | deny | tamper-state | drop-state
// STANDIN_CALLBACK_PATH: the loopback path to stop at (default /callback)
// STANDIN_LOG: optional file for a trace of paths and statuses (never queries: they hold codes)
import fs from 'node:fs';

const mode = process.env.STANDIN_MODE || 'approve';
const login = process.env.STANDIN_LOGIN || 'jane@example.com';
const callbackPath = process.env.STANDIN_CALLBACK_PATH || '/callback';
const log = (line) => { if (process.env.STANDIN_LOG) fs.appendFileSync(process.env.STANDIN_LOG, `${line}\n`); };

const cookies = new Map();
const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
function keepCookies(res) {
  for (const c of res.headers.getSetCookie?.() || []) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
  }
}

function forms(htmlText) {
  const out = [];
  for (const m of htmlText.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = m[1];
    const action = (attrs.match(/action="([^"]*)"/) || [])[1] || '';
    const method = ((attrs.match(/method="([^"]*)"/) || [])[1] || 'get').toLowerCase();
    const id = (attrs.match(/id="([^"]*)"/) || [])[1] || '';
    const fields = {};
    for (const inp of m[2].matchAll(/<input([^>]*)>/g)) {
      const name = (inp[1].match(/name="([^"]*)"/) || [])[1];
      const value = (inp[1].match(/value="([^"]*)"/) || [])[1] || '';
      if (name) fields[name] = value;
    }
    out.push({ action: action.replace(/&amp;/g, '&'), method, id, fields });
  }
  return out;
}

let url = new URL(process.argv[2]);
let init = { method: 'GET' };
for (let step = 0; step < 40; step += 1) {
  if (url.pathname === callbackPath && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    if (mode === 'tamper-state') url.searchParams.set('state', 'tampered-by-the-stand-in');
    if (mode === 'drop-state') url.searchParams.delete('state');
    const res = await fetch(url, { redirect: 'manual' });
    log(`callback ${url.pathname} -> ${res.status}`);
    process.exit(0);
  }
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie: cookieHeader() } });
  keepCookies(res);
  log(`${init.method} ${url.origin}${url.pathname} -> ${res.status}`);
  if (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location'), url);
    init = { method: 'GET' };
    continue;
  }
  const text = await res.text();
  const all = forms(text);
  if (all.length === 0) {
    log(`done: ${text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}`);
    process.exit(res.ok ? 0 : 1);
  }
  const denyish = (f) => /abort|deny/.test(f.action);
  let form = mode === 'deny' ? (all.find(denyish) || all[0]) : (all.find((f) => !denyish(f)) || all[0]);
  const fields = { ...form.fields };
  for (const k of ['login', 'username']) if (k in fields) fields[k] = login;
  if (form.id === 'op.deviceConfirmForm' && mode === 'deny') { delete fields.confirm; fields.abort = 'yes'; }
  url = new URL(form.action || url.href, url);
  init = form.method === 'post'
    ? { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    : { method: 'GET' };
  if (form.method !== 'post') for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
}
log('gave up after 40 steps');
process.exit(1);
