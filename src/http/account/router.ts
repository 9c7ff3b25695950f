// The account page at /account: a signed-in person's own name, email, password, sessions and
// connected apps (issue 13). Who is signed in is their Sesame session (session.ts); without one,
// a GET starts a sign-in that comes back here. Every change is a form POST carrying the page's
// CSRF token (bound to the Sesame session: middleware/csrf.ts), answered with a redirect back to
// the page and a one-line notice, or the page again with the error at its form. The changes go
// through the account and user-sessions services, which check them and record them in the audit
// log as the person's own (`user:<id>` from the request's address). The current password is
// checked under the sign-in throttle (account-service.ts changePassword).
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import { errorPage } from '../../../views/error.js';
import { accountPage, type AccountAppView, type AccountSessionView, type AccountView } from '../../../views/account/page.js';
import type { Messages } from '../../../views/i18n/catalogue.js';
import { TooManyAttemptsError, WrongPasswordError, type User } from '../../domain/accounts/account-service.js';
import { PasswordRuleError } from '../../domain/accounts/password.js';
import type { By } from '../../domain/audit/actions.js';
import { CONSOLE_CLIENT_ID } from '../../domain/clients/reserved.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Services } from '../../services.js';
import { csrfToken, verifyCsrf } from '../middleware/csrf.js';
import { SCRIPT_PAGE_CSP, setPageHeaders } from '../middleware/security-headers.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';
import type { SelfService } from '../../domain/accounts/email-verification.js';
import { selfServiceMails } from '../../../views/self-service/mails.js';
import type { PasskeysView } from '../../../views/account/passkeys.js';
import { addPasskeyRoutes, passkeyNotice, passkeysView } from './passkeys.js';
import { enrolPage, recoveryCodesPage } from '../../../views/account/second-factors.js';
import { raw } from '../../../views/html.js';
import QRCode from 'qrcode';
import { WrongCodeError } from '../../domain/accounts/second-factors.js';
import { AccountSignIn, AccountSignInError, currentSession, setFlash, takeFlash, type Flash, type SignedInSession } from './session.js';

export type AccountServices = Pick<Services, 'accounts' | 'userSessions' | 'clients' | 'log' | 'secondFactors'> & Partial<Pick<Services, 'passkeys'>>;

export interface AccountDeps {
  services: AccountServices;
  issuer: string;
  provider: () => Provider;
  /** Email changes and verification links (mail on); none: the page has no email forms. */
  selfService?: SelfService | undefined;
}

/** Sesame's own pages: only forms that post back to Sesame; Sesame's own scripts (passkeys). */
const ACCOUNT_CSP = `${SCRIPT_PAGE_CSP}; form-action 'self'`;

/** Sesame's own clients: not "connected apps" a person consented to. */
const FIRST_PARTY = new Set([CONSOLE_CLIENT_ID]);

interface AccountState {
  person: User;
  session: SignedInSession;
}

const stateOf = (ctx: Context): AccountState => ctx.state as AccountState;
const by = (ctx: Context): By => ({ actor: `user:${stateOf(ctx).person.id}`, sourceAddress: ctx.ip });
const csrfBinding = (ctx: Context): string | undefined => {
  const session = (ctx.state as Partial<AccountState>).session;
  return session ? `account:${session.id}` : undefined;
};

/** A form field's value (the first, if repeated), or '' when absent. */
function field(ctx: Context, name: string): string {
  const value = ((ctx.request.body ?? {}) as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' ? first : '';
}

function seeOther(ctx: Context, location: string): void {
  ctx.redirect(location);
  ctx.status = 303;
}

const headers: Middleware = async (ctx, next) => {
  setPageHeaders(ctx);
  ctx.set('Content-Security-Policy', ACCOUNT_CSP);
  await next();
};

function send(ctx: Context, page: ReturnType<typeof accountPage>, status?: number): void {
  sendPage(ctx, page, status);
  ctx.set('Content-Security-Policy', ACCOUNT_CSP);
}

function noticeText(t: Messages, flash: Flash | undefined): string | undefined {
  if (!flash) return undefined;
  const m = t.account;
  switch (flash.key) {
    case 'nameSaved':
      return m.nameSaved;
    case 'passwordChanged':
      return m.passwordChanged;
    case 'sessionEnded':
      return m.sessionEnded;
    case 'othersEnded':
      return m.othersEnded(flash.count ?? 0);
    case 'revoked':
      return m.revoked(flash.app ?? '');
    case 'totpRemoved':
      return t.mfa.appRemoved;
    case 'totpAlreadyOn':
      return t.mfa.alreadyOn;
  }
}

export function createAccountRouter({ services, issuer, provider, selfService }: AccountDeps): Router {
  const { accounts, userSessions, clients, log, secondFactors } = services;
  const signIn = new AccountSignIn(issuer);
  const router = new Router();
  const parseBody = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

  /** The signed-in person (re-read on every request: a disabled person has no page); otherwise off to sign in. */
  const requirePerson: Middleware = async (ctx: Context, next: Next) => {
    const session = await currentSession(ctx, provider());
    const person = session && (await accounts.findActive(session.accountId));
    if (!session || !person) {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') ctx.redirect(await signIn.start(ctx));
      else seeOther(ctx, '/account');
      return;
    }
    Object.assign(ctx.state as AccountState, { person, session });
    await next();
  };

  const post = [headers, parseBody, requirePerson, verifyCsrf(csrfBinding)];

  const nameOf = async (clientId: string | null): Promise<string> => {
    if (!clientId) return '?';
    try {
      return (await clients.get(clientId)).client_name || clientId;
    } catch {
      return clientId;
    }
  };

  async function render(
    ctx: Context,
    extra: Pick<AccountView, 'errors' | 'nameTyped' | 'notice' | 'emailTyped' | 'factorError'> & { passkeys?: Omit<PasskeysView, 'items'> } = {},
    status?: number,
  ): Promise<void> {
    const t = messagesOf(ctx);
    const { session } = stateOf(ctx);
    const person = await accounts.get(stateOf(ctx).person.id);
    const { sessions, grants } = await userSessions.list(person.id);
    const names = new Map<string, string>();
    for (const id of new Set([...sessions.flatMap((s) => s.clientIds), ...grants.map((g) => g.clientId ?? '')])) {
      if (id && !FIRST_PARTY.has(id)) names.set(id, await nameOf(id));
    }
    const sessionViews: AccountSessionView[] = sessions
      .map((s) => ({
        uid: s.uid,
        current: s.uid === session.uid,
        loginAt: s.loginAt,
        createdAt: s.createdAt,
        expiresAt: s.expiresAt,
        apps: s.clientIds.filter((id) => names.has(id)).map((id) => names.get(id)!),
      }))
      // This device first, then the newest.
      .sort((a, b) => Number(b.current) - Number(a.current) || b.createdAt.getTime() - a.createdAt.getTime());
    const apps: AccountAppView[] = grants
      .filter((g) => g.clientId && names.has(g.clientId))
      .map((g) => ({
        grantId: g.grantId,
        name: names.get(g.clientId!)!,
        scopes: [...new Set([...(g.scope ?? '').split(' '), ...Object.values(g.resources).flatMap((s) => s.split(' '))])].filter(Boolean),
        createdAt: g.createdAt,
      }));
    const flash = takeFlash(ctx);
    const notice = extra.notice ?? noticeText(t, flash) ?? passkeyNotice(t, flash);
    const factors = await secondFactors.status(person.id);
    const view: AccountView = {
      csrf: csrfToken(ctx, csrfBinding(ctx)!),
      email: person.email,
      emailVerified: person.emailVerified,
      name: person.name,
      sessions: sessionViews,
      apps,
      notice,
      errors: extra.errors,
      nameTyped: extra.nameTyped,
      emailChange: selfService !== undefined,
      emailTyped: extra.emailTyped,
      secondFactors: { totp: factors.totp, recoveryCodesLeft: factors.recoveryCodesLeft },
      factorError: extra.factorError,
      passkeys: services.passkeys ? await passkeysView(services.passkeys, person.id, extra.passkeys) : undefined,
    };
    send(ctx, accountPage(t, view), status);
  }

  router.get('/account', headers, requirePerson, async (ctx) => {
    await render(ctx);
  });

  router.get('/account/callback', headers, async (ctx) => {
    const t = messagesOf(ctx);
    try {
      await signIn.finish(ctx);
    } catch (error) {
      if (!(error instanceof AccountSignInError)) log.warn('account page sign-in failed', { err: error });
      send(ctx, errorPage(t, { title: t.account.title, message: t.account.signInFailed }), 400);
      return;
    }
    ctx.redirect('/account');
  });

  router.post('/account/name', ...post, async (ctx) => {
    const name = field(ctx, 'name');
    try {
      await accounts.update(stateOf(ctx).person.id, { name }, by(ctx));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await render(ctx, { errors: { name: messagesOf(ctx).account.invalidName }, nameTyped: name }, 400);
      return;
    }
    setFlash(ctx, { key: 'nameSaved' });
    seeOther(ctx, '/account');
  });

  // Changing the address: the link goes to the new one (email-verification.ts); the page says the
  // same whether another account has it. Throttled per source address like the other self-service forms.
  router.post('/account/email', ...post, async (ctx) => {
    if (!selfService) return;
    const t = messagesOf(ctx);
    const email = field(ctx, 'email').trim().slice(0, 254);
    const wait = await selfService.throttle.use('email-change', ctx.ip);
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      await render(ctx, { errors: { email: t.account.throttled(wait) }, emailTyped: email }, 429);
      return;
    }
    try {
      await selfService.verification.requestEmailChange(stateOf(ctx).person.id, email, selfServiceMails(t), by(ctx));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await render(ctx, { errors: { email: t.signUp.badEmail }, emailTyped: email }, 400);
      return;
    }
    await render(ctx, { notice: t.signUp.changeEmailSent(email.toLowerCase()) });
  });

  router.post('/account/verify-email', ...post, async (ctx) => {
    if (!selfService) return;
    const t = messagesOf(ctx);
    const wait = await selfService.throttle.use('verify-resend', ctx.ip);
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      await render(ctx, { errors: { email: t.account.throttled(wait) } }, 429);
      return;
    }
    const { person } = stateOf(ctx);
    if (!person.emailVerified) await selfService.verification.sendLink(person, person.email, 'resend', selfServiceMails(t));
    await render(ctx, { notice: t.signUp.verificationSent });
  });

  router.post('/account/password', ...post, async (ctx) => {
    const m = messagesOf(ctx).account;
    const current = field(ctx, 'current_password');
    const next = field(ctx, 'new_password');
    if (next !== field(ctx, 'confirm_password')) {
      await render(ctx, { errors: { password: m.mismatch } }, 400);
      return;
    }
    const { person, session } = stateOf(ctx);
    try {
      await accounts.changePassword(person.id, current, next, session.uid, by(ctx));
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        ctx.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
        await render(ctx, { errors: { password: m.throttled(error.retryAfterMs) } }, 429);
        return;
      }
      if (error instanceof WrongPasswordError) {
        await render(ctx, { errors: { password: m.wrongPassword } }, 400);
        return;
      }
      if (error instanceof PasswordRuleError) {
        await render(ctx, { errors: { password: m.passwordRules[error.rule] } }, 400);
        return;
      }
      throw error;
    }
    setFlash(ctx, { key: 'passwordChanged' });
    seeOther(ctx, '/account');
  });

  router.post('/account/sessions/end', ...post, async (ctx) => {
    const { person, session } = stateOf(ctx);
    const uid = field(ctx, 'session');
    try {
      // This device signs out with "Sign out" (the provider's logout), not here.
      if (uid === session.uid) throw new NotFoundError('the current session');
      await userSessions.revokeOne(person.id, uid, by(ctx));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await render(ctx, { errors: { form: messagesOf(ctx).account.notFound } }, 404);
      return;
    }
    setFlash(ctx, { key: 'sessionEnded' });
    seeOther(ctx, '/account');
  });

  router.post('/account/sessions/others', ...post, async (ctx) => {
    const { person, session } = stateOf(ctx);
    const { revoked_sessions: count } = await userSessions.revokeOthers(person.id, session.uid, by(ctx));
    setFlash(ctx, { key: 'othersEnded', count });
    seeOther(ctx, '/account');
  });

  router.post('/account/apps/revoke', ...post, async (ctx) => {
    const { person } = stateOf(ctx);
    const grantId = field(ctx, 'grant');
    let app: string;
    try {
      const grant = (await userSessions.list(person.id)).grants.find((g) => g.grantId === grantId);
      if (!grant) throw new NotFoundError(`no grant ${grantId}`);
      app = await nameOf(grant.clientId);
      await userSessions.revokeGrant(person.id, grantId, by(ctx));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await render(ctx, { errors: { form: messagesOf(ctx).account.notFound } }, 404);
      return;
    }
    setFlash(ctx, { key: 'revoked', app });
    seeOther(ctx, '/account');
  });

  // Second factors. Adding an authenticator app: a POST starts it (a new secret, unconfirmed), the
  // GET shows its QR code and key for as long as it is unconfirmed, and a correct code from the app
  // confirms it and shows the recovery codes, once (that answer is the only place they appear).
  // Codes typed here count in the sign-in throttle like passwords (second-factors.ts).

  /** A refused code, as the message to show and the status. */
  function codeRefusal(ctx: Context, error: unknown): { message: string; status: number } {
    const t = messagesOf(ctx);
    if (error instanceof TooManyAttemptsError) {
      ctx.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
      return { message: t.account.throttled(error.retryAfterMs), status: 429 };
    }
    if (error instanceof WrongCodeError) {
      if (error.lockedForMs > 0) {
        ctx.set('Retry-After', String(Math.ceil(error.lockedForMs / 1000)));
        return { message: t.account.throttled(error.lockedForMs), status: 429 };
      }
      return { message: t.mfa.wrongCode, status: 400 };
    }
    throw error;
  }

  async function renderEnrolment(ctx: Context, error?: { message: string; status: number }): Promise<void> {
    const enrolment = await secondFactors.pendingEnrolment(stateOf(ctx).person.id);
    if (!enrolment) {
      seeOther(ctx, '/account');
      return;
    }
    // SVG drawn on the server (no script, no request): `qrcode` emits paths only.
    const svg = await QRCode.toString(enrolment.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const t = messagesOf(ctx);
    send(
      ctx,
      enrolPage(t, { csrf: csrfToken(ctx, csrfBinding(ctx)!), qrSvg: raw(svg), groupedKey: enrolment.groupedKey, error: error?.message }),
      error?.status,
    );
  }

  router.post('/account/authenticator', ...post, async (ctx) => {
    if (!(await secondFactors.startEnrolment(stateOf(ctx).person.id))) {
      setFlash(ctx, { key: 'totpAlreadyOn' });
      seeOther(ctx, '/account');
      return;
    }
    seeOther(ctx, '/account/authenticator');
  });

  router.get('/account/authenticator', headers, requirePerson, async (ctx) => {
    await renderEnrolment(ctx);
  });

  router.post('/account/authenticator/verify', ...post, async (ctx) => {
    const { person } = stateOf(ctx);
    let codes: string[];
    try {
      codes = await secondFactors.confirmEnrolment(person.id, field(ctx, 'code'), by(ctx));
    } catch (error) {
      await renderEnrolment(ctx, codeRefusal(ctx, error));
      return;
    }
    const t = messagesOf(ctx);
    send(ctx, recoveryCodesPage(t, { codes, notice: t.mfa.appSetUp }));
  });

  router.post('/account/recovery-codes', ...post, async (ctx) => {
    const { person } = stateOf(ctx);
    let codes: string[];
    try {
      codes = await secondFactors.regenerateRecoveryCodes(person.id, field(ctx, 'code'), by(ctx));
    } catch (error) {
      const { message, status } = codeRefusal(ctx, error);
      await render(ctx, { factorError: { form: 'regenerate', message } }, status);
      return;
    }
    send(ctx, recoveryCodesPage(messagesOf(ctx), { codes }));
  });

  // Removing the app asks for the password, not a code: it must work for someone who lost the phone
  // and signed in with a recovery code. Checked under the sign-in throttle like a password change.
  router.post('/account/authenticator/remove', ...post, async (ctx) => {
    const { person } = stateOf(ctx);
    const m = messagesOf(ctx).account;
    try {
      await accounts.confirmPassword(person.id, field(ctx, 'current_password'), by(ctx));
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        ctx.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
        await render(ctx, { factorError: { form: 'remove', message: m.throttled(error.retryAfterMs) } }, 429);
        return;
      }
      if (error instanceof WrongPasswordError) {
        await render(ctx, { factorError: { form: 'remove', message: m.wrongPassword } }, 400);
        return;
      }
      throw error;
    }
    await secondFactors.removeTotp(person.id, by(ctx));
    setFlash(ctx, { key: 'totpRemoved' });
    seeOther(ctx, '/account');
  });

  if (services.passkeys) {
    addPasskeyRoutes(router, {
      passkeys: services.passkeys,
      post,
      person: (ctx) => stateOf(ctx).person,
      by,
      field,
      renderWith: (ctx, passkeys, status) => render(ctx, { passkeys }, status),
      seeOther,
    });
  }

  return router;
}
