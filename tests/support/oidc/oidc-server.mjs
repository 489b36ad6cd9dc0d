// A real OpenID Connect provider (npm oidc-provider) laid out like the Microsoft identity
// platform v2 ({authority}/{tenant}/oauth2/v2.0/authorize|token|devicecode), for tests only.
// Public client, PKCE required, refresh tokens that rotate, device flow, revocation, and a
// plain-HTML login + consent interaction the browser stand-in can complete over HTTP.
//
// Usage: node oidc-server.mjs   (env CLIENT_ID, TENANT; prints {"port":N} on stdout when ready)
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const CLIENT_ID = process.env.CLIENT_ID || 'scc-test-client';
const TENANT = process.env.TENANT || 'organizations';
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const EWS = 'https://outlook.office365.com/EWS.AccessAsUser.All';
// An administrator's directory read (roster pull / verify).
const GRAPH_USERS = 'https://graph.microsoft.com/User.Read.All';
const base = `/${TENANT}/oauth2/v2.0`;

// Every token and code the provider hands out, so tests can prove none leaked.
const secrets = new Set();

const server = http.createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

const oid = (login) => {
  const h = crypto.createHash('sha256').update(login.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    client_name: 'scc-onboard test client',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'offline_access', 'profile', EWS, GRAPH_USERS],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'oid', 'tid'] },
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, oid: oid(id), tid: TENANT_ID };
      },
    };
  },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  rotateRefreshToken: () => true,
  cookies: { keys: ['scc-onboard-test-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    deviceFlow: {
      enabled: true,
      async userCodeInputSource(ctx, form) {
        ctx.body = `<!doctype html><html><body><h1>Enter code</h1>${form}</body></html>`;
      },
      async userCodeConfirmSource(ctx, form) {
        ctx.body = `<!doctype html><html><body><h1>Confirm device</h1>${form}</body></html>`;
      },
      async successSource(ctx) {
        ctx.body = '<!doctype html><html><body><h1>Device signed in</h1></body></html>';
      },
    },
    revocation: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  routes: {
    authorization: `${base}/authorize`,
    token: `${base}/token`,
    device_authorization: `${base}/devicecode`,
    revocation: `${base}/revoke`,
    code_verification: '/device',
  },
  ttl: {
    AccessToken: 3600, AuthorizationCode: 60, DeviceCode: 600, IdToken: 3600,
    RefreshToken: 90 * 86400, Interaction: 600, Session: 3600, Grant: 3600,
  },
});

for (const ev of ['access_token.saved', 'refresh_token.saved', 'authorization_code.saved', 'device_code.saved']) {
  provider.on(ev, (token) => secrets.add(token.jti));
}
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const page = (title, body) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

async function readForm(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return Object.fromEntries(new URLSearchParams(data));
}

async function interaction(req, res, url) {
  const [, , uid, action] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html');
    if (details.prompt.name === 'login') {
      res.end(page('Sign in', `<form method="post" action="/interaction/${uid}/login"><input type="text" name="login" value=""><button>Sign in</button></form>`));
    } else {
      res.end(page('Consent', `<form method="post" action="/interaction/${uid}/confirm"><input type="hidden" name="ok" value="1"><button>Allow</button></form>`
        + `<form method="post" action="/interaction/${uid}/abort"><input type="hidden" name="ok" value="0"><button>Deny</button></form>`));
    }
    return;
  }
  const form = await readForm(req);
  let result;
  if (action === 'login') {
    if (!form.login) { res.statusCode = 400; res.end('login required'); return; }
    result = { login: { accountId: form.login } };
  } else if (action === 'confirm') {
    const { prompt: { details: missing }, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    result = { error: 'access_denied', error_description: 'The user declined the consent' };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: action !== 'login' });
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/__test/secrets') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([...secrets]));
    } else if (url.pathname.startsWith('/interaction/')) {
      await interaction(req, res, url);
    } else {
      callback(req, res);
    }
  } catch (err) {
    console.error(err);
    res.statusCode = 500;
    res.end('test server error');
  }
});

process.stdout.write(`${JSON.stringify({ port })}\n`);
