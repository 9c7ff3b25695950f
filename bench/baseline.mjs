// The baseline of `npm run bench`: a bare oidc-provider (the version Sesame runs) with the
// settings of Sesame's provider that the bench exercises, everything in memory, and minimal
// interaction pages that do what Sesame's do for a sign-in: a login form with a CSRF token whose
// POST checks the password with argon2id (Sesame's parameters, at most PASSWORD_HASH_CONCURRENCY
// hashes at once like Sesame's default), and a consent form that saves the grant.
//
// What it leaves out is what Sesame adds: the database, encrypted client secrets, throttling,
// the audit log, request logs and metrics, key rotation, security headers, the admin parts.
//
// Started by bench/run.mjs as `node bench/baseline.mjs` with BENCH_BASELINE (JSON: port, issuer,
// cookieKeys, clients, person); it prints "ready" when it listens.
import { hash, verify } from '@node-rs/argon2';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

/**
 * @typedef {{ port: number, issuer: string, cookieKeys: string[], clients: import('oidc-provider').ClientMetadata[], person: { email: string, password: string, name: string } }} BaselineSettings
 */

/** @type {BaselineSettings} */
const settings = JSON.parse(process.env.BENCH_BASELINE ?? 'null');
if (!settings) throw new Error('BENCH_BASELINE is not set');

// src/domain/accounts/password.ts: argon2id, 19 MiB, 2 passes, 1 lane; PASSWORD_HASH_CONCURRENCY's default.
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const HASH_CONCURRENCY = 2;

// Sesame's defaults (src/config.ts), in seconds.
const DAY = 86_400;
const TTL = {
  session: 14 * DAY,
  sessionMaxAge: 21 * DAY,
  interaction: 3600,
  authorizationCode: 60,
  accessToken: 3600,
  idToken: 3600,
  refreshToken: 14 * DAY,
  clientCredentials: 600,
};

/** At most `limit` tasks at once; the rest wait their turn (Sesame's WorkLimiter, without its queue bound). */
function limiter(limit) {
  let running = 0;
  /** @type {(() => void)[]} */
  const waiting = [];
  return async (/** @type {() => Promise<boolean>} */ task) => {
    if (running >= limit) await new Promise((resolve) => waiting.push(() => resolve(undefined)));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const hashing = limiter(HASH_CONCURRENCY);

const accountId = randomUUID();
const person = { ...settings.person, passwordHash: await hash(settings.person.password, ARGON2) };

/**
 * oidc-provider's own in-memory adapter is an LRU of 1,000 entries: under load it would forget the
 * tokens and grants the bench reuses. This one is a plain Map with lazy expiry, O(1) per call.
 */
class MemoryAdapter {
  /** @type {Map<string, { payload: any, expiresAt: number }>} */
  static store = new Map();
  /** @type {Map<string, Set<string>>} */
  static grants = new Map();
  /** @type {Map<string, string>} */
  static sessionUids = new Map();

  /** @param {string} model */
  constructor(model) {
    this.model = model;
  }

  /** @param {string} id */
  key(id) {
    return `${this.model}:${id}`;
  }

  /** @param {string} id @param {any} payload @param {number | undefined} expiresIn */
  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    MemoryAdapter.store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session') MemoryAdapter.sessionUids.set(payload.uid, id);
    if (payload.grantId) {
      let members = MemoryAdapter.grants.get(payload.grantId);
      if (!members) MemoryAdapter.grants.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
  }

  /** @param {string} key */
  static read(key) {
    const entry = MemoryAdapter.store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      MemoryAdapter.store.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  /** @param {string} id */
  async find(id) {
    return MemoryAdapter.read(this.key(id));
  }

  /** @param {string} uid */
  async findByUid(uid) {
    const id = MemoryAdapter.sessionUids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode() {
    return undefined;
  }

  /** @param {string} id */
  async consume(id) {
    const payload = MemoryAdapter.read(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  /** @param {string} id */
  async destroy(id) {
    MemoryAdapter.store.delete(this.key(id));
  }

  /** @param {string} grantId */
  async revokeByGrantId(grantId) {
    for (const key of MemoryAdapter.grants.get(grantId) ?? []) MemoryAdapter.store.delete(key);
    MemoryAdapter.grants.delete(grantId);
  }
}

/** Two RS256 keys, like Sesame's active and next key: the same /jwks size, the first signs. */
async function signingKeys() {
  const keys = [];
  for (let i = 0; i < 2; i++) {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' });
  }
  return keys;
}

const provider = new Provider(settings.issuer, {
  adapter: MemoryAdapter,
  clients: settings.clients.map((client) => ({ token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256', ...client })),
  findAccount: async (_ctx, sub) =>
    sub === accountId ? { accountId, claims: async () => ({ sub: accountId, email: person.email, email_verified: false, name: person.name }) } : undefined,
  jwks: { keys: await signingKeys() },
  // As Sesame's provider (src/oidc/configuration.ts) for what the bench exercises.
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  cookies: { keys: settings.cookieKeys },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    claimsParameter: { enabled: true },
    clientCredentials: { enabled: true },
  },
  responseTypes: ['code'],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  enabledJWA: {
    idTokenSigningAlgValues: ['RS256'],
    userinfoSigningAlgValues: ['RS256'],
    introspectionSigningAlgValues: ['RS256'],
    authorizationSigningAlgValues: ['RS256'],
  },
  ttl: {
    Session: TTL.session,
    Interaction: TTL.interaction,
    AuthorizationCode: TTL.authorizationCode,
    AccessToken: TTL.accessToken,
    IdToken: TTL.idToken,
    RefreshToken: TTL.refreshToken,
    ClientCredentials: TTL.clientCredentials,
    Grant: Math.max(TTL.refreshToken, TTL.sessionMaxAge),
  },
});

// The interaction pages: the same forms (and field names) as Sesame's views/login.ts and views/consent.ts.
const escape = (/** @type {string} */ s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (/** @type {string} */ title, /** @type {string} */ body) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${body}</body></html>`;
const csrfFor = (/** @type {string} */ uid) =>
  createHmac('sha256', settings.cookieKeys[0] ?? '')
    .update(`interaction:${uid}`)
    .digest('base64url');
const csrfMatches = (/** @type {string} */ uid, /** @type {unknown} */ given) =>
  typeof given === 'string' && given.length === 43 && timingSafeEqual(Buffer.from(csrfFor(uid)), Buffer.from(given));

const router = new Router();
const parseBody = bodyParser({ enableTypes: ['form'] });

/** The interaction in the cookie, which must be the one in the URL. */
async function load(ctx) {
  const interaction = await provider.interactionDetails(ctx.req, ctx.res);
  if (interaction.uid !== ctx.params.uid) throw new errors.SessionNotFound('interaction mismatch');
  return interaction;
}

/** Stores the result on the interaction already loaded and sends the browser back to the provider. */
async function finish(ctx, interaction, result) {
  interaction.result = result;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  ctx.status = 303;
  ctx.redirect(interaction.returnTo);
}

router.get('/interaction/:uid', async (ctx) => {
  const interaction = await load(ctx);
  const uid = escape(interaction.uid);
  const csrf = `<input type="hidden" name="csrf" value="${csrfFor(interaction.uid)}">`;
  ctx.type = 'html';
  if (interaction.prompt.name === 'login') {
    ctx.body = page(
      'Sign in',
      `<form method="post" action="/interaction/${uid}/login">${csrf}<input name="email" type="email"><input name="password" type="password"><button>Sign in</button></form>`,
    );
  } else {
    const missing = interaction.prompt.details.missingOIDCScope;
    const scopes = (Array.isArray(missing) ? missing : []).map((s) => `<li>${escape(String(s))}</li>`).join('');
    ctx.body = page(
      'Allow?',
      `<ul>${scopes}</ul><form method="post" action="/interaction/${uid}/confirm">${csrf}<button>Allow</button></form>` +
        `<form method="post" action="/interaction/${uid}/abort">${csrf}<button>Deny</button></form>`,
    );
  }
});

router.post('/interaction/:uid/login', parseBody, async (ctx) => {
  const interaction = await load(ctx);
  const body = /** @type {Record<string, unknown>} */ (ctx.request.body ?? {});
  if (!csrfMatches(interaction.uid, body.csrf)) ctx.throw(403, 'csrf');
  const email = String(body.email ?? '').trim();
  const password = String(body.password ?? '');
  // Like Sesame: the hash is checked whatever the email, so an unknown email costs the same.
  const ok = await hashing(() => verify(person.passwordHash, password).catch(() => false));
  if (!ok || email.toLowerCase() !== person.email) ctx.throw(401, 'wrong email or password');
  await finish(ctx, interaction, { login: { accountId } });
});

router.post('/interaction/:uid/confirm', parseBody, async (ctx) => {
  const interaction = await load(ctx);
  const body = /** @type {Record<string, unknown>} */ (ctx.request.body ?? {});
  if (!csrfMatches(interaction.uid, body.csrf)) ctx.throw(403, 'csrf');
  const { details } = interaction.prompt;
  const grant = new provider.Grant({ accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) });
  const scopes = details.missingOIDCScope;
  if (Array.isArray(scopes) && scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
  const claims = details.missingOIDCClaims;
  if (Array.isArray(claims) && claims.length > 0) grant.addOIDCClaims(claims);
  const grantId = await grant.save();
  await finish(ctx, interaction, { ...interaction.lastSubmission, consent: { grantId } });
});

provider.use(router.routes());
const server = provider.listen(settings.port, () => process.stdout.write('ready\n'));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
