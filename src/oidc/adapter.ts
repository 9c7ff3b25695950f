// oidc-provider's storage adapter: a thin translation onto the payload repository, except for
// clients, which live in our clients table: read here, and written here only by dynamic
// registration (RFC 7591/7592), through the client service and its rules.
// Semantics follow oidc-provider's example/my_adapter.js: expiresIn is in seconds, `find` gives
// a falsy value once a row expired or was destroyed, and a consumed row comes back with `consumed`.
// Ids that are bearer secrets never reach the table: every id oidc-provider presents is turned into
// its stored key, and its copies are taken out of the payload (db/payload-at-rest.ts).
import { errors, type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import type { OidcPayloadRepository, StoredPayload } from '../db/oidc-payload-repository.js';
import { concealPayload, isBearerSecret, revealPayload, storedKeyFor } from '../db/payload-at-rest.js';
import { interactionGrantIdOf, interactionSessionUidOf, type Payload } from '../db/provider-payloads.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';

export interface ClientSource {
  /** oidc-provider client metadata (client_secret included) or undefined when unknown. */
  findForProvider(clientId: string): Promise<Record<string, unknown> | undefined>;
  /** Stores a dynamically registered (or RFC 7592 updated) client; throws ValidationError. */
  saveRegistered(clientId: string, metadata: Record<string, unknown>): Promise<unknown>;
  /** Removes a client at its own request; the provider's registration event audits it. */
  deleteRegistered(clientId: string): Promise<unknown>;
}

export interface AdapterDeps {
  payloads: OidcPayloadRepository;
  clients: ClientSource;
}

/**
 * Models whose `grantId` means "issued under this grant" (the ones oidc-provider revokes through
 * `revokeByGrantId`). The Grant row itself is destroyed by oidc-provider when its revokeGrantPolicy
 * says so (not when an access token is revoked), so it is not tagged. An Interaction is tagged with
 * the grant it ends with or extends, only so that a find of its session brings that grant along;
 * the repository's revokeByGrantId leaves interactions alone.
 */
const GRANT_MEMBERS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** What a row's grantId column holds (GRANT_MEMBERS): the grant it was issued under, or the one an interaction ends with. */
function grantIdColumn(model: string, payload: AdapterPayload): string | null | undefined {
  if (GRANT_MEMBERS.has(model)) return payload.grantId;
  return model === 'Interaction' ? interactionGrantIdOf(payload) : null;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

class PayloadAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly payloads: OidcPayloadRepository,
  ) {}

  /** The row key for an id as oidc-provider presents it; never handed a stored key. */
  private keyFor(presentedId: string): string {
    return storedKeyFor(this.model, presentedId);
  }

  /** `presentedId`: the id the row was looked up by, or undefined when found by another column. */
  private toPayload(stored: StoredPayload | null, presentedId: string | undefined): AdapterPayload | undefined {
    if (!stored) return undefined;
    const payload = revealPayload(this.model, presentedId, JSON.parse(stored.payload) as Payload) as AdapterPayload;
    return stored.consumedAt ? { ...payload, consumed: epochSeconds(stored.consumedAt) } : payload;
  }

  async upsert(presentedId: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored = concealPayload(this.model, presentedId, payload as Payload);
    await this.payloads.upsert(this.model, this.keyFor(presentedId), JSON.stringify(stored), {
      grantId: grantIdColumn(this.model, payload),
      userCode: payload.userCode,
      // An Interaction has no uid of its own: its row carries its session's, so that the session
      // the provider looks up next (by that uid) comes along with the interaction in one read.
      uid: this.model === 'Interaction' ? interactionSessionUidOf(payload) : payload.uid,
      expiresAt: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null,
    });
  }

  async find(presentedId: string): Promise<AdapterPayload | undefined> {
    return this.toPayload(await this.payloads.find(this.model, this.keyFor(presentedId)), presentedId);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.toPayload(await this.payloads.findByUid(this.model, uid), undefined);
  }

  /**
   * Only the device flow looks rows up by user code, and it saves the device code it found back
   * under its id, which a hashed row no longer holds: it would fork the row instead. Sesame keeps
   * the device flow off; turning it on needs a way to recover that id first.
   */
  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (isBearerSecret(this.model)) {
      throw new Error(`${this.model} cannot be found by user code: its id is stored only as a digest`);
    }
    return this.toPayload(await this.payloads.findByUserCode(this.model, userCode), undefined);
  }

  /**
   * oidc-provider checks `consumed` after `find` and only then calls consume, so two parallel
   * redemptions both get here. The conditional update picks one winner; the other must not go on
   * to issue tokens, so it fails the way a second redemption would.
   */
  async consume(presentedId: string): Promise<void> {
    if (await this.payloads.consume(this.model, this.keyFor(presentedId))) return;
    if (this.model === 'PushedAuthorizationRequest') {
      throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
    }
    throw new errors.InvalidGrant(`${this.model} already consumed`);
  }

  async destroy(presentedId: string): Promise<void> {
    await this.payloads.destroy(this.model, this.keyFor(presentedId));
  }

  /** Grant ids are kept as they are (not bearer secrets), in rows and in the grantId column. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.payloads.revokeByGrantId(grantId);
  }
}

/**
 * Clients as the provider sees them. Writes come from the registration endpoint only (the CLI and
 * the admin API use the client service directly) and go through the client service's rules; a
 * refusal is invalid_client_metadata with the rule's message.
 */
class ClientAdapter implements Adapter {
  constructor(private readonly clients: ClientSource) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    return (await this.clients.findForProvider(id)) as AdapterPayload | undefined;
  }

  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    try {
      await this.clients.saveRegistered(id, payload as Record<string, unknown>);
    } catch (error) {
      if (error instanceof ValidationError) throw new errors.InvalidClientMetadata(error.message);
      throw error;
    }
  }

  async destroy(id: string): Promise<void> {
    try {
      await this.clients.deleteRegistered(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  findByUid(): Promise<undefined> {
    return unsupported('findByUid');
  }
  findByUserCode(): Promise<undefined> {
    return unsupported('findByUserCode');
  }
  consume(): Promise<void> {
    return unsupported('consume');
  }
  revokeByGrantId(): Promise<void> {
    return unsupported('revokeByGrantId');
  }
}

function unsupported(operation: string): Promise<never> {
  return Promise.reject(new Error(`Client ${operation} is not supported: clients are not tokens`));
}

/** The class to pass as oidc-provider's `adapter` option; the provider builds one per model name. */
export function createAdapter(deps: AdapterDeps): AdapterConstructor {
  return class SesameAdapter implements Adapter {
    readonly #store: Adapter;

    constructor(name: string) {
      this.#store = name === 'Client' ? new ClientAdapter(deps.clients) : new PayloadAdapter(name, deps.payloads);
    }

    upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      return this.#store.upsert(id, payload, expiresIn);
    }
    find(id: string) {
      return this.#store.find(id);
    }
    findByUid(uid: string) {
      return this.#store.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      return this.#store.findByUserCode(userCode);
    }
    consume(id: string) {
      return this.#store.consume(id);
    }
    destroy(id: string) {
      return this.#store.destroy(id);
    }
    revokeByGrantId(grantId: string) {
      return this.#store.revokeByGrantId(grantId);
    }
  };
}
