// Signing keys: created at start-up (never lazily on a request), sealed at rest, handed to the
// provider in signing order. Each algorithm family has at most one key per state; see PRODUCT.md.
import type { JWK } from 'jose';
import type { SigningAlg } from '../../config.js';
import type { SigningKeyRecord, SigningKeyRepository } from '../../db/signing-key-repository.js';
import type { Logger } from '../../logger.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { generateKeyMaterial } from './key-material.js';

export interface KeyView {
  kid: string;
  alg: string;
  state: string;
  created_at: string;
  published_at: string;
  activated_at: string | null;
  retired_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface KeyServiceOptions {
  algs: SigningAlg[];
  rsaModulusLength: number;
  log: Logger;
  now?: () => Date;
}

const keyPurpose = (kid: string) => `signing-key:${kid}`;
const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Active keys first: oidc-provider signs with the first key in the set that fits the alg. */
const SIGNING_ORDER: Record<string, number> = { active: 0, next: 1, retired: 2 };

function toView(key: SigningKeyRecord): KeyView {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    created_at: key.createdAt.toISOString(),
    published_at: key.publishedAt.toISOString(),
    activated_at: iso(key.activatedAt),
    retired_at: iso(key.retiredAt),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
  };
}

export function createKeyService(keys: SigningKeyRepository, box: SecretBox, options: KeyServiceOptions) {
  const now = options.now ?? (() => new Date());

  return {
    /**
     * Makes sure every configured algorithm has an active and a next key. On the very first start
     * no RP has cached anything yet, so the first key may sign at once.
     */
    async ensureKeys(): Promise<KeyView[]> {
      return keys.exclusive(async (repo) => {
        const existing = await repo.list();
        for (const alg of options.algs) {
          for (const state of ['active', 'next'] as const) {
            if (existing.some((k) => k.alg === alg && k.state === state)) continue;
            const material = await generateKeyMaterial(alg, options.rsaModulusLength);
            const at = now();
            await repo.create({
              kid: material.kid,
              alg,
              state,
              publicJwk: JSON.stringify(material.publicJwk),
              privateJwe: await box.seal(JSON.stringify(material.privateJwk), keyPurpose(material.kid)),
              publishedAt: at,
              activatedAt: state === 'active' ? at : null,
            });
            options.log.info('signing key created', { kid: material.kid, alg, state, reason: 'initial key set' });
          }
        }
        return (await repo.list()).map(toView);
      });
    },

    async list(): Promise<KeyView[]> {
      return (await keys.list()).map(toView);
    },

    /** The private JWKs of every published key, active first, for the provider's `jwks` option. */
    async signingJwks(): Promise<JWK[]> {
      const published = (await keys.listPublished())
        .filter((k) => k.privateJwe !== null)
        .sort((a, b) => SIGNING_ORDER[a.state]! - SIGNING_ORDER[b.state]!);
      return Promise.all(
        published.map(async (k) => JSON.parse(await box.open(k.privateJwe!, keyPurpose(k.kid))) as JWK),
      );
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
