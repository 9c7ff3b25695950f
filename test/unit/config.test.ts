import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from '../../src/config.js';

const SECRETS = { KEY_ENCRYPTION_SECRET: 'k'.repeat(32), COOKIE_KEYS: 'c'.repeat(32) };
/** Generated (crypto.randomBytes(32).toString('base64url')), as production needs them. */
const REAL = {
  KEY_ENCRYPTION_SECRET: 'egpjm6ga7hxH5JF_u__kG-sfd32HBsQ_ceJqzY2OOow',
  COOKIE_KEYS: 'syBHTANShaMNzX9X0ptTNaZOlEB6uek6O-5vu6wd0tg,N0zTlR-unZ58TQKFhgCUrWgWsbm8jNMQ-Zoefx49jic',
};
const PRODUCTION = { NODE_ENV: 'production', ISSUER: 'https://id.example.com', ...REAL };
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function tempDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'sesame-config-'));
  return dir;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { cwd: tempDir() });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function errorOf(env: Record<string, string>): string {
  const problems = problemsOf({ NODE_ENV: 'test', ...SECRETS, ...env });
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ NODE_ENV: 'test', ...SECRETS }, { cwd: tempDir() });
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.database).toEqual({ provider: 'sqlite', url: 'file:./data/sesame.db', file: join(dir!, 'data/sesame.db') });
    expect(config.signingAlgs).toEqual(['RS256']);
    expect(config.keyRotationInterval).toBe(30 * 86400 * 1000);
    expect(config.trustProxy).toEqual({ kind: 'none' });
    expect(config.throttle).toEqual({
      loginMaxFailures: 5,
      loginMaxFailuresPerAddress: 20,
      clientMaxFailures: 10,
      tokenMaxFailuresPerAddress: 30,
      lockout: 60_000,
      lockoutMax: 900_000,
      failureReset: 3_600_000,
    });
    expect(config.passwordHashConcurrency).toBe(2);
    expect(config.metricsToken).toBeUndefined();
    expect(config.shutdownTimeout).toBe(10_000);
    expect(config.ttl.session).toBe(14 * 86400);
    expect(config.ttl.sessionMaxAge).toBe(21 * 86400);
    expect(config.logFormat).toBe('json');
    expect(config.refreshTokenReuseInterval).toBe(5);
  });

  it('takes REFRESH_TOKEN_REUSE_INTERVAL from 0s (no grace) to a minute', () => {
    const cwd = tempDir();
    const interval = (value: string) => loadConfig({ NODE_ENV: 'test', ...SECRETS, REFRESH_TOKEN_REUSE_INTERVAL: value }, { cwd }).refreshTokenReuseInterval;
    expect(interval('0')).toBe(0);
    expect(interval('0s')).toBe(0);
    expect(interval('30s')).toBe(30);
    expect(interval('1m')).toBe(60);
  });

  it('bounds sessions absolutely: SESSION_MAX_AGE at least SESSION_TTL, shorter than KEY_ROTATION_INTERVAL', () => {
    const cwd = tempDir();
    const ttlOf = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...SECRETS, ...env }, { cwd }).ttl;
    expect(ttlOf({ SESSION_TTL: '2s', SESSION_MAX_AGE: '4s' })).toMatchObject({ session: 2, sessionMaxAge: 4 });
    expect(ttlOf({ SESSION_TTL: '1d', SESSION_MAX_AGE: '1d' })).toMatchObject({ session: 86400, sessionMaxAge: 86400 });
    // Unset, it is never shorter than SESSION_TTL: a configuration that never named it still starts.
    expect(ttlOf({ SESSION_TTL: '25d' })).toMatchObject({ session: 25 * 86400, sessionMaxAge: 25 * 86400 });
    // A short rotation needs a short absolute session lifetime (retired keys stay published that long).
    const short = loadConfig({ NODE_ENV: 'test', ...SECRETS, KEY_ROTATION_INTERVAL: '1d', SESSION_TTL: '1h', SESSION_MAX_AGE: '12h' }, { cwd });
    expect(short.keyRotationInterval).toBe(86400 * 1000);
  });

  it('parses durations in s, m, h and d', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('12h')).toBe(43200);
    expect(parseDuration('30d')).toBe(2592000);
    for (const bad of ['', '0d', '-1h', '1w', '1.5h', 'h']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('names the variable, the value and what is accepted in one line', () => {
    for (const [env, expected] of [
      [{ PORT: 'eighty' }, 'PORT="eighty" is invalid: a whole number from 0 to 65535'],
      [{ KEY_ROTATION_INTERVAL: '1 week' }, 'KEY_ROTATION_INTERVAL="1 week" is invalid: a positive duration'],
      [{ SIGNING_ALGS: 'RS256,HS256' }, 'SIGNING_ALGS="RS256,HS256" is invalid: a comma-separated list from RS256, PS256, ES256, EdDSA'],
      [{ SIGNING_ALGS: 'RS256,RS256' }, 'SIGNING_ALGS="RS256,RS256" is invalid'],
      [{ ISSUER: 'http://id.example.com' }, 'ISSUER="http://id.example.com" is invalid: an https URL'],
      [{ ISSUER: 'https://id.example.com/?a=b' }, 'without query or fragment'],
      [{ DATABASE_URL: 'mysql://u:hunter2@db/x' }, 'DATABASE_URL="mysql:..." is invalid'],
      [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY="maybe" is invalid: false, true, a number of proxy hops'],
      [{ TRUST_PROXY: '11' }, 'TRUST_PROXY="11" is invalid'],
      [{ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES="0" is invalid: a whole number from 1'],
      [{ LOCKOUT: '10m', LOCKOUT_MAX: '5m' }, 'LOCKOUT_MAX="5m" is invalid: at least LOCKOUT (600s)'],
      [{ PASSWORD_HASH_CONCURRENCY: '100' }, 'PASSWORD_HASH_CONCURRENCY="100" is invalid: a whole number from 1 to 64'],
      [{ METRICS_TOKEN: 'short hunter2' }, 'METRICS_TOKEN is invalid: 16 or more printable characters'],
      [{ KEY_ROTATION_INTERVAL: '5m' }, 'KEY_ROTATION_INTERVAL="5m" is invalid: longer than JWKS_CACHE_LIFETIME (900s)'],
      [
        { KEY_ROTATION_INTERVAL: '7d' },
        'KEY_ROTATION_INTERVAL="7d" is invalid: longer than the longest of SESSION_MAX_AGE, ID_TOKEN_TTL and ACCESS_TOKEN_TTL plus KEY_SYNC_INTERVAL (1814405s)',
      ],
      [{ SESSION_MAX_AGE: '7d' }, 'SESSION_MAX_AGE="7d" is invalid: at least SESSION_TTL (1209600s)'],
      [{ SESSION_TTL: '2h', SESSION_MAX_AGE: '1h' }, 'SESSION_MAX_AGE="1h" is invalid: at least SESSION_TTL (7200s)'],
      [{ SESSION_MAX_AGE: '30d' }, 'KEY_ROTATION_INTERVAL="30d" is invalid: longer than the longest of SESSION_MAX_AGE'],
      [{ KEY_SYNC_INTERVAL: '15m' }, 'KEY_SYNC_INTERVAL="15m" is invalid: shorter than JWKS_CACHE_LIFETIME'],
      [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT="text" is invalid: json or pretty'],
      [{ REFRESH_TOKEN_REUSE_INTERVAL: '2m' }, 'REFRESH_TOKEN_REUSE_INTERVAL="2m" is invalid: a duration from 0s to 60s'],
      [{ REFRESH_TOKEN_REUSE_INTERVAL: '-1s' }, 'REFRESH_TOKEN_REUSE_INTERVAL="-1s" is invalid: a duration from 0s to 60s'],
    ] as const) {
      const message = errorOf(env as Record<string, string>);
      expect(message).toContain(expected);
      expect(message).not.toContain('\n');
      expect(message).not.toContain('hunter2');
    }
  });

  it('accepts https issuers and http only on loopback, without a trailing slash', () => {
    const cwd = tempDir();
    expect(loadConfig({ NODE_ENV: 'test', ...SECRETS, ISSUER: 'https://id.example.com/' }, { cwd }).issuer).toBe('https://id.example.com');
    expect(loadConfig({ NODE_ENV: 'test', ...SECRETS, ISSUER: 'http://127.0.0.1:4000' }, { cwd }).issuer).toBe('http://127.0.0.1:4000');
  });

  it('refuses to start in production without secrets, and never echoes a secret', () => {
    expect(problemsOf({ ...PRODUCTION, KEY_ENCRYPTION_SECRET: '' })).toEqual([
      expect.stringMatching(/^KEY_ENCRYPTION_SECRET is invalid: required when NODE_ENV=production/),
    ]);
    expect(problemsOf({ ...PRODUCTION, COOKIE_KEYS: '' })).toEqual([expect.stringMatching(/^COOKIE_KEYS is invalid: required/)]);
    const short = errorOf({ KEY_ENCRYPTION_SECRET: 'too-short-secret' });
    expect(short).toContain('32 or more characters');
    expect(short).not.toContain('too-short-secret');
  });

  it('in production: accepts generated secrets with an issuer, and needs the issuer', () => {
    const config = loadConfig(PRODUCTION, { cwd: tempDir() });
    expect(config.issuer).toBe('https://id.example.com');
    expect(config.cookieKeys).toHaveLength(2);
    const { ISSUER: _issuer, ...noIssuer } = PRODUCTION;
    expect(problemsOf(noIssuer)).toEqual(['ISSUER is invalid: required when NODE_ENV=production (the https URL RPs use, such as https://id.example.com)']);
  });

  it('in production: refuses secrets that do not look random, naming the variable and never the value', () => {
    for (const [env, expected] of [
      [
        { KEY_ENCRYPTION_SECRET: 'changeme-changeme-changeme-changeme' },
        'KEY_ENCRYPTION_SECRET is invalid: the value does not look random (contains a placeholder or common word',
      ],
      [{ KEY_ENCRYPTION_SECRET: 'my-production-secret-for-sesame-2025' }, 'KEY_ENCRYPTION_SECRET is invalid: the value does not look random'],
      [
        { KEY_ENCRYPTION_SECRET: 'x'.repeat(40) },
        'KEY_ENCRYPTION_SECRET is invalid: the value does not look random (contains a placeholder or common word; has fewer than 10 different characters; repeats one character',
      ],
      [
        { COOKIE_KEYS: `${REAL.COOKIE_KEYS.split(',')[0]},${'0123456789'.repeat(4)}` },
        'COOKIE_KEYS is invalid: key 2 of 2 does not look random (has a run like abcdefg or 1234567); generate one with: openssl rand -base64 32',
      ],
      [{ COOKIE_KEYS: 'test-cookie-key-0123456789abcdef0123456789' }, 'COOKIE_KEYS is invalid: the key does not look random'],
      [{ COOKIE_KEYS: REAL.KEY_ENCRYPTION_SECRET }, 'COOKIE_KEYS is invalid: a key is also a KEY_ENCRYPTION_SECRET value'],
    ] as const) {
      const problems = problemsOf({ ...PRODUCTION, ...env });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(expected);
      if (!problems[0]!.includes('also')) expect(problems[0]).toContain('; generate one with: openssl rand -base64 32');
      for (const value of Object.values(env)) for (const part of value.split(',')) expect(problems[0]).not.toContain(part.slice(0, 8));
    }
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      PORT: 'eighty',
      KEY_ENCRYPTION_SECRET: 'changeme',
      COOKIE_KEYS: 'changeme',
      SIGNING_ALGS: 'HS256',
      SHUTDOWN_TIMEOUT: 'soon',
    });
    expect(problems).toEqual([
      'PORT="eighty" is invalid: a whole number from 0 to 65535',
      'KEY_ENCRYPTION_SECRET is invalid: each comma-separated value needs 32 or more characters',
      expect.stringMatching(
        /^KEY_ENCRYPTION_SECRET is invalid: the value does not look random \(contains a placeholder or common word; has fewer than 10 different characters\); generate one with/,
      ),
      'COOKIE_KEYS is invalid: each comma-separated key needs 32 or more characters',
      expect.stringMatching(/^COOKIE_KEYS is invalid: the key does not look random/),
      'COOKIE_KEYS is invalid: a key is also a KEY_ENCRYPTION_SECRET value; use a different secret for each',
      'ISSUER is invalid: required when NODE_ENV=production (the https URL RPs use, such as https://id.example.com)',
      expect.stringMatching(/^SIGNING_ALGS="HS256" is invalid/),
      'SHUTDOWN_TIMEOUT="soon" is invalid: a positive duration such as 90s, 15m, 12h or 30d',
    ]);
    for (const line of problems) {
      expect(line).not.toContain('\n');
      expect(line).not.toContain('changeme');
    }
  });

  it('generates development secrets once, keeps them in data/, and warns', () => {
    const cwd = tempDir();
    const first = loadConfig({ NODE_ENV: 'development' }, { cwd });
    expect(first.warnings.join('\n')).toMatch(/KEY_ENCRYPTION_SECRET is not set: generated a development secret/);
    expect(first.devSecretsFile).toBe(join(cwd, 'data/dev-secrets.json'));
    const stored = JSON.parse(readFileSync(join(cwd, 'data/dev-secrets.json'), 'utf8'));
    expect(first.keyEncryptionSecrets).toEqual([stored.keyEncryptionSecret]);
    const second = loadConfig({ NODE_ENV: 'development' }, { cwd });
    expect(second.keyEncryptionSecrets).toEqual(first.keyEncryptionSecrets);
    expect(second.cookieKeys).toEqual(first.cookieKeys);
    expect(second.warnings).toEqual([]); // said once, when generated
  });

  it('splits comma-separated secrets: the first is current, the rest still accepted', () => {
    const config = loadConfig(
      { NODE_ENV: 'test', KEY_ENCRYPTION_SECRET: `${'n'.repeat(32)}, ${'o'.repeat(32)}`, COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(32)}` },
      { cwd: tempDir() },
    );
    expect(config.keyEncryptionSecrets).toEqual(['n'.repeat(32), 'o'.repeat(32)]);
    expect(config.cookieKeys).toHaveLength(2);
  });
});

describe('TRUST_PROXY', () => {
  const trust = (value: string) => loadConfig({ NODE_ENV: 'test', ...SECRETS, TRUST_PROXY: value }, { cwd: tempDir() }).trustProxy;

  it('takes false, true (one proxy), a number of hops, or proxy addresses and networks', () => {
    expect(trust('false')).toEqual({ kind: 'none' });
    expect(trust('0')).toEqual({ kind: 'none' });
    expect(trust('true')).toEqual({ kind: 'hops', hops: 1 });
    expect(trust('2')).toEqual({ kind: 'hops', hops: 2 });
    expect(trust('10.0.0.0/8, loopback,192.168.1.7')).toEqual({ kind: 'addresses', addresses: ['10.0.0.0/8', 'loopback', '192.168.1.7'] });
  });
});

describe('mail and sign-up settings', () => {
  it('sends through SMTP_URL, writes to the outbox in development without it, and is off in production without it', () => {
    const smtp = loadConfig({ NODE_ENV: 'test', ...SECRETS, SMTP_URL: 'smtps://me:pw@mail.example.com:465' }, { cwd: tempDir() });
    expect(smtp.mail.transport).toEqual({ kind: 'smtp', url: 'smtps://me:pw@mail.example.com:465' });
    const cwd = tempDir();
    expect(loadConfig({ NODE_ENV: 'development', ...SECRETS }, { cwd }).mail.transport).toEqual({ kind: 'outbox', dir: join(cwd, 'data', 'outbox') });
    expect(loadConfig(PRODUCTION, { cwd: tempDir() }).mail.transport).toEqual({ kind: 'off' });
  });

  it('refuses an SMTP_URL that is not smtp or smtps without printing it (it holds a password)', () => {
    const message = errorOf({ SMTP_URL: 'http://user:hunter2-secret@mail.example.com' });
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('hunter2');
    expect(errorOf({ SMTP_URL: 'not a url hunter2' })).not.toContain('hunter2');
  });

  it('defaults MAIL_FROM to no-reply at the issuer host and refuses header injection', () => {
    expect(loadConfig({ ...PRODUCTION }, { cwd: tempDir() }).mail.from).toBe('Sesame <no-reply@id.example.com>');
    expect(loadConfig({ NODE_ENV: 'test', ...SECRETS, MAIL_FROM: 'Acme IT <it@acme.test>' }, { cwd: tempDir() }).mail.from).toBe('Acme IT <it@acme.test>');
    expect(errorOf({ MAIL_FROM: 'Acme <it@acme.test>\r\nBcc: victim@example.com' })).toContain('MAIL_FROM');
    expect(errorOf({ MAIL_FROM: 'nobody' })).toContain('MAIL_FROM');
  });

  it('keeps sign-up off by default and checks SIGNUP and SIGNUP_DOMAINS', () => {
    expect(loadConfig({ NODE_ENV: 'test', ...SECRETS }, { cwd: tempDir() }).signup).toEqual({ open: false, domains: [] });
    const open = loadConfig({ NODE_ENV: 'test', ...SECRETS, SIGNUP: 'open', SIGNUP_DOMAINS: 'Example.com, @example.org' }, { cwd: tempDir() });
    expect(open.signup).toEqual({ open: true, domains: ['example.com', 'example.org'] });
    expect(errorOf({ SIGNUP: 'yes' })).toContain('SIGNUP="yes" is invalid: off or open');
    expect(errorOf({ SIGNUP_DOMAINS: 'example' })).toContain('SIGNUP_DOMAINS');
  });

  it('reads MFA_POLICY: optional by default, required-for-admins or required; anything else stops start-up with one line', () => {
    const policyOf = (value?: string) =>
      loadConfig({ NODE_ENV: 'test', ...SECRETS, ...(value === undefined ? {} : { MFA_POLICY: value }) }, { cwd: tempDir() }).mfaPolicy;
    expect(policyOf()).toBe('optional');
    expect(policyOf('')).toBe('optional');
    expect(policyOf('required-for-admins')).toBe('required-for-admins');
    expect(policyOf(' Required ')).toBe('required');
    const message = errorOf({ MFA_POLICY: 'admins' });
    expect(message).toBe('MFA_POLICY="admins" is invalid: optional, required-for-admins or required');
  });
  it('reads KEY_EVENTS_WEBHOOK_URL as http(s) URLs, each once, and never prints one with credentials', () => {
    const keyEventsOf = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', ...SECRETS, ...env }, { cwd: tempDir() }).keyEvents;
    expect(keyEventsOf()).toEqual({
      receivers: [],
      retryDelays: [5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000, 86_400_000],
      timeout: 10_000,
    });
    expect(keyEventsOf({ KEY_EVENTS_WEBHOOK_URL: ' https://hooks.example.com/keys?t=1 , http://localhost:9000/events ' }).receivers).toEqual([
      'https://hooks.example.com/keys?t=1',
      'http://localhost:9000/events',
    ]);
    expect(keyEventsOf({ KEY_EVENTS_RETRY_DELAYS: '1s,2m', KEY_EVENTS_TIMEOUT: '3s' })).toMatchObject({ retryDelays: [1_000, 120_000], timeout: 3_000 });
    const accepted = 'comma-separated absolute http:// or https:// URLs, each once, without user:password@';
    expect(errorOf({ KEY_EVENTS_WEBHOOK_URL: 'ftp://hooks.example.com' })).toBe(`KEY_EVENTS_WEBHOOK_URL="ftp://hooks.example.com" is invalid: ${accepted}`);
    expect(errorOf({ KEY_EVENTS_WEBHOOK_URL: 'hooks.example.com/keys' })).toContain('KEY_EVENTS_WEBHOOK_URL="hooks.example.com/keys"');
    expect(errorOf({ KEY_EVENTS_WEBHOOK_URL: 'https://a.example/x,https://a.example/x' })).toContain('each once');
    const withPassword = errorOf({ KEY_EVENTS_WEBHOOK_URL: 'https://bot:hunter2-secret@hooks.example.com/keys' });
    expect(withPassword).toBe(`KEY_EVENTS_WEBHOOK_URL is invalid: ${accepted}`);
    expect(errorOf({ KEY_EVENTS_RETRY_DELAYS: '5s,soon' })).toContain('KEY_EVENTS_RETRY_DELAYS="5s,soon" is invalid');
    expect(errorOf({ KEY_EVENTS_TIMEOUT: '10m' })).toContain('KEY_EVENTS_TIMEOUT');
  });

  it('watches the JWKS: fetchers kept 7d, the activation gate off (1d at most when on), 600 /jwks requests a minute per address', () => {
    const watchOf = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', ...SECRETS, ...env }, { cwd: tempDir() }).jwksWatch;
    expect(watchOf()).toEqual({ fetcherRetention: 7 * 86400_000, activationGate: undefined, activationGateMaxDelay: 86400_000, rateLimit: 600 });
    expect(watchOf({ KEY_ACTIVATION_GATE: '0.95' }).activationGate).toBe(0.95);
    expect(watchOf({ KEY_ACTIVATION_GATE: '80%' }).activationGate).toBe(0.8);
    expect(watchOf({ KEY_ACTIVATION_GATE: '1' }).activationGate).toBe(1);
    expect(watchOf({ KEY_ACTIVATION_GATE: 'OFF' }).activationGate).toBeUndefined();
    expect(watchOf({ JWKS_RATE_LIMIT: '0' }).rateLimit).toBe(0);
    expect(watchOf({ JWKS_FETCHER_RETENTION: '2d', KEY_ACTIVATION_GATE_MAX_DELAY: '6h' })).toMatchObject({
      fetcherRetention: 2 * 86400_000,
      activationGateMaxDelay: 6 * 3600_000,
    });
    for (const bad of ['0', '1.5', '95', 'on', '-0.5']) {
      expect(errorOf({ KEY_ACTIVATION_GATE: bad })).toBe(
        `KEY_ACTIVATION_GATE="${bad}" is invalid: off, or a share above 0 and at most 1 such as 0.95 (or 95%)`,
      );
    }
    expect(errorOf({ JWKS_RATE_LIMIT: 'lots' })).toContain('JWKS_RATE_LIMIT="lots" is invalid: requests per minute');
    expect(errorOf({ JWKS_FETCHER_RETENTION: 'forever' })).toContain('JWKS_FETCHER_RETENTION="forever" is invalid');
    expect(errorOf({ KEY_ACTIVATION_GATE_MAX_DELAY: '0s' })).toContain('KEY_ACTIVATION_GATE_MAX_DELAY="0s" is invalid');
  });
});

describe('KEY_STORE and the PKCS#11 settings', () => {
  // Any existing file stands in for the module here: whether it loads is checked when the store opens.
  const MODULE = process.execPath;
  const PKCS11 = { KEY_STORE: 'pkcs11', PKCS11_MODULE: MODULE, PKCS11_TOKEN_LABEL: 'sesame', PKCS11_PIN: 'pin-4711-secret' };
  const storeOf = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...SECRETS, ...env }, { cwd: tempDir() }).keyStore;
  const problems = (env: Record<string, string>) => problemsOf({ NODE_ENV: 'test', ...SECRETS, ...env });
  const files = mkdtempSync(join(tmpdir(), 'sesame-pin-'));
  afterAll(() => rmSync(files, { recursive: true, force: true }));

  it('keeps keys in the database by default', () => {
    expect(storeOf({})).toEqual({ kind: 'database' });
    expect(storeOf({ KEY_STORE: ' Database ' })).toEqual({ kind: 'database' });
  });

  it('takes the module, the token label and the PIN from the environment or from the first line of a file', () => {
    expect(storeOf(PKCS11)).toEqual({ kind: 'pkcs11', module: MODULE, tokenLabel: 'sesame', pin: 'pin-4711-secret' });
    const file = join(files, 'pin');
    writeFileSync(file, 'from-a-file-0815\nignored\n');
    const { PKCS11_PIN: _, ...withoutPin } = PKCS11;
    expect(storeOf({ ...withoutPin, PKCS11_PIN_FILE: file })).toMatchObject({ kind: 'pkcs11', pin: 'from-a-file-0815' });
  });

  it('names each problem on its own line and never prints the PIN', () => {
    expect(problems({ KEY_STORE: 'vault' })).toEqual(['KEY_STORE="vault" is invalid: database or pkcs11']);
    expect(problems({ KEY_STORE: 'pkcs11' })).toEqual([
      'PKCS11_MODULE is invalid: required when KEY_STORE=pkcs11 (the path of the PKCS#11 library, such as /usr/lib/softhsm/libsofthsm2.so)',
      'PKCS11_TOKEN_LABEL is invalid: required when KEY_STORE=pkcs11 (the label the token was initialised with)',
      "PKCS11_PIN is invalid: required when KEY_STORE=pkcs11: the token's user PIN, in PKCS11_PIN or in a file named by PKCS11_PIN_FILE",
    ]);
    expect(problems({ ...PKCS11, PKCS11_MODULE: '/nowhere/libpkcs11.so', PKCS11_TOKEN_LABEL: 'x'.repeat(33) })).toEqual([
      'PKCS11_MODULE="/nowhere/libpkcs11.so" is invalid: the absolute path of an existing PKCS#11 library (.so)',
      `PKCS11_TOKEN_LABEL="${'x'.repeat(33)}" is invalid: at most 32 bytes (a PKCS#11 token label)`,
    ]);
    const both = problems({ ...PKCS11, PKCS11_PIN_FILE: '/nowhere/pin' });
    expect(both).toEqual(['PKCS11_PIN is invalid: set PKCS11_PIN or PKCS11_PIN_FILE, not both']);
    const { PKCS11_PIN: _, ...withoutPin } = PKCS11;
    expect(problems({ ...withoutPin, PKCS11_PIN_FILE: '/nowhere/pin' })).toEqual(['PKCS11_PIN_FILE="/nowhere/pin" is invalid: cannot read it (ENOENT)']);
    const empty = join(files, 'empty');
    writeFileSync(empty, '\n');
    expect(problems({ ...withoutPin, PKCS11_PIN_FILE: empty })[0]).toMatch(/^PKCS11_PIN_FILE=".*" is invalid: the file is empty/);
    for (const line of [...both, ...problems({ ...PKCS11, SIGNING_ALGS: 'EdDSA' })]) expect(line).not.toContain(PKCS11.PKCS11_PIN);
  });

  it('refuses algorithms the PKCS#11 store cannot make, and PKCS11_* settings that KEY_STORE=database would ignore', () => {
    expect(problems({ ...PKCS11, SIGNING_ALGS: 'ES256,EdDSA' })).toEqual([
      'SIGNING_ALGS="ES256,EdDSA" is invalid with KEY_STORE=pkcs11: RS256, PS256, ES256 only (not EdDSA)',
    ]);
    expect(storeOf({ ...PKCS11, SIGNING_ALGS: 'RS256,PS256,ES256' }).kind).toBe('pkcs11');
    expect(problems({ PKCS11_MODULE: MODULE, PKCS11_PIN: 'pin-4711-secret' })).toEqual([
      'KEY_STORE="database" is invalid: PKCS11_MODULE, PKCS11_PIN are set; set KEY_STORE=pkcs11, or unset them',
    ]);
  });
});

describe('ENCRYPTION_ALGS and REQUEST_OBJECT_LIFETIME', () => {
  it('are empty and 10 minutes by default, and take the listed algorithms', () => {
    const base = { NODE_ENV: 'test', ...SECRETS };
    expect(loadConfig(base, { cwd: tempDir() })).toMatchObject({ encryptionAlgs: [], requestObjectLifetime: 600_000 });
    expect(loadConfig({ ...base, ENCRYPTION_ALGS: ' ECDH-ES , RSA-OAEP-256 ', REQUEST_OBJECT_LIFETIME: '5m' }, { cwd: tempDir() })).toMatchObject({
      encryptionAlgs: ['ECDH-ES', 'RSA-OAEP-256'],
      requestObjectLifetime: 300_000,
    });
  });

  it('refuse what they cannot do in one line, and a rotation sooner than a retired encryption key may go', () => {
    expect(errorOf({ ENCRYPTION_ALGS: 'RSA-OAEP' })).toBe(
      'ENCRYPTION_ALGS="RSA-OAEP" is invalid: empty, or a comma-separated list from RSA-OAEP-256, ECDH-ES, each at most once',
    );
    expect(errorOf({ ENCRYPTION_ALGS: 'ECDH-ES,ECDH-ES' })).toMatch(/^ENCRYPTION_ALGS="ECDH-ES,ECDH-ES" is invalid/);
    expect(errorOf({ REQUEST_OBJECT_LIFETIME: 'forever' })).toMatch(/^REQUEST_OBJECT_LIFETIME="forever" is invalid: a positive duration/);
    // Signing keys' own retention allows 1h here; the encryption keys' (15m + 50m + 5s) does not.
    const short = { SESSION_TTL: '10m', SESSION_MAX_AGE: '10m', ID_TOKEN_TTL: '10m', ACCESS_TOKEN_TTL: '10m', KEY_ROTATION_INTERVAL: '1h' };
    expect(loadConfig({ NODE_ENV: 'test', ...SECRETS, ...short, ENCRYPTION_ALGS: 'ECDH-ES' }, { cwd: tempDir() }).keyRotationInterval).toBe(3_600_000);
    expect(errorOf({ ...short, ENCRYPTION_ALGS: 'ECDH-ES', REQUEST_OBJECT_LIFETIME: '50m' })).toBe(
      'KEY_ROTATION_INTERVAL="1h" is invalid: longer than JWKS_CACHE_LIFETIME plus REQUEST_OBJECT_LIFETIME plus KEY_SYNC_INTERVAL (3905s): retired encryption keys stay published that long',
    );
  });
});
