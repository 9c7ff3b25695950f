// What the test environment offers. Only tests read these variables; CI sets them all.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
