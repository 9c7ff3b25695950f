// Whether a configured secret looks random, for the production checks in config.ts.
//
// Length alone lets through "changeme-changeme-changeme-changeme" and 32 x's. These rules catch
// what people type instead of generating a secret, and are loose enough that a generated one
// practically never trips them: for 64 hex characters (`openssl rand -hex 32`) the chance is
// about 1 in 10,000, for base64 far less (see test/unit/secret-strength.test.ts).
// The reasons never quote the secret.

/** Words that mark a value someone typed or copied from an example. */
const PLACEHOLDERS = [
  'changeme',
  'changethis',
  'replaceme',
  'secret',
  'password',
  'passwd',
  'example',
  'sample',
  'placeholder',
  'default',
  'dummy',
  'insecure',
  'letmein',
  'qwerty',
  'test',
  'xxxx',
];

const MIN_DISTINCT = 10;
const MAX_SAME_RUN = 5;
const MAX_SEQUENCE = 6;

function longestSameRun(value: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    run = i > 0 && value[i] === value[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** Longest run of characters whose codes go up or down by one each (abcdef, 654321). */
function longestSequence(value: string): number {
  let longest = Math.min(value.length, 1);
  for (const step of [1, -1]) {
    let run = 1;
    for (let i = 1; i < value.length; i++) {
      run = value.charCodeAt(i) - value.charCodeAt(i - 1) === step ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
  }
  return longest;
}

/** A short unit over and over (abababab, 1234512345123451): 2 characters 4 times, longer ones 3. */
function repeatsAUnit(value: string): boolean {
  for (let unit = 2; unit <= 8; unit++) {
    const times = unit === 2 ? 4 : 3;
    if (new RegExp(`(.{${unit}})\\1{${times - 1}}`, 's').test(value)) return true;
  }
  return false;
}

/** Why a secret does not look random; empty when it does. */
export function secretWeaknesses(value: string): string[] {
  const reasons: string[] = [];
  const letters = value.toLowerCase().replace(/[\s._-]/g, '');
  if (PLACEHOLDERS.some((word) => letters.includes(word))) reasons.push('contains a placeholder or common word');
  if (new Set(value).size < MIN_DISTINCT) reasons.push(`has fewer than ${MIN_DISTINCT} different characters`);
  if (longestSameRun(value) > MAX_SAME_RUN) reasons.push(`repeats one character more than ${MAX_SAME_RUN} times in a row`);
  if (longestSequence(value) > MAX_SEQUENCE) reasons.push(`has a run like abcdefg or 1234567`);
  if (repeatsAUnit(value)) reasons.push('repeats a short pattern');
  return reasons;
}
