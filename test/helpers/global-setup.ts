// Says in one line each what this run skips; in CI nothing may be skipped.
import { TEST_DATABASE_URL, IN_CI } from './environment.js';

export default function setup(): void {
  if (!TEST_DATABASE_URL) {
    if (IN_CI) throw new Error('CI must run the PostgreSQL tests: set TEST_DATABASE_URL');
    console.log('skipping PostgreSQL tests: TEST_DATABASE_URL is not set');
  }
}
