import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/domain/crypto/secret-box.js';

const OLD = 'old-secret-old-secret-old-secret-old';
const NEW = 'new-secret-new-secret-new-secret-new';

describe('SecretBox', () => {
  it('round-trips and does not contain the plaintext', async () => {
    const box = new SecretBox([NEW]);
    const sealed = await box.seal('the client secret', 'client-secret:abc');
    expect(sealed).not.toContain('the client secret');
    expect(Buffer.from(sealed.split('.')[3]!, 'base64url').toString()).not.toContain('client secret');
    expect(await box.open(sealed, 'client-secret:abc')).toBe('the client secret');
  });

  it('refuses a value sealed for another row or purpose', async () => {
    const box = new SecretBox([NEW]);
    const sealed = await box.seal('s', 'client-secret:abc');
    await expect(box.open(sealed, 'client-secret:other')).rejects.toThrow();
    await expect(box.open(sealed, 'signing-key:abc')).rejects.toThrow();
  });

  it('cannot be opened with a different secret', async () => {
    const sealed = await new SecretBox([OLD]).seal('s', 'p');
    await expect(new SecretBox([NEW]).open(sealed, 'p')).rejects.toThrow(/no longer configured/);
  });

  it('opens values sealed by an older secret and reports them as stale', async () => {
    const sealed = await new SecretBox([OLD]).seal('s', 'p');
    const rotated = new SecretBox([NEW, OLD]);
    expect(await rotated.open(sealed, 'p')).toBe('s');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(await rotated.seal('s', 'p'))).toBe(false);
  });

  it('detects tampering', async () => {
    const box = new SecretBox([NEW]);
    const parts = (await box.seal('secret', 'p')).split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    parts[3] = ciphertext.toString('base64url');
    await expect(box.open(parts.join('.'), 'p')).rejects.toThrow();
  });
});
