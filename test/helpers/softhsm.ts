// SoftHSM2 from Debian's packages (apt-get install -y softhsm2; .ci/run installs it): a fresh
// token per test file, in a temporary directory of its own (SOFTHSM2_CONF names a configuration
// whose tokendir is there), initialised with softhsm2-util. Nothing from /etc/softhsm or
// /var/lib/softhsm is used or changed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODULE_CANDIDATES = [process.env.SOFTHSM2_MODULE, '/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'];
const UTIL = '/usr/bin/softhsm2-util';

/** The SoftHSM2 PKCS#11 module, when SoftHSM2 is installed. */
export const SOFTHSM_MODULE = existsSync(UTIL) ? MODULE_CANDIDATES.find((path): path is string => !!path && existsSync(path)) : undefined;

export interface SoftToken {
  label: string;
  pin: string;
  /** KEY_STORE=pkcs11 and the PKCS11_* variables for this token. */
  env: Record<string, string>;
  remove(): void;
}

/**
 * Initialises a new token. SOFTHSM2_CONF is set for this process (the module reads it when it is
 * initialised), so every token of one test file must share the directory: pass `dir` for a second one.
 */
export function createSoftToken(label = `sesame-${randomBytes(4).toString('hex')}`): SoftToken {
  if (!SOFTHSM_MODULE) throw new Error('SoftHSM2 is not installed (apt-get install -y softhsm2)');
  const dir = mkdtempSync(join(tmpdir(), 'sesame-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  const pin = randomBytes(6).toString('hex');
  execFileSync(UTIL, ['--init-token', '--free', '--label', label, '--so-pin', randomBytes(6).toString('hex'), '--pin', pin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'pipe',
  });
  return {
    label,
    pin,
    env: { KEY_STORE: 'pkcs11', PKCS11_MODULE: SOFTHSM_MODULE, PKCS11_TOKEN_LABEL: label, PKCS11_PIN: pin },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
