// Says in one line each what this run skips; in CI nothing may be skipped.
import { MOD_AUTH_OPENIDC } from './apache.js';
import { CHROMIUM_PATH } from './chromium.js';
import { TEST_DATABASE_URL, IN_CI } from './environment.js';
import { SOFTHSM_MODULE } from './softhsm.js';

export default function setup(): void {
  if (!TEST_DATABASE_URL) {
    if (IN_CI) throw new Error('CI must run the PostgreSQL tests: set TEST_DATABASE_URL');
    console.log('skipping PostgreSQL tests: TEST_DATABASE_URL is not set');
  }
  if (!CHROMIUM_PATH) {
    if (IN_CI) throw new Error('CI must run the browser tests: apt-get install -y chromium');
    console.log('skipping browser tests: Chromium not found (apt-get install -y chromium)');
  }
  if (!MOD_AUTH_OPENIDC) {
    if (IN_CI) throw new Error('CI must run the Apache tests: apt-get install -y apache2 libapache2-mod-auth-openidc');
    console.log('skipping Apache mod_auth_openidc tests: not found (apt-get install -y apache2 libapache2-mod-auth-openidc)');
  }
  if (!SOFTHSM_MODULE) {
    if (IN_CI) throw new Error('CI must run the HSM (PKCS#11) tests: apt-get install -y softhsm2');
    console.log('skipping HSM (PKCS#11) tests: SoftHSM2 not found (apt-get install -y softhsm2)');
  }
}
