// The only module that reads the environment. Everything else receives a typed Config.
// Every variable is validated here once; each bad value is one line naming the variable, the value
// (never a secret) and what is accepted. All of them are reported together in one ConfigError, so
// fixing a configuration takes one start, not one per mistake; start-up stops on it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import proxyaddr from 'proxy-addr';
import { MFA_POLICIES, type MfaPolicy } from './domain/accounts/mfa-policy.js';
import { encryptionRetention, retiredRetention } from './domain/keys/lifecycle.js';
import { secretWeaknesses } from './secret-strength.js';

export const SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];

/** Key-management algorithms Sesame holds encryption keys for (`use: "enc"`): RPs encrypt request objects to them. */
export const ENCRYPTION_ALGORITHMS = ['RSA-OAEP-256', 'ECDH-ES'] as const;
export type EncryptionAlg = (typeof ENCRYPTION_ALGORITHMS)[number];

export type DatabaseConfig = { provider: 'sqlite'; url: string; file: string } | { provider: 'postgresql'; url: string };

export interface Config {
  mode: 'production' | 'development' | 'test';
  port: number;
  issuer: string;
  database: DatabaseConfig;
  /** First value encrypts; every value decrypts (so the secret can be rotated). */
  keyEncryptionSecrets: string[];
  /** First signs cookies; all verify. */
  cookieKeys: string[];
  signingAlgs: SigningAlg[];
  /** ENCRYPTION_ALGS: one encryption key family each (none by default). */
  encryptionAlgs: EncryptionAlg[];
  /**
   * Milliseconds a request object may be valid (its exp at most this long after its iat). A retired
   * encryption key stays usable this long after every RP cache has dropped it (lifecycle.ts).
   */
  requestObjectLifetime: number;
  rsaModulusLength: 2048 | 3072 | 4096;
  /** Where private signing keys live (KEY_STORE). */
  keyStore: KeyStoreConfig;
  /** Milliseconds a key signs before the next one takes over. */
  keyRotationInterval: number;
  /**
   * Milliseconds RPs may keep a JWKS cached (jose's createRemoteJWKSet keeps one 10 minutes). A
   * next key is published at least this long before it signs.
   */
  jwksCacheLifetime: number;
  /** Milliseconds between an instance's checks for key-set changes (and due rotations). */
  keySyncInterval: number;
  /** Watching the JWKS (src/domain/keys/jwks-watch.ts): who fetches it, and the activation gate. */
  jwksWatch: JwksWatchConfig;
  /**
   * Which X-Forwarded-For entries to believe: none, the last `hops` (each added by one proxy of
   * ours), or those added by proxies at these addresses. Decides the source address that the
   * audit log and throttling see.
   */
  trustProxy: TrustProxy;
  /** Failed attempts at anything that checks a secret: when to lock, for how long. */
  throttle: ThrottlePolicy;
  /** Most argon2id hashes computed at once (each takes 19 MiB and a thread-pool thread). */
  passwordHashConcurrency: number;
  /** Bearer token that /metrics asks for; undefined: open outside production, off in production. */
  metricsToken?: string;
  /** Milliseconds requests in flight get to finish after SIGTERM/SIGINT before they are cut. */
  shutdownTimeout: number;
  /**
   * Whether the provider's own outgoing requests (back-channel logout, client JWKS) may reach
   * loopback and private addresses. oidc-provider refuses them by default against SSRF; a
   * development machine or a private network of apps needs them.
   */
  allowPrivateNetworkRequests: boolean;
  /** Lifetimes in seconds. */
  ttl: {
    /** Idle: a session unused this long ends (each use starts it again). */
    session: number;
    /**
     * Absolute: no session outlives this after its last sign-in, however busy it is. Retired keys
     * stay published this long (an id_token_hint is presented at logout while the session lives).
     */
    sessionMaxAge: number;
    interaction: number;
    authorizationCode: number;
    accessToken: number;
    idToken: number;
    refreshToken: number;
    clientCredentials: number;
  };
  /**
   * Seconds after a rotating refresh token's first use during which it may be presented again
   * (parallel refreshes, a retried request) without being taken for a stolen copy: it works as if
   * unused. 0: no grace. After it, a public client's used token revokes its grant (reuse detection).
   */
  refreshTokenReuseInterval: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** JSON lines (the default, what log collectors read), or pretty for a person at a terminal (needs the dev dependency pino-pretty). */
  logFormat: 'json' | 'pretty';
  /** How mails leave Sesame (password reset, invitations, email verification). */
  mail: MailConfig;
  /** Whether people may create their own accounts, and with which email domains. */
  signup: SignupConfig;
  /** Who must sign in with a second factor (MFA_POLICY; mfa-policy.ts). */
  mfaPolicy: MfaPolicy;
  /** Where key events go (KEY_EVENTS_*; domain/keys/key-event-delivery.ts). */
  keyEvents: KeyEventsConfig;
  /**
   * SESAME_CONFIG: a configuration file (`sesame apply`'s format) applied at start-up, before
   * listening. Its `{ env: NAME }` secret references read this same environment.
   */
  configFile?: { path: string; env: Readonly<Record<string, string | undefined>> };
  /** Lines to log once start-up has a logger: development secrets were just generated. */
  warnings: string[];
  /** Set when development secrets from this file stand in for missing variables. */
  devSecretsFile?: string;
}

/**
 * smtp: sent through SMTP_URL. outbox: development without SMTP_URL, written to a folder as .eml
 * files. off: production without SMTP_URL; the features that need mail are off.
 */
export type MailTransportConfig = { kind: 'smtp'; url: string } | { kind: 'outbox'; dir: string } | { kind: 'off' };

export interface MailConfig {
  transport: MailTransportConfig;
  /** The From header of every mail, e.g. `Sesame <no-reply@id.example.com>`. */
  from: string;
}

export interface SignupConfig {
  open: boolean;
  /** Lower-cased email domains allowed to sign up; empty: any. */
  domains: string[];
}

export interface JwksWatchConfig {
  /** Milliseconds a /jwks fetcher counts as recent and is kept (JWKS_FETCHER_RETENTION). */
  fetcherRetention: number;
  /** KEY_ACTIVATION_GATE: the share of recent fetchers, in (0, 1], that must hold the next key; undefined: off. */
  activationGate: number | undefined;
  /** Milliseconds the gate may hold a scheduled activation at most (KEY_ACTIVATION_GATE_MAX_DELAY). */
  activationGateMaxDelay: number;
  /** /jwks requests per minute from one source address (IPv6: one /64) on one instance; 0: no limit. */
  rateLimit: number;
}

/**
 * database: private JWKs sealed with KEY_ENCRYPTION_SECRET in the key table. pkcs11: generated in
 * and used from a token of an HSM; the table keeps only the public JWK and the object's CKA_ID.
 */
export type KeyStoreConfig = { kind: 'database' } | { kind: 'pkcs11'; module: string; tokenLabel: string; pin: string };

/** What the PKCS#11 store can generate and sign with (keys/pkcs11-store.ts). */
export const PKCS11_SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'PS256', 'ES256'];

export interface KeyEventsConfig {
  /** The webhook URLs (http or https) every key event is sent to; empty: events are only stored. */
  receivers: string[];
  /** Milliseconds to wait before each retry of a failed delivery; after the last, it has failed. */
  retryDelays: number[];
  /** Milliseconds one attempt may take before it counts as failed. */
  timeout: number;
}

export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; addresses: string[] };

export interface ThrottlePolicy {
  /** Failed sign-ins for one account (known or not) before it is locked. */
  loginMaxFailures: number;
  /** Failed sign-ins from one source address, whatever the account, before it is locked. */
  loginMaxFailuresPerAddress: number;
  /** Failed client authentications for one client_id from one address before that pair is locked. */
  clientMaxFailures: number;
  /** Failed secret checks other than sign-in (client secrets, bearer tokens) from one address. */
  tokenMaxFailuresPerAddress: number;
  /** Milliseconds of the first lockout; each further failure doubles it, up to lockoutMax. */
  lockout: number;
  lockoutMax: number;
  /** Milliseconds after the first failure at which the count starts again. */
  failureReset: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  /** One line per problem; the message is these lines joined. */
  readonly problems: string[];

  constructor(problems: string | string[]) {
    const lines = Array.isArray(problems) ? problems : [problems];
    super(lines.join('\n'));
    this.problems = lines;
  }
}

type Env = Record<string, string | undefined>;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90s`, `15m`, `12h`, `30d` into seconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

function fail(name: string, value: string, accepted: string): never {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  throw new ConfigError(`${name}=${JSON.stringify(shown)} is invalid: ${accepted}`);
}

/** A problem with a secret: never echo its value back, even a malformed one. */
function secretProblem(name: string, accepted: string): string {
  return `${name} is invalid: ${accepted}`;
}

function duration(env: Env, name: string, fallback: string): number {
  const raw = env[name]?.trim() || fallback;
  return parseDuration(raw) ?? fail(name, raw, 'a positive duration such as 90s, 15m, 12h or 30d');
}

function parseMode(env: Env): Config['mode'] {
  const raw = env.NODE_ENV?.trim() || 'development';
  if (raw === 'production' || raw === 'development' || raw === 'test') return raw;
  return fail('NODE_ENV', raw, 'production, development or test');
}

function parsePort(env: Env): number {
  const raw = env.PORT?.trim() || '3000';
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) fail('PORT', raw, 'a whole number from 0 to 65535');
  return port;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseIssuer(env: Env, mode: Config['mode'], port: number): string {
  if (mode === 'production' && !env.ISSUER?.trim()) {
    // Defaulting to localhost would put a wrong issuer into every token and discovery document.
    throw new ConfigError('ISSUER is invalid: required when NODE_ENV=production (the https URL RPs use, such as https://id.example.com)');
  }
  const raw = env.ISSUER?.trim() || `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('ISSUER', raw, 'an absolute URL such as https://id.example.com');
  }
  if (url.search || url.hash) fail('ISSUER', raw, 'a URL without query or fragment');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    fail('ISSUER', raw, 'an https URL (http is allowed only for localhost)');
  }
  // The issuer identifier is compared byte for byte by RPs: no trailing slash.
  return raw.replace(/\/+$/, '');
}

function parseDatabase(env: Env, cwd: string): DatabaseConfig {
  const raw = env.DATABASE_URL?.trim() || 'file:./data/sesame.db';
  if (raw.startsWith('file:')) {
    const path = raw.slice('file:'.length);
    if (!path) fail('DATABASE_URL', raw, 'file:PATH for SQLite or postgresql://... for PostgreSQL');
    const file = path === ':memory:' ? path : isAbsolute(path) ? path : resolve(cwd, path);
    return { provider: 'sqlite', url: raw, file };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      fail('DATABASE_URL', '(a PostgreSQL URL)', 'a valid postgresql://user@host:port/database URL');
    }
    return { provider: 'postgresql', url: raw };
  }
  // A PostgreSQL URL can hold a password: never print it.
  return fail('DATABASE_URL', raw.split(':')[0] + ':...', 'file:PATH for SQLite or postgresql://... for PostgreSQL');
}

function parseList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function parseSigningAlgs(env: Env): SigningAlg[] {
  const raw = env.SIGNING_ALGS?.trim() || 'RS256';
  const algs = parseList(raw);
  const accepted = `a comma-separated list from ${SIGNING_ALGORITHMS.join(', ')}, each at most once`;
  if (algs.length === 0 || new Set(algs).size !== algs.length) fail('SIGNING_ALGS', raw, accepted);
  for (const alg of algs) {
    if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) fail('SIGNING_ALGS', raw, accepted);
  }
  return algs as SigningAlg[];
}

function parseEncryptionAlgs(env: Env): EncryptionAlg[] {
  const raw = env.ENCRYPTION_ALGS?.trim() ?? '';
  const algs = parseList(raw);
  const accepted = `empty, or a comma-separated list from ${ENCRYPTION_ALGORITHMS.join(', ')}, each at most once`;
  if (new Set(algs).size !== algs.length) fail('ENCRYPTION_ALGS', raw, accepted);
  for (const alg of algs) {
    if (!(ENCRYPTION_ALGORITHMS as readonly string[]).includes(alg)) fail('ENCRYPTION_ALGS', raw, accepted);
  }
  return algs as EncryptionAlg[];
}

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  return fail(name, raw, 'true or false');
}

function positiveInteger(env: Env, name: string, fallback: number, max = 1_000_000): number {
  const raw = env[name]?.trim() || String(fallback);
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) fail(name, raw, `a whole number from 1 to ${max}`);
  return value;
}

/**
 * TRUST_PROXY: `false`; `true` (one proxy in front); a number of proxy hops; or the proxies'
 * addresses and networks (`10.0.0.0/8,loopback`), as proxy-addr understands them.
 */
function parseTrustProxy(env: Env): TrustProxy {
  const raw = env.TRUST_PROXY?.trim() || 'false';
  const lower = raw.toLowerCase();
  if (['false', '0', 'no', 'off'].includes(lower)) return { kind: 'none' };
  if (['true', 'yes', 'on'].includes(lower)) return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) fail('TRUST_PROXY', raw, 'false, true, a number of proxy hops from 0 to 10, or comma-separated proxy addresses/networks');
    return { kind: 'hops', hops };
  }
  const addresses = parseList(raw);
  try {
    proxyaddr.compile(addresses);
  } catch {
    fail('TRUST_PROXY', raw, 'false, true, a number of proxy hops, or comma-separated proxy addresses/networks such as 10.0.0.0/8,loopback');
  }
  return { kind: 'addresses', addresses };
}

const DEFAULT_THROTTLE: ThrottlePolicy = {
  loginMaxFailures: 5,
  loginMaxFailuresPerAddress: 20,
  clientMaxFailures: 10,
  tokenMaxFailuresPerAddress: 30,
  lockout: 60_000,
  lockoutMax: 900_000,
  failureReset: 3_600_000,
};

function parseThrottle(env: Env): ThrottlePolicy {
  const lockout = duration(env, 'LOCKOUT', '1m') * 1000;
  const lockoutMax = duration(env, 'LOCKOUT_MAX', '15m') * 1000;
  if (lockoutMax < lockout) fail('LOCKOUT_MAX', env.LOCKOUT_MAX ?? '15m', `at least LOCKOUT (${lockout / 1000}s)`);
  return {
    loginMaxFailures: positiveInteger(env, 'LOGIN_MAX_FAILURES', 5),
    loginMaxFailuresPerAddress: positiveInteger(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 20),
    clientMaxFailures: positiveInteger(env, 'CLIENT_MAX_FAILURES', 10),
    tokenMaxFailuresPerAddress: positiveInteger(env, 'TOKEN_MAX_FAILURES_PER_ADDRESS', 30),
    lockout,
    lockoutMax,
    failureReset: duration(env, 'FAILURE_RESET', '1h') * 1000,
  };
}

function parseMetricsToken(env: Env): string | undefined {
  const raw = env.METRICS_TOKEN?.trim();
  if (!raw) return undefined;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(secretProblem('METRICS_TOKEN', '16 or more printable characters without spaces'));
  }
  return raw;
}

const MIN_SECRET_LENGTH = 32;

interface DevSecrets {
  keyEncryptionSecret: string;
  cookieKeys: string[];
}

/**
 * Development convenience: secrets generated once and kept in DATA_DIR so that keys, client
 * secrets and cookies survive restarts. Production refuses to start without real ones.
 */
function loadDevSecrets(dataDir: string): { secrets: DevSecrets; created: boolean; file: string } {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) {
    // Owner-only, also when an earlier version or a copy left it readable by others.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { secrets: JSON.parse(readFileSync(file, 'utf8')) as DevSecrets, created: false, file };
  }
  const secrets: DevSecrets = {
    keyEncryptionSecret: randomBytes(32).toString('base64url'),
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return { secrets, created: true, file };
}

const GENERATE = 'generate one with: openssl rand -base64 32';

/**
 * Problems with one variable's comma-separated secrets: too short (always), and in production
 * anything that does not look generated. Never quotes a value.
 */
function secretListProblems(name: string, values: string[], noun: string, production: boolean): string[] {
  const problems: string[] = [];
  if (values.some((s) => s.length < MIN_SECRET_LENGTH)) {
    problems.push(secretProblem(name, `each comma-separated ${noun} needs ${MIN_SECRET_LENGTH} or more characters`));
  }
  if (!production) return problems;
  values.forEach((value, i) => {
    const weaknesses = secretWeaknesses(value);
    if (weaknesses.length === 0) return;
    const which = values.length === 1 ? `the ${noun}` : `${noun} ${i + 1} of ${values.length}`;
    problems.push(secretProblem(name, `${which} does not look random (${weaknesses.join('; ')}); ${GENERATE}`));
  });
  return problems;
}

function parseSecrets(env: Env, mode: Config['mode'], dataDir: string) {
  const production = mode === 'production';
  const problems: string[] = [];
  const warnings: string[] = [];
  let keyEncryptionSecrets = parseList(env.KEY_ENCRYPTION_SECRET);
  let cookieKeys = parseList(env.COOKIE_KEYS);
  let devSecretsFile: string | undefined;
  if (production) {
    if (keyEncryptionSecrets.length === 0) {
      problems.push(secretProblem('KEY_ENCRYPTION_SECRET', `required when NODE_ENV=production (${MIN_SECRET_LENGTH} or more characters); ${GENERATE}`));
    }
    if (cookieKeys.length === 0) {
      problems.push(
        secretProblem('COOKIE_KEYS', `required when NODE_ENV=production (comma-separated, ${MIN_SECRET_LENGTH} or more characters each); ${GENERATE}`),
      );
    }
  } else if (keyEncryptionSecrets.length === 0 || cookieKeys.length === 0) {
    const { secrets, created, file } = loadDevSecrets(dataDir);
    devSecretsFile = file;
    if (keyEncryptionSecrets.length === 0) {
      keyEncryptionSecrets = [secrets.keyEncryptionSecret];
      if (created) warnings.push(`KEY_ENCRYPTION_SECRET is not set: generated a development secret into ${file}`);
    }
    if (cookieKeys.length === 0) {
      cookieKeys = secrets.cookieKeys;
      if (created) warnings.push(`COOKIE_KEYS is not set: generated development keys into ${file}`);
    }
  }
  problems.push(
    ...secretListProblems('KEY_ENCRYPTION_SECRET', keyEncryptionSecrets, 'value', production),
    ...secretListProblems('COOKIE_KEYS', cookieKeys, 'key', production),
  );
  if (production && cookieKeys.some((key) => keyEncryptionSecrets.includes(key))) {
    // Whoever learns the cookie key (it signs what every browser holds) must not hold the key to the private keys.
    problems.push(secretProblem('COOKIE_KEYS', 'a key is also a KEY_ENCRYPTION_SECRET value; use a different secret for each'));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { keyEncryptionSecrets, cookieKeys, warnings, devSecretsFile };
}

function parseKeySchedule(env: Env, ttl: Config['ttl']): Pick<Config, 'keyRotationInterval' | 'jwksCacheLifetime' | 'keySyncInterval'> {
  const keyRotationInterval = duration(env, 'KEY_ROTATION_INTERVAL', '30d') * 1000;
  // 15 minutes: the RP libraries' own 10-minute caches, plus what a shared cache may add (the
  // max-age /jwks sends is what is left: see http/jwks.ts).
  const jwksCacheLifetime = duration(env, 'JWKS_CACHE_LIFETIME', '15m') * 1000;
  const keySyncInterval = duration(env, 'KEY_SYNC_INTERVAL', '5s') * 1000;
  if (keySyncInterval >= jwksCacheLifetime) {
    fail('KEY_SYNC_INTERVAL', env.KEY_SYNC_INTERVAL ?? '5s', `shorter than JWKS_CACHE_LIFETIME (${jwksCacheLifetime / 1000}s)`);
  }
  if (keyRotationInterval <= jwksCacheLifetime) {
    // Otherwise a next key could not be published long enough before it signs.
    fail('KEY_ROTATION_INTERVAL', env.KEY_ROTATION_INTERVAL ?? '30d', `longer than JWKS_CACHE_LIFETIME (${jwksCacheLifetime / 1000}s)`);
  }
  // A retired key stays published until everything it signed has expired; the next rotation must
  // not come sooner, or every rotation would wait for it (see domain/keys/lifecycle.ts).
  // It stays one KEY_SYNC_INTERVAL longer: other instances may still sign with it that long.
  const retention = retiredRetention(ttl) + keySyncInterval;
  if (keyRotationInterval <= retention) {
    fail(
      'KEY_ROTATION_INTERVAL',
      env.KEY_ROTATION_INTERVAL ?? '30d',
      `longer than the longest of SESSION_MAX_AGE, ID_TOKEN_TTL and ACCESS_TOKEN_TTL plus KEY_SYNC_INTERVAL (${retention / 1000}s): retired keys stay published that long`,
    );
  }
  return { keyRotationInterval, jwksCacheLifetime, keySyncInterval };
}

const DEFAULT_SESSION_MAX_AGE = 21 * 86400;

/**
 * SESSION_MAX_AGE: unset, 21 days (or SESSION_TTL when that is longer, so a configuration that
 * never named it keeps working). 21 days leaves the default KEY_ROTATION_INTERVAL (30d), which must
 * outlast it, a margin of days. Shorter than SESSION_TTL would make the idle timeout meaningless.
 */
/** At most a minute: a longer window would let a stolen copy be used without detection for that long. */
const MAX_REUSE_INTERVAL = 60;

function parseReuseInterval(env: Env): number {
  const raw = env.REFRESH_TOKEN_REUSE_INTERVAL?.trim() || '5s';
  const seconds = /^0+\s*s?$/.test(raw) ? 0 : parseDuration(raw);
  if (seconds === undefined || seconds > MAX_REUSE_INTERVAL)
    fail('REFRESH_TOKEN_REUSE_INTERVAL', raw, `a duration from 0s to ${MAX_REUSE_INTERVAL}s, such as 5s`);
  return seconds;
}

function parseSessionMaxAge(env: Env, sessionTtl: number): number {
  if (!env.SESSION_MAX_AGE?.trim()) return Math.max(DEFAULT_SESSION_MAX_AGE, sessionTtl);
  const maxAge = duration(env, 'SESSION_MAX_AGE', '21d');
  if (maxAge < sessionTtl) fail('SESSION_MAX_AGE', env.SESSION_MAX_AGE, `at least SESSION_TTL (${sessionTtl}s)`);
  return maxAge;
}

/** KEY_ACTIVATION_GATE: `off` (or unset), a share such as 0.95, or a percentage such as 95%. */
function parseActivationGate(env: Env): number | undefined {
  const raw = env.KEY_ACTIVATION_GATE?.trim() || 'off';
  if (raw.toLowerCase() === 'off') return undefined;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw);
  const value = percent ? Number(percent[1]) / 100 : /^\d*\.?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value > 0 && value <= 1)) fail('KEY_ACTIVATION_GATE', raw, 'off, or a share above 0 and at most 1 such as 0.95 (or 95%)');
  return value;
}

function parseJwksRateLimit(env: Env): number {
  const raw = env.JWKS_RATE_LIMIT?.trim() || '600';
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1_000_000)) fail('JWKS_RATE_LIMIT', raw, 'requests per minute from one address, a whole number from 0 (no limit) to 1000000');
  return value;
}

function parseRsaModulusLength(env: Env): Config['rsaModulusLength'] {
  const raw = env.RSA_MODULUS_LENGTH?.trim() || '2048';
  if (raw === '2048' || raw === '3072' || raw === '4096') return Number(raw) as Config['rsaModulusLength'];
  return fail('RSA_MODULUS_LENGTH', raw, '2048, 3072 or 4096');
}

/**
 * KEY_STORE and its PKCS11_* settings; every problem is its own line. The PIN (PKCS11_PIN, or the
 * first line of PKCS11_PIN_FILE) is never echoed. That the module loads, the token exists and the
 * PIN opens it is checked when the store opens, at start-up (keys/pkcs11-store.ts).
 */
function parseKeyStore(env: Env, signingAlgs: SigningAlg[]): KeyStoreConfig {
  const raw = env.KEY_STORE?.trim().toLowerCase() || 'database';
  if (raw !== 'database' && raw !== 'pkcs11') fail('KEY_STORE', raw, 'database or pkcs11');
  const names = ['PKCS11_MODULE', 'PKCS11_TOKEN_LABEL', 'PKCS11_PIN', 'PKCS11_PIN_FILE'];
  if (raw === 'database') {
    // Someone who set these meant the keys to be in the HSM; keeping them in the database instead must not go unnoticed.
    const set = names.filter((name) => env[name]?.trim());
    if (set.length > 0)
      throw new ConfigError(`KEY_STORE="database" is invalid: ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set; set KEY_STORE=pkcs11, or unset them`);
    return { kind: 'database' };
  }
  const problems: string[] = [];
  const module = env.PKCS11_MODULE?.trim() ?? '';
  if (!module)
    problems.push('PKCS11_MODULE is invalid: required when KEY_STORE=pkcs11 (the path of the PKCS#11 library, such as /usr/lib/softhsm/libsofthsm2.so)');
  else if (!isAbsolute(module) || !existsSync(module) || !statSync(module).isFile()) {
    problems.push(`PKCS11_MODULE=${JSON.stringify(module)} is invalid: the absolute path of an existing PKCS#11 library (.so)`);
  }
  const tokenLabel = env.PKCS11_TOKEN_LABEL?.trim() ?? '';
  if (!tokenLabel) problems.push('PKCS11_TOKEN_LABEL is invalid: required when KEY_STORE=pkcs11 (the label the token was initialised with)');
  else if (Buffer.byteLength(tokenLabel) > 32)
    problems.push(`PKCS11_TOKEN_LABEL=${JSON.stringify(tokenLabel)} is invalid: at most 32 bytes (a PKCS#11 token label)`);
  let pin = '';
  const pinFile = env.PKCS11_PIN_FILE?.trim();
  if (env.PKCS11_PIN && pinFile) problems.push(secretProblem('PKCS11_PIN', 'set PKCS11_PIN or PKCS11_PIN_FILE, not both'));
  else if (pinFile) {
    try {
      pin = readFileSync(pinFile, 'utf8').split(/\r?\n/)[0]!.trim();
      if (!pin) problems.push(`PKCS11_PIN_FILE=${JSON.stringify(pinFile)} is invalid: the file is empty (it holds the token's user PIN on its first line)`);
    } catch (error) {
      problems.push(`PKCS11_PIN_FILE=${JSON.stringify(pinFile)} is invalid: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else {
    pin = env.PKCS11_PIN?.trim() ?? '';
    if (!pin)
      problems.push(secretProblem('PKCS11_PIN', "required when KEY_STORE=pkcs11: the token's user PIN, in PKCS11_PIN or in a file named by PKCS11_PIN_FILE"));
  }
  const unsupported = signingAlgs.filter((alg) => !PKCS11_SIGNING_ALGS.includes(alg));
  if (unsupported.length > 0) {
    problems.push(
      `SIGNING_ALGS=${JSON.stringify(signingAlgs.join(','))} is invalid with KEY_STORE=pkcs11: ${PKCS11_SIGNING_ALGS.join(', ')} only (not ${unsupported.join(', ')})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { kind: 'pkcs11', module, tokenLabel, pin };
}

function parseLogLevel(env: Env, mode: Config['mode']): Config['logLevel'] {
  const raw = env.LOG_LEVEL?.trim() || (mode === 'test' ? 'silent' : 'info');
  if (['debug', 'info', 'warn', 'error', 'silent'].includes(raw)) return raw as Config['logLevel'];
  return fail('LOG_LEVEL', raw, 'debug, info, warn, error or silent');
}

function parseLogFormat(env: Env): Config['logFormat'] {
  const raw = env.LOG_FORMAT?.trim() || 'json';
  if (raw === 'json' || raw === 'pretty') return raw;
  return fail('LOG_FORMAT', raw, 'json or pretty');
}

/** SMTP_URL: smtp:// or smtps:// with credentials in the URL; never printed back (it may hold a password). */
function parseMail(env: Env, mode: Config['mode'], issuer: string, dataDir: string): MailConfig {
  const raw = env.SMTP_URL?.trim();
  let transport: MailTransportConfig;
  if (raw) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
      throw new ConfigError(secretProblem('SMTP_URL', 'smtp://user:password@host:port or smtps://user:password@host:port'));
    }
    transport = { kind: 'smtp', url: raw };
  } else {
    transport = mode === 'production' ? { kind: 'off' } : { kind: 'outbox', dir: join(dataDir, 'outbox') };
  }
  const host = URL.canParse(issuer) ? new URL(issuer).hostname : 'localhost';
  const from = env.MAIL_FROM?.trim() || `Sesame <no-reply@${host}>`;
  // An address alone, or a display name and an address in angle brackets; no line breaks (header injection).
  if (!/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from)) {
    fail('MAIL_FROM', from, 'an email address, or a name and an address such as Sesame <no-reply@id.example.com>');
  }
  return { transport, from };
}

function parseSignup(env: Env): SignupConfig {
  const raw = env.SIGNUP?.trim().toLowerCase() || 'off';
  if (raw !== 'off' && raw !== 'open') fail('SIGNUP', raw, 'off or open');
  const domains = parseList(env.SIGNUP_DOMAINS?.toLowerCase()).map((domain) => domain.replace(/^@/, ''));
  for (const domain of domains) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain))
      fail('SIGNUP_DOMAINS', env.SIGNUP_DOMAINS ?? '', 'comma-separated email domains such as example.com,example.org');
  }
  return { open: raw === 'open', domains };
}

function parseMfaPolicy(env: Env): MfaPolicy {
  const raw = env.MFA_POLICY?.trim().toLowerCase() || 'optional';
  if (!(MFA_POLICIES as readonly string[]).includes(raw)) fail('MFA_POLICY', raw, MFA_POLICIES.join(', ').replace(/, (?=[^,]*$)/, ' or '));
  return raw as MfaPolicy;
}

/** KEY_EVENTS_WEBHOOK_URL: absolute http(s) URLs, each once, without credentials (receivers check our signature). */
function parseWebhookUrls(env: Env): string[] {
  const raw = env.KEY_EVENTS_WEBHOOK_URL?.trim() ?? '';
  const accepted = 'comma-separated absolute http:// or https:// URLs, each once, without user:password@';
  const urls = parseList(raw);
  for (const item of urls) {
    const url = URL.canParse(item) ? new URL(item) : undefined;
    // The value may hold credentials: name the problem, never print it.
    if (url && (url.username || url.password)) throw new ConfigError(secretProblem('KEY_EVENTS_WEBHOOK_URL', accepted));
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || url.hash) fail('KEY_EVENTS_WEBHOOK_URL', item, accepted);
  }
  if (new Set(urls).size !== urls.length) fail('KEY_EVENTS_WEBHOOK_URL', raw, accepted);
  return urls;
}

const MAX_KEY_EVENT_ATTEMPTS = 20;

/** KEY_EVENTS_RETRY_DELAYS: the waits before each retry, in milliseconds (attempts: one more than these). */
function parseRetryDelays(env: Env): number[] {
  const raw = env.KEY_EVENTS_RETRY_DELAYS?.trim() || '5s,30s,2m,10m,1h,6h,24h';
  const delays = raw.split(',').map((item) => parseDuration(item));
  if (delays.some((seconds) => seconds === undefined) || delays.length >= MAX_KEY_EVENT_ATTEMPTS) {
    fail('KEY_EVENTS_RETRY_DELAYS', raw, `comma-separated durations such as 5s,30s,2m,10m,1h (at most ${MAX_KEY_EVENT_ATTEMPTS - 1})`);
  }
  return delays.map((seconds) => seconds! * 1000);
}

function parseKeyEventTimeout(env: Env): number {
  const seconds = duration(env, 'KEY_EVENTS_TIMEOUT', '10s');
  if (seconds > 300) fail('KEY_EVENTS_TIMEOUT', env.KEY_EVENTS_TIMEOUT ?? '', 'a duration from 1s to 5m');
  return seconds * 1000;
}

export interface LoadConfigOptions {
  cwd?: string;
  /** Read `.env` in cwd before parsing (the server and CLI do; tests pass env explicitly). */
  readDotEnv?: boolean;
}

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  if (options.readDotEnv && env === process.env && existsSync(join(cwd, '.env'))) {
    // Variables already set win over .env, as with dotenv.
    process.loadEnvFile(join(cwd, '.env'));
  }
  const problems: string[] = [];
  /** Parses one setting; a bad value is noted (the fallback stands in) and the others are still checked. */
  const check = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return fallback;
    }
  };
  // An unreadable NODE_ENV is checked as strictly as production (and generates no files).
  const mode = check(() => parseMode(env), 'production');
  const port = check(() => parsePort(env), 3000);
  const dataDir = resolve(cwd, 'data');
  const secrets = check(() => parseSecrets(env, mode, dataDir), { keyEncryptionSecrets: [], cookieKeys: [], warnings: [], devSecretsFile: undefined });
  const metricsToken = check(() => parseMetricsToken(env), undefined);
  const ttlOf = (name: string, fallback: string) => check(() => duration(env, name, fallback), 1);
  const session = ttlOf('SESSION_TTL', '14d');
  const ttl = {
    session,
    sessionMaxAge: check(() => parseSessionMaxAge(env, session), session),
    interaction: ttlOf('INTERACTION_TTL', '1h'),
    authorizationCode: ttlOf('AUTHORIZATION_CODE_TTL', '60s'),
    accessToken: ttlOf('ACCESS_TOKEN_TTL', '1h'),
    idToken: ttlOf('ID_TOKEN_TTL', '1h'),
    refreshToken: ttlOf('REFRESH_TOKEN_TTL', '14d'),
    clientCredentials: ttlOf('CLIENT_CREDENTIALS_TTL', '10m'),
  };
  const issuer = check(() => parseIssuer(env, mode, port), '');
  const signingAlgs = check(() => parseSigningAlgs(env), ['RS256'] as SigningAlg[]);
  const config: Config = {
    mode,
    port,
    issuer,
    database: check(() => parseDatabase(env, cwd), { provider: 'sqlite', url: '', file: '' }),
    keyEncryptionSecrets: secrets.keyEncryptionSecrets,
    cookieKeys: secrets.cookieKeys,
    signingAlgs,
    encryptionAlgs: check(() => parseEncryptionAlgs(env), []),
    requestObjectLifetime: check(() => duration(env, 'REQUEST_OBJECT_LIFETIME', '10m') * 1000, 0),
    rsaModulusLength: check(() => parseRsaModulusLength(env), 2048),
    keyStore: check(() => parseKeyStore(env, signingAlgs), { kind: 'database' } as KeyStoreConfig),
    ...check(() => parseKeySchedule(env, ttl), { keyRotationInterval: 0, jwksCacheLifetime: 0, keySyncInterval: 0 }),
    jwksWatch: {
      fetcherRetention: check(() => duration(env, 'JWKS_FETCHER_RETENTION', '7d') * 1000, 0),
      activationGate: check(() => parseActivationGate(env), undefined),
      activationGateMaxDelay: check(() => duration(env, 'KEY_ACTIVATION_GATE_MAX_DELAY', '1d') * 1000, 0),
      rateLimit: check(() => parseJwksRateLimit(env), 0),
    },
    trustProxy: check(() => parseTrustProxy(env), { kind: 'none' } as TrustProxy),
    throttle: check(() => parseThrottle(env), DEFAULT_THROTTLE),
    passwordHashConcurrency: check(() => positiveInteger(env, 'PASSWORD_HASH_CONCURRENCY', 2, 64), 2),
    ...(metricsToken ? { metricsToken } : {}),
    shutdownTimeout: check(() => duration(env, 'SHUTDOWN_TIMEOUT', '10s') * 1000, 0),
    allowPrivateNetworkRequests: check(() => parseBoolean(env, 'ALLOW_PRIVATE_NETWORK_REQUESTS', mode !== 'production'), false),
    ttl,
    refreshTokenReuseInterval: check(() => parseReuseInterval(env), 0),
    logLevel: check(() => parseLogLevel(env, mode), 'info'),
    logFormat: check(() => parseLogFormat(env), 'json'),
    mail: check(() => parseMail(env, mode, issuer, dataDir), { transport: { kind: 'off' }, from: 'no-reply@localhost' }),
    signup: check(() => parseSignup(env), { open: false, domains: [] }),
    mfaPolicy: check(() => parseMfaPolicy(env), 'optional' as MfaPolicy),
    keyEvents: {
      receivers: check(() => parseWebhookUrls(env), []),
      retryDelays: check(() => parseRetryDelays(env), []),
      timeout: check(() => parseKeyEventTimeout(env), 0),
    },
    ...(env.SESAME_CONFIG?.trim() ? { configFile: { path: resolve(cwd, env.SESAME_CONFIG.trim()), env } } : {}),
    warnings: secrets.warnings,
    ...(secrets.devSecretsFile ? { devSecretsFile: secrets.devSecretsFile } : {}),
  };
  if (config.encryptionAlgs.length > 0 && config.jwksCacheLifetime > 0 && config.requestObjectLifetime > 0) {
    // As for signing keys: the next rotation must not come before the retired key may go.
    const retention = encryptionRetention(config) + config.keySyncInterval;
    if (config.keyRotationInterval <= retention) {
      problems.push(
        `KEY_ROTATION_INTERVAL=${JSON.stringify(env.KEY_ROTATION_INTERVAL ?? '30d')} is invalid: longer than JWKS_CACHE_LIFETIME plus REQUEST_OBJECT_LIFETIME ` +
          `plus KEY_SYNC_INTERVAL (${retention / 1000}s): retired encryption keys stay published that long`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
