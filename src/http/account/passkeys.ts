// The account page's passkey routes: adding one (two steps: the options, then the browser's
// answer), renaming and removing. Every POST carries the page's CSRF token (the same middleware as
// the other account forms). The registration challenge's token lives in an HttpOnly cookie scoped
// to /account for the ceremony's few minutes; the challenge itself is bound to the person
// (passkeys.ts), so a token from another person's browser finds nothing.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Messages } from '../../../views/i18n/catalogue.js';
import type { PasskeysView } from '../../../views/account/passkeys.js';
import { CHALLENGE_LIFETIME_MS, checkPasskeyName, PasskeyError, type PasskeyService } from '../../domain/accounts/passkeys.js';
import type { User } from '../../domain/accounts/account-service.js';
import type { By } from '../../domain/audit/actions.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { messagesOf } from '../page-language.js';
import { setFlash, type Flash } from './session.js';

export const REGISTRATION_COOKIE = 'sesame.account.passkey';

// No `secure`: the cookie jar's default is Secure exactly when the issuer is https (request-origin.ts).
const cookieOptions = (maxAge?: number) => ({
  signed: true,
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/account',
  overwrite: true,
  ...(maxAge ? { maxAge } : {}),
});

/** What the account page shows of the person's passkeys, with an error or the typed name if any. */
export async function passkeysView(passkeys: PasskeyService, userId: string, extra: Omit<PasskeysView, 'items'> = {}): Promise<PasskeysView> {
  const items = (await passkeys.list(userId)).map((p) => ({
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    lastUsedAt: p.lastUsedAt,
    synced: p.deviceType === 'multiDevice',
  }));
  return { items, ...extra };
}

/** The notice after a passkey change, or undefined for other notices. */
export function passkeyNotice(t: Messages, flash: Flash | undefined): string | undefined {
  const name = flash?.name ?? '';
  switch (flash?.key) {
    case 'passkeyAdded':
      return t.passkeys.addedNotice(name);
    case 'passkeyRenamed':
      return t.passkeys.renamedNotice(name);
    case 'passkeyRemoved':
      return t.passkeys.removedNotice(name);
    default:
      return undefined;
  }
}

export interface PasskeyRouteDeps {
  passkeys: PasskeyService;
  /** The account page's POST middleware: headers, body, the signed-in person, CSRF. */
  post: Middleware[];
  person(ctx: Context): User;
  by(ctx: Context): By;
  field(ctx: Context, name: string): string;
  /** The page again, with the passkey section's error (and the name typed). */
  renderWith(ctx: Context, passkeys: Omit<PasskeysView, 'items'>, status: number): Promise<void>;
  seeOther(ctx: Context, location: string): void;
}

function refusal(t: Messages, error: unknown): string | undefined {
  if (error instanceof ValidationError) return t.passkeys.badName;
  if (error instanceof PasskeyError) return error.reason === 'too_many' ? t.passkeys.tooMany : t.passkeys.notAdded;
  return undefined;
}

export function addPasskeyRoutes(router: Router, deps: PasskeyRouteDeps): void {
  const { passkeys, post, person, by, field } = deps;

  // Step 1 (passkeys.js, fetch): the options for navigator.credentials.create, as JSON.
  router.post('/account/passkeys/options', ...post, async (ctx) => {
    const t = messagesOf(ctx);
    ctx.set('Cache-Control', 'no-store');
    try {
      // The name is checked now, before the person goes through the browser's dialog for nothing.
      checkPasskeyName(field(ctx, 'name'));
      const { token, options } = await passkeys.startRegistration(person(ctx));
      ctx.cookies.set(REGISTRATION_COOKIE, token, cookieOptions(CHALLENGE_LIFETIME_MS));
      ctx.body = { options };
    } catch (error) {
      const message = refusal(t, error);
      if (message === undefined) throw error;
      ctx.status = 400;
      ctx.body = { error: message };
    }
  });

  // Step 2 (the form, submitted by passkeys.js with the browser's answer): store the passkey.
  router.post('/account/passkeys', ...post, async (ctx) => {
    const t = messagesOf(ctx);
    const name = field(ctx, 'name');
    const token = ctx.cookies.get(REGISTRATION_COOKIE, { signed: true });
    ctx.cookies.set(REGISTRATION_COOKIE, null, cookieOptions());
    let added;
    try {
      added = await passkeys.finishRegistration(person(ctx), token, field(ctx, 'response'), name, by(ctx));
    } catch (error) {
      const message = refusal(t, error);
      if (message === undefined) throw error;
      await deps.renderWith(ctx, { error: message, nameTyped: name }, 400);
      return;
    }
    setFlash(ctx, { key: 'passkeyAdded', name: added.name });
    deps.seeOther(ctx, '/account');
  });

  router.post('/account/passkeys/rename', ...post, async (ctx) => {
    const t = messagesOf(ctx);
    let renamed;
    try {
      renamed = await passkeys.rename(person(ctx).id, field(ctx, 'passkey'), field(ctx, 'name'), by(ctx));
    } catch (error) {
      if (error instanceof ValidationError) return deps.renderWith(ctx, { error: t.passkeys.badName }, 400);
      if (error instanceof NotFoundError) return deps.renderWith(ctx, { error: t.passkeys.notFound }, 404);
      throw error;
    }
    setFlash(ctx, { key: 'passkeyRenamed', name: renamed.name });
    deps.seeOther(ctx, '/account');
  });

  router.post('/account/passkeys/remove', ...post, async (ctx) => {
    let removed;
    try {
      removed = await passkeys.remove(person(ctx).id, field(ctx, 'passkey'), by(ctx));
    } catch (error) {
      if (error instanceof NotFoundError) return deps.renderWith(ctx, { error: messagesOf(ctx).passkeys.notFound }, 404);
      throw error;
    }
    setFlash(ctx, { key: 'passkeyRemoved', name: removed.name });
    deps.seeOther(ctx, '/account');
  });
}
