// What the test environment offers. Only tests read these variables; CI sets them all.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
/** The fuzz test's seed: a number replays a run, `random` picks a new one (it is printed). */
export const FUZZ_SEED = process.env.FUZZ_SEED || undefined;
