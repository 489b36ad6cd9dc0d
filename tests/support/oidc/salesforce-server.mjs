// A small Salesforce-shaped OAuth server for tests: the web server flow with PKCE and no
// secret, the quirks of Salesforce's token response (no expires_in; instance_url, id =
// identity URL {base}/id/ORG_ID/USER_ID, issued_at, signature), refresh without rotation,
// revocation by POST token=, the device flow (response_type=device_code / grant_type=device),
// and the identity URL itself. Login + consent are plain HTML forms for the browser stand-in.
//
// Usage: node salesforce-server.mjs  (env CLIENT_ID, REDIRECT_URI, PUBLIC_BASE; prints {"port":N} when ready)
import http from 'node:http';
import crypto from 'node:crypto';

const CLIENT_ID = process.env.CLIENT_ID || 'sf-test-client';
const REDIRECT_URI = process.env.REDIRECT_URI || 'http://localhost:1717/callback';
const ORG = '00D5e000000AbCdEAK';
const USERS = {
  'jane@example.com': '0055e000001XyZaAAK',
  'john@example.com': '0055e000002QrStAAK',
};

const rand = (n = 24) => crypto.randomBytes(n).toString('base64url');
const secrets = new Set();
const issue = (prefix) => { const v = `${prefix}!${rand()}`; secrets.add(v); return v; };

const txns = new Map(); // txn -> authorize params (+ login)
const codes = new Map(); // code -> { params, login }
const refreshTokens = new Map(); // rt -> login
const accessTokens = new Map(); // at -> login
const devices = new Map(); // device_code -> { user_code, login|null, denied }
let failNextToken = null;

const server = http.createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
// PUBLIC_BASE: the origin clients see when a front (tests/support/salesforce_api.rs, the REST
// API on the same origin, as at Salesforce) forwards the OAuth paths here.
const base = process.env.PUBLIC_BASE || `http://127.0.0.1:${port}`;

const page = (title, body) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const send = (res, status, type, body) => { res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }); res.end(body); };
const json = (res, status, obj) => send(res, status, 'application/json;charset=UTF-8', JSON.stringify(obj));
const html = (res, status, body) => send(res, status, 'text/html', body);

async function readForm(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return Object.fromEntries(new URLSearchParams(data));
}

function tokens(login, withRefresh) {
  const at = issue('00D5e000000AbCd');
  accessTokens.set(at, login);
  const issued = String(Date.now());
  const id = `${base}/id/${ORG}/${USERS[login]}`;
  const out = {
    access_token: at,
    signature: crypto.createHash('sha256').update(id + issued).digest('base64'),
    scope: 'refresh_token api',
    instance_url: `${base}`,
    id,
    token_type: 'Bearer',
    issued_at: issued,
  };
  if (withRefresh) {
    const rt = issue('5Aep861');
    refreshTokens.set(rt, login);
    out.refresh_token = rt;
  }
  return out;
}

const loginForm = (txn) => `<form method="post" action="/login/${txn}"><input type="text" name="username" value=""><button>Log In</button></form>`;
const consentForms = (txn) => `<form method="post" action="/approve/${txn}"><input type="hidden" name="ok" value="1"><button>Allow</button></form>`
  + `<form method="post" action="/deny/${txn}"><input type="hidden" name="ok" value="0"><button>Deny</button></form>`;

function finishTxn(res, t, approved) {
  txns.delete(t.txn);
  if (t.device) {
    const d = devices.get(t.device);
    if (approved) d.login = t.login; else d.denied = true;
    return html(res, 200, page(approved ? 'You are connected' : 'Access denied', ''));
  }
  const to = new URL(t.params.redirect_uri);
  if (approved) {
    const code = issue('aPrx');
    codes.set(code, { params: t.params, login: t.login });
    to.searchParams.set('code', code);
  } else {
    to.searchParams.set('error', 'access_denied');
    to.searchParams.set('error_description', 'end-user denied authorization');
  }
  if (t.params.state !== undefined) to.searchParams.set('state', t.params.state);
  res.writeHead(302, { location: to.toString() });
  res.end();
}

async function tokenEndpoint(req, res) {
  const f = await readForm(req);
  if (failNextToken) { const e = failNextToken; failNextToken = null; return json(res, 400, e); }
  if (f.response_type === 'device_code') {
    if (f.client_id !== CLIENT_ID) return json(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    const device_code = issue('dev');
    const user_code = rand(4).toUpperCase().replace(/[^A-Z0-9]/g, 'X').slice(0, 8);
    devices.set(device_code, { user_code, login: null, denied: false });
    return json(res, 200, { device_code, user_code, verification_uri: `${base}/setup/connect`, interval: 1 });
  }
  if (f.client_id !== CLIENT_ID) return json(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
  switch (f.grant_type) {
    case 'authorization_code': {
      const c = codes.get(f.code);
      codes.delete(f.code);
      if (!c || f.redirect_uri !== c.params.redirect_uri) return json(res, 400, { error: 'invalid_grant', error_description: 'authentication failure' });
      const challenge = crypto.createHash('sha256').update(f.code_verifier || '').digest('base64url');
      if (c.params.code_challenge_method !== 'S256' || challenge !== c.params.code_challenge) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'invalid code verifier' });
      }
      return json(res, 200, tokens(c.login, true));
    }
    case 'refresh_token': {
      const login = refreshTokens.get(f.refresh_token);
      if (!login) return json(res, 400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
      return json(res, 200, tokens(login, false));
    }
    case 'device': {
      const d = devices.get(f.code);
      if (!d) return json(res, 400, { error: 'invalid_grant', error_description: 'invalid device code' });
      if (d.denied) return json(res, 400, { error: 'access_denied', error_description: 'end-user denied authorization' });
      if (!d.login) return json(res, 400, { error: 'authorization_pending', error_description: 'authorization pending' });
      devices.delete(f.code);
      return json(res, 200, tokens(d.login, true));
    }
    default:
      return json(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  }
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, base);
  const parts = url.pathname.split('/');
  try {
    if (url.pathname === '/services/oauth2/authorize' && req.method === 'GET') {
      const p = Object.fromEntries(url.searchParams);
      if (p.client_id !== CLIENT_ID) return html(res, 400, page('error=invalid_client_id', 'client identifier invalid'));
      if (p.redirect_uri !== REDIRECT_URI) return html(res, 400, page('error=redirect_uri_mismatch', 'redirect_uri must match configuration'));
      if (p.response_type !== 'code' || !p.code_challenge) return html(res, 400, page('error=invalid_request', 'PKCE required'));
      const txn = rand(12);
      txns.set(txn, { txn, params: p, login: null });
      return html(res, 200, page('Login | Salesforce', loginForm(txn)));
    }
    if (url.pathname === '/setup/connect' && req.method === 'GET') {
      return html(res, 200, page('Connect Your Device', `<form method="post" action="/setup/connect"><input type="text" name="user_code" value="${url.searchParams.get('user_code') || ''}"><button>Connect</button></form>`));
    }
    if (url.pathname === '/setup/connect' && req.method === 'POST') {
      const f = await readForm(req);
      const entry = [...devices.entries()].find(([, d]) => d.user_code === (f.user_code || '').toUpperCase());
      if (!entry) return html(res, 400, page('Invalid code', ''));
      const txn = rand(12);
      txns.set(txn, { txn, device: entry[0], login: null });
      return html(res, 200, page('Login | Salesforce', loginForm(txn)));
    }
    if (parts[1] === 'login' && req.method === 'POST') {
      const t = txns.get(parts[2]);
      const f = await readForm(req);
      if (!t || !USERS[(f.username || '').toLowerCase()]) return html(res, 401, page('Login failed', 'unknown user'));
      t.login = f.username.toLowerCase();
      return html(res, 200, page('Allow Access?', consentForms(t.txn)));
    }
    if ((parts[1] === 'approve' || parts[1] === 'deny') && req.method === 'POST') {
      const t = txns.get(parts[2]);
      await readForm(req);
      if (!t || !t.login) return html(res, 400, page('Session expired', ''));
      return finishTxn(res, t, parts[1] === 'approve');
    }
    if (url.pathname === '/services/oauth2/token' && req.method === 'POST') return tokenEndpoint(req, res);
    if (url.pathname === '/services/oauth2/revoke' && req.method === 'POST') {
      const f = await readForm(req);
      if (refreshTokens.delete(f.token) || accessTokens.delete(f.token)) return send(res, 200, 'text/plain', '');
      return json(res, 400, { error: 'invalid_token', error_description: 'invalid token' });
    }
    if (parts[1] === 'id' && parts.length === 4 && req.method === 'GET') {
      const auth = req.headers.authorization || '';
      const login = accessTokens.get(auth.replace(/^Bearer /, ''));
      if (!login || USERS[login] !== parts[3] || parts[2] !== ORG) return send(res, 403, 'text/plain', 'Bad_OAuth_Token');
      return json(res, 200, {
        id: `${base}/id/${ORG}/${USERS[login]}`, asserted_user: true, user_id: USERS[login],
        organization_id: ORG, username: login, nick_name: login.split('@')[0], display_name: login,
        email: login, active: true, user_type: 'STANDARD', language: 'en_US', locale: 'en_US',
      });
    }
    if (url.pathname === '/__test/secrets') return json(res, 200, [...secrets]);
    if (url.pathname === '/__test/fail-next-token' && req.method === 'POST') {
      failNextToken = await readForm(req);
      return send(res, 200, 'text/plain', 'ok');
    }
    if (url.pathname === '/__test/forget-refresh-tokens' && req.method === 'POST') {
      refreshTokens.clear();
      return send(res, 200, 'text/plain', 'ok');
    }
    return send(res, 404, 'text/plain', 'not found');
  } catch (err) {
    console.error(err);
    return send(res, 500, 'text/plain', 'test server error');
  }
});

process.stdout.write(`${JSON.stringify({ port })}\n`);
