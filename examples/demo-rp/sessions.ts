// The demo app's own sessions: in memory, keyed by a random id in an httpOnly cookie. Each
// signed-in session is also indexed by the OP's `sid` and `sub`, so a back-channel logout token
// (which names one or both) finds the sessions it ends.
import { randomBytes } from 'node:crypto';

/** An authorization request in flight: what the callback must check. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  startedAt: number;
  /** Where to go after signing in: a path of this app. */
  returnTo: '/' | '/call-api';
}

export interface SignedInUser {
  sub: string;
  /** The OP's session id for this app (the ID token's `sid`), when the OP sends one. */
  sid?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  idToken: string;
  accessToken: string;
  /** Epoch milliseconds; absent when the OP did not say. */
  accessTokenExpiresAt?: number | undefined;
  refreshToken?: string | undefined;
  scope?: string | undefined;
  signedInAt: number;
}

export interface AppSession {
  readonly id: string;
  /** Sent back by every form this session posts (sign-out). */
  readonly csrf: string;
  readonly createdAt: number;
  lastSeenAt: number;
  pending?: PendingLogin | undefined;
  user?: SignedInUser | undefined;
}

export interface SessionStoreOptions {
  /** Idle lifetime in milliseconds (default 8 hours). */
  idleTtl?: number;
  /** Lifetime of a session nobody signed in to, e.g. an abandoned sign-in (default 15 minutes). */
  anonymousTtl?: number;
  now?: () => number;
}

const randomId = () => randomBytes(32).toString('base64url');

export class SessionStore {
  readonly #sessions = new Map<string, AppSession>();
  readonly #bySid = new Map<string, Set<string>>();
  readonly #bySub = new Map<string, Set<string>>();
  readonly #idleTtl: number;
  readonly #anonymousTtl: number;
  readonly #now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.#idleTtl = options.idleTtl ?? 8 * 60 * 60 * 1000;
    this.#anonymousTtl = options.anonymousTtl ?? 15 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  create(): AppSession {
    const now = this.#now();
    const session: AppSession = { id: randomId(), csrf: randomId(), createdAt: now, lastSeenAt: now };
    this.#sessions.set(session.id, session);
    this.#sweep();
    return session;
  }

  /** The live session for a cookie value, or undefined (unknown or idle too long). */
  get(id: string | undefined): AppSession | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (this.#expired(session, now)) {
      this.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  /**
   * Stores the signed-in user in a brand-new session (new id, new CSRF token) and drops the old
   * one, so an id planted before sign-in is worth nothing afterwards (session fixation).
   */
  signIn(previous: AppSession, user: SignedInUser): AppSession {
    this.delete(previous.id);
    const session = this.create();
    session.user = user;
    index(this.#bySub, user.sub, session.id);
    if (user.sid) index(this.#bySid, user.sid, session.id);
    return session;
  }

  /** Replaces the tokens of a signed-in session (after a refresh). */
  updateTokens(session: AppSession, tokens: Pick<SignedInUser, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken' | 'scope'>): void {
    if (session.user) Object.assign(session.user, tokens);
  }

  delete(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    if (session.user) {
      unindex(this.#bySub, session.user.sub, id);
      if (session.user.sid) unindex(this.#bySid, session.user.sid, id);
    }
  }

  /**
   * Ends the sessions a logout token names: with `sid`, the sessions of that OP session (and of
   * that `sub`, when given too); with only `sub`, every session of that person. Returns how many.
   */
  endByLogoutToken({ sid, sub }: { sid?: string | undefined; sub?: string | undefined }): number {
    const ids = sid ? this.#bySid.get(sid) : sub ? this.#bySub.get(sub) : undefined;
    let ended = 0;
    for (const id of [...(ids ?? [])]) {
      const user = this.#sessions.get(id)?.user;
      if (!user || (sub && user.sub !== sub)) continue;
      this.delete(id);
      ended++;
    }
    return ended;
  }

  #expired(session: AppSession, now: number): boolean {
    return now - session.lastSeenAt > (session.user ? this.#idleTtl : this.#anonymousTtl);
  }

  /** Drops idle sessions; cheap enough (a demo holds few) to run on every create. */
  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) {
      if (this.#expired(session, now)) this.delete(id);
    }
  }
}

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  let ids = map.get(key);
  if (!ids) map.set(key, (ids = new Set()));
  ids.add(id);
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}
