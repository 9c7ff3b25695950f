// The only module that reads the environment. Everything else receives a typed Config.
// Every variable is validated here once; a bad value throws ConfigError with one line naming the
// variable, the value and what is accepted, and start-up stops on it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export const SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];

export type DatabaseConfig =
  | { provider: 'sqlite'; url: string; file: string }
  | { provider: 'postgresql'; url: string };

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
  rsaModulusLength: 2048 | 3072 | 4096;
  /** Milliseconds a key signs before the next one takes over. */
  keyRotationInterval: number;
  /**
   * Milliseconds RPs may keep a JWKS cached (jose's createRemoteJWKSet keeps one 10 minutes). A
   * next key is published at least this long before it signs.
   */
  jwksCacheLifetime: number;
  /** Milliseconds between an instance's checks for key-set changes (and due rotations). */
  keySyncInterval: number;
  trustProxy: boolean;
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
    session: number;
    interaction: number;
    authorizationCode: number;
    accessToken: number;
    idToken: number;
    refreshToken: number;
    clientCredentials: number;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Lines to log once start-up has a logger: development secrets were just generated. */
  warnings: string[];
  /** Set when development secrets from this file stand in for missing variables. */
  devSecretsFile?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
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

/** Never echo a secret back, even a malformed one. */
function failSecret(name: string, accepted: string): never {
  throw new ConfigError(`${name} is invalid: ${accepted}`);
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

function parseIssuer(env: Env, port: number): string {
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

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  return fail(name, raw, 'true or false');
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
    return { secrets: JSON.parse(readFileSync(file, 'utf8')) as DevSecrets, created: false, file };
  }
  const secrets: DevSecrets = {
    keyEncryptionSecret: randomBytes(32).toString('base64url'),
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return { secrets, created: true, file };
}

function parseSecrets(env: Env, mode: Config['mode'], dataDir: string) {
  const warnings: string[] = [];
  let keyEncryptionSecrets = parseList(env.KEY_ENCRYPTION_SECRET);
  let cookieKeys = parseList(env.COOKIE_KEYS);
  if (mode === 'production') {
    if (keyEncryptionSecrets.length === 0) {
      failSecret('KEY_ENCRYPTION_SECRET', 'required when NODE_ENV=production (32 or more characters)');
    }
    if (cookieKeys.length === 0) {
      failSecret('COOKIE_KEYS', 'required when NODE_ENV=production (comma-separated, 32 or more characters each)');
    }
  }
  let devSecretsFile: string | undefined;
  if (keyEncryptionSecrets.length === 0 || cookieKeys.length === 0) {
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
  if (keyEncryptionSecrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    failSecret('KEY_ENCRYPTION_SECRET', `each comma-separated value needs ${MIN_SECRET_LENGTH} or more characters`);
  }
  if (cookieKeys.some((s) => s.length < MIN_SECRET_LENGTH)) {
    failSecret('COOKIE_KEYS', `each comma-separated key needs ${MIN_SECRET_LENGTH} or more characters`);
  }
  return { keyEncryptionSecrets, cookieKeys, warnings, devSecretsFile };
}

function parseKeySchedule(env: Env, ttl: Config['ttl']): Pick<Config, 'keyRotationInterval' | 'jwksCacheLifetime' | 'keySyncInterval'> {
  const keyRotationInterval = duration(env, 'KEY_ROTATION_INTERVAL', '30d') * 1000;
  const jwksCacheLifetime = duration(env, 'JWKS_CACHE_LIFETIME', '10m') * 1000;
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
  const retention = Math.max(ttl.session, ttl.idToken, ttl.accessToken);
  if (keyRotationInterval <= retention * 1000) {
    fail(
      'KEY_ROTATION_INTERVAL',
      env.KEY_ROTATION_INTERVAL ?? '30d',
      `longer than the longest of SESSION_TTL, ID_TOKEN_TTL and ACCESS_TOKEN_TTL (${retention}s): retired keys stay published that long`,
    );
  }
  return { keyRotationInterval, jwksCacheLifetime, keySyncInterval };
}

function parseRsaModulusLength(env: Env): Config['rsaModulusLength'] {
  const raw = env.RSA_MODULUS_LENGTH?.trim() || '2048';
  if (raw === '2048' || raw === '3072' || raw === '4096') return Number(raw) as Config['rsaModulusLength'];
  return fail('RSA_MODULUS_LENGTH', raw, '2048, 3072 or 4096');
}

function parseLogLevel(env: Env, mode: Config['mode']): Config['logLevel'] {
  const raw = env.LOG_LEVEL?.trim() || (mode === 'test' ? 'silent' : 'info');
  if (['debug', 'info', 'warn', 'error', 'silent'].includes(raw)) return raw as Config['logLevel'];
  return fail('LOG_LEVEL', raw, 'debug, info, warn, error or silent');
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
  const mode = parseMode(env);
  const port = parsePort(env);
  const dataDir = resolve(cwd, 'data');
  const secrets = parseSecrets(env, mode, dataDir);
  const ttl = {
    session: duration(env, 'SESSION_TTL', '14d'),
    interaction: duration(env, 'INTERACTION_TTL', '1h'),
    authorizationCode: duration(env, 'AUTHORIZATION_CODE_TTL', '60s'),
    accessToken: duration(env, 'ACCESS_TOKEN_TTL', '1h'),
    idToken: duration(env, 'ID_TOKEN_TTL', '1h'),
    refreshToken: duration(env, 'REFRESH_TOKEN_TTL', '14d'),
    clientCredentials: duration(env, 'CLIENT_CREDENTIALS_TTL', '10m'),
  };
  return {
    mode,
    port,
    issuer: parseIssuer(env, port),
    database: parseDatabase(env, cwd),
    keyEncryptionSecrets: secrets.keyEncryptionSecrets,
    cookieKeys: secrets.cookieKeys,
    signingAlgs: parseSigningAlgs(env),
    rsaModulusLength: parseRsaModulusLength(env),
    ...parseKeySchedule(env, ttl),
    trustProxy: parseBoolean(env, 'TRUST_PROXY', false),
    shutdownTimeout: duration(env, 'SHUTDOWN_TIMEOUT', '10s') * 1000,
    allowPrivateNetworkRequests: parseBoolean(env, 'ALLOW_PRIVATE_NETWORK_REQUESTS', mode !== 'production'),
    ttl,
    logLevel: parseLogLevel(env, mode),
    warnings: secrets.warnings,
    ...(secrets.devSecretsFile ? { devSecretsFile: secrets.devSecretsFile } : {}),
  };
}
