// What an administrator may fix instead of letting Sesame generate it (declarative configuration,
// `sesame apply`): a client's id, readable and stable across databases, and its secret, held in
// the deployment's secret store. A given secret must be as hard to guess as a generated one could
// reasonably be checked to be: the rules of the deployment's own secrets (src/secret-strength.ts).
import { secretWeaknesses } from '../../secret-strength.js';
import { ValidationError } from '../errors.js';
import { CONSOLE_CLIENT_ID } from './reserved.js';

/** As long as KEY_ENCRYPTION_SECRET must be: 32 characters are 256 bits of HMAC key (client_secret_jwt, HS256). */
export const MIN_GIVEN_SECRET_LENGTH = 32;
// The characters of generated ids (base64url) and a few more: an exported id must apply again.
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,100}$/;

export function checkClientId(id: string): void {
  if (!CLIENT_ID.test(id)) {
    throw new ValidationError('client_id must be 1 to 100 letters, digits and . _ ~ -, e.g. grafana or app.example', 'client_id');
  }
  if (id === CONSOLE_CLIENT_ID) throw new ValidationError(`client_id ${CONSOLE_CLIENT_ID} is reserved for Sesame's admin console`, 'client_id');
}

/** The secret itself is never quoted: the reasons name what is wrong with it. */
export function checkGivenSecret(secret: string): void {
  if (secret.length < MIN_GIVEN_SECRET_LENGTH) {
    throw new ValidationError(
      `the client secret needs ${MIN_GIVEN_SECRET_LENGTH} or more characters; generate one with: openssl rand -base64 32`,
      'client_secret',
    );
  }
  const weaknesses = secretWeaknesses(secret);
  if (weaknesses.length > 0) {
    throw new ValidationError(`the client secret does not look random (${weaknesses.join('; ')}); generate one with: openssl rand -base64 32`, 'client_secret');
  }
}
