// The interaction routes: oidc-provider sends the browser to /interaction/:uid whenever it needs
// the user (login, consent); these pages answer and hand the result back to the provider.
//
// Every POST re-reads the interaction and checks the step it expects, so a stale or replayed form
// cannot finish the wrong step. An interaction that already has its result (a double-clicked
// Sign in) is not finished again: the browser is sent on to the provider with the first result.
// Once the provider has resumed, the interaction is gone, and its old pages answer with a
// friendly 400 page. The body parser runs on these POST routes only: oidc-provider
// parses its own request bodies and must get the raw stream.
import { holdingWrites } from '../middleware/held-writes.js';
import type { HoldWrites } from '../../oidc/held-writes.js';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { errors, type InteractionResults } from 'oidc-provider';
import type Provider from 'oidc-provider';
import QRCode from 'qrcode';
import { enrolPage, recoveryCodesPage } from '../../../views/account/second-factors.js';
import { consentPage } from '../../../views/consent.js';
import { errorPage, type ErrorView } from '../../../views/error.js';
import { raw } from '../../../views/html.js';
import type { Messages } from '../../../views/i18n/catalogue.js';
import { loginPage, REMEMBER_FIELD, REMEMBER_VALUE } from '../../../views/login.js';
import { noAccessPage } from '../../../views/no-access.js';
import { secondFactorPage, type OtherWay, type SecondFactorForm } from '../../../views/second-factor.js';
import { TooManyAttemptsError } from '../../domain/accounts/account-service.js';
import { authenticationResult, type SecondFactorMethod } from '../../domain/accounts/authentication-methods.js';
import { acrClaimOf, MFA_CHECK, mfaNeed, STEP_UP_REASONS, type MfaPerson, type MfaPolicy, type MfaRequest } from '../../domain/accounts/mfa-policy.js';
import { WrongCodeError, type CodeContext, type SecondFactorService } from '../../domain/accounts/second-factors.js';
import type { By } from '../../domain/audit/actions.js';
import type { SignInEvents } from '../../domain/accounts/sign-in-events.js';
import { CHALLENGE_LIFETIME_MS, PasskeyError, type PasskeyService } from '../../domain/accounts/passkeys.js';
import { ACCOUNT_CALLBACK_PATH, CONSOLE_CLIENT_ID } from '../../domain/clients/reserved.js';
import { ACCESS_PROMPT } from '../../oidc/access-check.js';
import { Busy } from '../../domain/accounts/work-limiter.js';
import { OncePerWindow } from '../../domain/throttling/once-per-window.js';
import type { FailureOutcome } from '../../domain/throttling/sign-in-throttle.js';
import { csrfToken, verifyCsrf } from '../middleware/csrf.js';
import { pageHeaders, SCRIPT_PAGE_CSP } from '../middleware/security-headers.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';

export interface InteractionDeps {
  /** The current provider; it can be swapped at run time, so it is asked once per request. */
  provider(): Provider;
  /** Holds the provider's row writes of a request and stores them together before it answers. */
  holdWrites?: HoldWrites;
  accounts: {
    authenticate(email: string, password: string): Promise<{ accountId: string; isAdmin?: boolean } | undefined>;
    /** Finds the signed-in account, to prefill its email when a fresh sign-in is forced. */
    findById?(id: string): Promise<{ email: string } | undefined>;
    /** Whether a lockout hit a real account (for the audit log only; the page never says). */
    findByEmail?(email: string): Promise<{ id: string } | undefined>;
  };
  /** Failed sign-ins per account and per address; without it nothing is throttled (tests of other parts). */
  throttle?: {
    waitFor(email: string, address: string): Promise<number>;
    /** waitFor before the password check, reading the person along (accounts.authenticate takes them). */
    waitBeforePassword(email: string, address: string): Promise<number>;
    failed(email: string, address: string): Promise<FailureOutcome>;
    succeeded(email: string): Promise<void>;
    /** A passkey sign-in names no account up front: only the address is counted. */
    waitForAddress?(address: string): Promise<number>;
    failedFromAddress?(address: string): Promise<number>;
  };
  /**
   * Passkeys (passkeys.ts): passwordless sign-in, and a passkey as the second factor of a person who
   * has one; absent: neither page offers any.
   */
  passkeys?: Pick<PasskeyService, 'startAuthentication' | 'startSecondFactor' | 'authenticate' | 'count'>;
  /**
   * Where sign-ins, lockouts, consent and aborts are recorded (the audit log), with the address
   * the request came from (X-Forwarded-For when the proxy is trusted). Awaited before the
   * response; never given a password.
   */
  events?: SignInEvents;
  /**
   * Why the client may not have a scope it asked for (e.g. `admin` without being registered with
   * it), or undefined. Such a request goes back to the client as invalid_scope, unanswered.
   */
  scopeRefusal?: (clientId: string, scope: string | undefined) => Promise<string | undefined>;
  /** Sign-up is open (SIGNUP=open, mail on): the login page links to it. */
  signUp?: boolean;
  /** Whether "Forgot password?" is offered (mail is on); absent: not offered. */
  passwordReset?: { readonly available: boolean };
  /**
   * Second factors (second-factors.ts): after a correct password, a person who has one is asked
   * for it before the sign-in finishes. Absent: the password finishes it (tests of other parts).
   */
  secondFactors?: {
    /** The methods the person can verify with; none: the password is enough. */
    required(accountId: string): Promise<SecondFactorMethod[]>;
    /** Resolves when the code worked; throws WrongCodeError or TooManyAttemptsError. */
    verify(accountId: string, method: SecondFactorMethod, code: string, by: By, context: CodeContext): Promise<void>;
  };
  /**
   * Who must sign in with a second factor (MFA_POLICY, the client's require_mfa, the request's
   * acr: mfa-policy.ts). A person it requires who has none adds an authenticator app inside the
   * sign-in (`enrolment`); one whose only factor is a passkey is asked for the passkey. Absent: a
   * second factor is asked only of people who have an authenticator app.
   */
  mfa?: {
    policy: MfaPolicy;
    person(accountId: string): Promise<MfaPerson | undefined>;
    enrolment: Pick<SecondFactorService, 'startEnrolment' | 'pendingEnrolment' | 'confirmEnrolment'>;
  };
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Longest email (RFC 5321 path) and password we pass on to the account service. */
const MAX_EMAIL_LENGTH = 320;
const MAX_PASSWORD_LENGTH = 1024;
/** Longest code we pass on (an app's code is 6 digits, a recovery code 14 characters). */
const MAX_CODE_LENGTH = 64;

/** The error pages of a sign-in, in the page's language. */
type Refusal = (t: Messages) => ErrorView;
const EXPIRED: Refusal = (t) => ({ title: t.signIn.expiredTitle, message: t.signIn.expired });
const STALE: Refusal = (t) => ({ title: t.signIn.staleTitle, message: t.signIn.stale });
const UNSUPPORTED: Refusal = (t) => ({ title: t.signIn.unsupportedTitle, message: t.signIn.unsupported });
const BAD_FORM: Refusal = (t) => ({ title: t.errors.formNotAccepted, message: t.errors.badForm });
const BUSY: Refusal = (t) => ({ title: t.errors.busyTitle, message: t.errors.busy });

/** Raised when the step or the uid in the URL does not fit the interaction in the cookie. */
class InteractionMismatch extends Error {
  constructor(readonly view: Refusal) {
    super('interaction mismatch');
  }
}

/** Raised when the interaction already has its result but the provider has not resumed it yet. */
class InteractionFinished extends Error {
  constructor(readonly returnTo: string) {
    super('interaction already finished');
  }
}

function isSessionNotFound(error: unknown): boolean {
  return error instanceof errors.SessionNotFound || (error as { name?: unknown } | null)?.name === 'SessionNotFound';
}

/** A client error raised by middleware (the body parser's 400/413/415), safe to show as a page. */
function clientErrorStatus(error: unknown): number | undefined {
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose !== false ? status : undefined;
}

/** Expired interactions and bad forms become friendly pages; anything else goes up to the app. */
function interactionErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      // No interaction to ask for its ui_locales: the browser's language.
      const t = messagesOf(ctx);
      if (isSessionNotFound(error)) {
        sendPage(ctx, errorPage(t, EXPIRED(t)), 400);
        return;
      }
      if (error instanceof InteractionMismatch) {
        sendPage(ctx, errorPage(t, error.view(t)), 400);
        return;
      }
      if (error instanceof InteractionFinished) {
        ctx.status = 303;
        ctx.redirect(error.returnTo);
        return;
      }
      const status = clientErrorStatus(error);
      if (status !== undefined) {
        sendPage(ctx, errorPage(t, BAD_FORM(t)), status);
        return;
      }
      throw error;
    }
  };
}

const interactionBinding = (uid: string) => `interaction:${uid}`;

/** `?use=` of the second step that shows the enrolment to a person who has a passkey but chose an app. */
const ADD_APP = 'authenticator-app';

/** The passkey sign-in's challenge token (passkeys.ts), for this interaction's pages only. */
export const PASSKEY_COOKIE = 'sesame.passkey';
const passkeyCookie = (uid: string, maxAge?: number) => ({
  signed: true,
  httpOnly: true,
  sameSite: 'strict' as const,
  path: `/interaction/${encodeURIComponent(uid)}`,
  overwrite: true,
  ...(maxAge ? { maxAge } : {}),
});
/**
 * Whether a redirect_uri is the account page's callback (src/http/account/session.ts). Only for
 * the console's client, whose two registered URIs the provider has already matched exactly.
 */
function isAccountCallback(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value) && new URL(value).pathname.endsWith(ACCOUNT_CALLBACK_PATH);
}

/** A non-empty string parameter, or undefined. */
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function resourceScopes(value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([resource, scopes]) => [resource, stringList(scopes)]));
}

/**
 * The second step's marker: this interaction's password was right for this account. A cookie
 * signed with COOKIE_KEYS (the browser cannot make or change one), scoped to this interaction's
 * pages, naming the interaction's uid (load() checks that against the provider's interaction
 * cookie) and expiring with the step. The provider's session is not touched until the second
 * factor is verified: only then does the interaction get its login result, so a person who stops
 * after the password is not signed in anywhere (not on /account either, which reads that session).
 * Any step that needs a verified first factor (MFA_POLICY's enrolment, step-up) can start from it.
 */
interface PendingSecondFactor {
  uid: string;
  accountId: string;
  remember: boolean;
  /** Expiry, milliseconds since the epoch. */
  exp: number;
}

const PENDING_COOKIE = 'sesame.second-factor';
const PENDING_LIFETIME_MS = 10 * 60 * 1000;
const pendingCookieOptions = (uid: string, maxAge?: number) => ({
  signed: true,
  httpOnly: true,
  sameSite: 'lax' as const,
  path: `/interaction/${encodeURIComponent(uid)}`,
  overwrite: true,
  ...(maxAge !== undefined ? { maxAge } : {}),
});

function setPending(ctx: Context, pending: Omit<PendingSecondFactor, 'exp'>): void {
  const value: PendingSecondFactor = { ...pending, exp: Date.now() + PENDING_LIFETIME_MS };
  ctx.cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(value)).toString('base64url'), pendingCookieOptions(pending.uid, PENDING_LIFETIME_MS));
}

function clearPending(ctx: Context, uid: string): void {
  ctx.cookies.set(PENDING_COOKIE, null, pendingCookieOptions(uid));
}

/** The marker of this interaction, when it is validly signed, for this uid and not expired. */
function pendingOf(ctx: Context, uid: string): PendingSecondFactor | undefined {
  const raw = ctx.cookies.get(PENDING_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingSecondFactor>;
    if (value.uid !== uid || typeof value.accountId !== 'string' || typeof value.exp !== 'number' || value.exp <= Date.now()) return undefined;
    return { uid, accountId: value.accountId, remember: value.remember === true, exp: value.exp };
  } catch {
    return undefined;
  }
}

export function createInteractionRouter(deps: InteractionDeps): Router {
  const router = new Router();
  const events = deps.events;
  // Forms only (and JSON for scripted clients); a login form is well under a kilobyte.
  const parseBody = bodyParser({ enableTypes: ['form', 'json'], formLimit: '16kb', jsonLimit: '16kb' });
  // A sign-in form's token is bound to its interaction (the uid in the URL, which load() checks
  // against the interaction cookie).
  const csrf = verifyCsrf((ctx) => interactionBinding(String(ctx.params.uid ?? '')));
  const throttledReported = new OncePerWindow();

  /**
   * The provider for this request and the interaction in the browser's cookie, for this uid.
   * `finished: 'continue'` sends the browser on when the interaction already has its result;
   * `'replace'` (abort) lets the new result replace it.
   */
  async function load(ctx: Context, uid: string | undefined, step?: 'login' | 'consent', finished: 'continue' | 'replace' = 'continue') {
    const provider = deps.provider();
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    if (interaction.uid !== uid) throw new InteractionMismatch(EXPIRED);
    if (interaction.result && finished === 'continue') throw new InteractionFinished(interaction.returnTo);
    if (step && interaction.prompt.name !== step) throw new InteractionMismatch(STALE);
    return { provider, interaction };
  }

  /** The email to show on the login page: the RP's login_hint, or the signed-in account's own. */
  async function suggestedEmail(interaction: Interaction): Promise<string | undefined> {
    const hint = interaction.params.login_hint;
    if (typeof hint === 'string' && hint.length > 0 && hint.length <= MAX_EMAIL_LENGTH) return hint;
    // A fresh sign-in forced on a live session (prompt=login, max_age): it is the same person, usually.
    const accountId = interaction.session?.accountId;
    if (!accountId || !deps.accounts.findById) return undefined;
    try {
      return (await deps.accounts.findById(accountId))?.email;
    } catch {
      return undefined; // a convenience only: the page works without it
    }
  }

  async function clientOf(provider: Provider, interaction: Interaction) {
    const clientId = String(interaction.params.client_id ?? '');
    return clientId ? await provider.Client.find(clientId) : undefined;
  }

  async function clientName(provider: Provider, interaction: Interaction, t: Messages): Promise<string> {
    // The account page signs in through the console's client: the person is going to their account.
    if (interaction.params.client_id === CONSOLE_CLIENT_ID && isAccountCallback(interaction.params.redirect_uri)) return t.signIn.yourAccount;
    const client = await clientOf(provider, interaction);
    return client?.clientName || client?.clientId || String(interaction.params.client_id ?? '') || t.signIn.anApp;
  }

  /** The language of the pages of this sign-in: the RP's ui_locales, then the browser's. */
  const language = (ctx: Context, interaction: Interaction) => messagesOf(ctx, interaction.params.ui_locales);

  /**
   * Stores the result and sends the browser back to the provider (303, like interactionFinished).
   * What provider.interactionResult does, on the interaction this request already loaded and
   * checked: it would read the interaction and its session again (two more statements).
   */
  async function finish(ctx: Context, interaction: Interaction, result: InteractionResults, mergeWithLastSubmission: boolean): Promise<void> {
    interaction.result = mergeWithLastSubmission && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    ctx.status = 303;
    ctx.redirect(interaction.returnTo);
  }

  /** Sends a request for a scope the client may not have back to it as invalid_scope; true when it did. */
  async function refuseScope(ctx: Context, interaction: Interaction): Promise<boolean> {
    const scope = interaction.params.scope;
    const refusal = await deps.scopeRefusal?.(String(interaction.params.client_id ?? ''), typeof scope === 'string' ? scope : undefined);
    if (!refusal) return false;
    await finish(ctx, interaction, { error: 'invalid_scope', error_description: refusal }, false);
    return true;
  }

  /** The second step's page: the form asked for, with what went wrong on the last attempt. */
  async function showSecondFactor(
    ctx: Context,
    provider: Provider,
    interaction: Interaction,
    pending: PendingSecondFactor,
    form: SecondFactorForm,
    outcome: { status?: number; failed?: boolean; passkeyFailed?: boolean; throttledFor?: number } = {},
  ): Promise<void> {
    const t = language(ctx, interaction);
    const methods = (await deps.secondFactors?.required(pending.accountId)) ?? [];
    const otherWays: OtherWay[] = [];
    // "Use a passkey" when the person has one (shown by passkeys.js where the browser can run it).
    const passkey = await hasPasskey(pending.accountId);
    // A passkey as the only factor: no code form (there is no app to take a code from); adding an
    // app instead is the way on for a browser that cannot run the passkey (no JavaScript, no WebAuthn).
    const app = methods.includes('totp');
    sendPage(
      ctx,
      secondFactorPage(t, {
        uid: interaction.uid,
        csrf: csrfToken(ctx, interactionBinding(interaction.uid)),
        clientName: await clientName(provider, interaction, t),
        form,
        recoveryCodes: methods.includes('recovery_code'),
        failed: outcome.failed,
        passkeyFailed: outcome.passkeyFailed,
        throttledFor: outcome.throttledFor,
        otherWays,
        passkey,
        app,
        ...(!app && deps.mfa ? { enrolHref: enrolmentHref(interaction.uid) } : {}),
      }),
      outcome.status,
    );
    if (passkey) ctx.set('Content-Security-Policy', SCRIPT_PAGE_CSP);
  }

  /**
   * Whether this login prompt only wants a second factor of the signed-in session (step-up: the
   * client's require_mfa, acr_values, an essential acr, MFA_POLICY), not a fresh password.
   */
  function isStepUp(interaction: Interaction): boolean {
    const reasons = stringList(interaction.prompt.reasons);
    return Boolean(interaction.session?.accountId) && reasons.includes(MFA_CHECK) && reasons.every((reason) => STEP_UP_REASONS.has(reason));
  }

  /** Whether the session being stepped up was kept past the browser's end ("Keep me signed in"). */
  async function sessionRemembered(provider: Provider, interaction: Interaction): Promise<boolean> {
    const cookie = interaction.session?.cookie;
    const session = cookie ? await provider.Session.find(cookie) : undefined;
    return session ? session.transient !== true : true;
  }

  /** Whether the person has a passkey to give as the second factor (none when passkeys are off). */
  async function hasPasskey(accountId: string): Promise<boolean> {
    return deps.passkeys !== undefined && (await deps.passkeys.count(accountId)) > 0;
  }

  /**
   * What this sign-in needs beyond the password of a person without an authenticator app
   * (mfa-policy.ts): `verify` with their passkey, `enrol` an app when they have no passkey either,
   * or nothing. `isAdmin`: known already when the password step read the person.
   */
  async function needWithoutApp(provider: Provider, interaction: Interaction, accountId: string, isAdmin?: boolean) {
    if (!deps.mfa) return undefined;
    const admin = isAdmin ?? (await deps.mfa.person(accountId))?.isAdmin;
    if (admin === undefined) return undefined;
    const client = await clientOf(provider, interaction);
    const request: MfaRequest = {
      clientRequiresMfa: client?.['require_mfa'] === true,
      acrValues: text(interaction.params.acr_values),
      essentialAcr: acrClaimOf(interaction.params.claims),
    };
    // Asked first as if they had a factor: when nothing asks for one (most sign-ins under the
    // default policy), their passkeys need no look-up.
    if (!mfaNeed(deps.mfa.policy, { isAdmin: admin, hasFactor: true }, request)) return undefined;
    return mfaNeed(deps.mfa.policy, { isAdmin: admin, hasFactor: await hasPasskey(accountId) }, request);
  }

  /** The enrolment inside the sign-in, for a person whose only factor is a passkey and who chose an app instead. */
  const enrolmentHref = (uid: string) => `/interaction/${encodeURIComponent(uid)}?use=${ADD_APP}`;

  /**
   * The enrolment inside a sign-in that requires a second factor of a person who has none: the
   * account page's pieces (the QR code, the key as text, "Authentication code", "Verify").
   */
  async function showEnrolment(
    ctx: Context,
    provider: Provider,
    interaction: Interaction,
    pending: PendingSecondFactor,
    error?: { message: string; status: number },
  ) {
    const enrolment = deps.mfa!.enrolment;
    const current = (await enrolment.pendingEnrolment(pending.accountId)) ?? (await enrolment.startEnrolment(pending.accountId));
    if (!current) {
      // Confirmed meanwhile (another tab): the second step asks for a code from it.
      await showSecondFactor(ctx, provider, interaction, pending, 'totp');
      return;
    }
    const t = language(ctx, interaction);
    const svg = await QRCode.toString(current.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    // Chosen instead of the person's passkey: the way back to it.
    const passkeyHref = (await hasPasskey(pending.accountId)) ? `/interaction/${encodeURIComponent(interaction.uid)}` : undefined;
    sendPage(
      ctx,
      enrolPage(t, {
        csrf: csrfToken(ctx, interactionBinding(interaction.uid)),
        qrSvg: raw(svg),
        groupedKey: current.groupedKey,
        error: error?.message,
        action: `/interaction/${encodeURIComponent(interaction.uid)}/enrol`,
        signIn: { clientName: await clientName(provider, interaction, t), passkeyHref },
      }),
      error?.status,
    );
  }

  /**
   * Finishes the login: the provider's session gets the account, with how the person signed in
   * (amr, acr: authentication-methods.ts), which the ID token carries.
   */
  async function finishLogin(
    ctx: Context,
    interaction: Interaction,
    accountId: string,
    remember: boolean,
    secondFactor?: SecondFactorMethod,
    passkeyDeviceType?: string,
  ): Promise<void> {
    const { amr, acr } = authenticationResult(secondFactor, passkeyDeviceType);
    await events?.succeeded(accountId, remember, { sourceAddress: ctx.ip, clientId: text(interaction.params.client_id) }, amr);
    // remember: false makes oidc-provider's session cookie transient (no Expires): it ends with
    // the browser. The session record itself still expires after ttl.Session either way. A
    // step-up's result names the session's own account: the provider keeps the session and
    // replaces its amr, acr and auth_time, so the next ID token says mfa.
    await finish(ctx, interaction, { login: { accountId, remember, amr, acr } }, false);
  }

  /** The login page: with passkeys on, it loads Sesame's own scripts (views/assets/passkeys.js). */
  function sendLogin(ctx: Context, page: Parameters<typeof sendPage>[1], status?: number): void {
    sendPage(ctx, page, status);
    if (deps.passkeys) ctx.set('Content-Security-Policy', SCRIPT_PAGE_CSP);
  }

  router.use(pageHeaders());
  router.use(interactionErrors());
  if (deps.holdWrites) router.use(holdingWrites(deps.holdWrites));

  router.get('/interaction/:uid', async (ctx) => {
    const { provider, interaction } = await load(ctx, ctx.params.uid);
    if (await refuseScope(ctx, interaction)) return;
    const { uid, prompt } = interaction;
    const t = language(ctx, interaction);
    switch (prompt.name) {
      case 'login': {
        let pending = pendingOf(ctx, uid);
        if (!pending && deps.secondFactors && isStepUp(interaction)) {
          // Step-up: the session's password stands; the second step starts from it.
          pending = { uid, accountId: interaction.session!.accountId, remember: await sessionRemembered(provider, interaction), exp: 0 };
          setPending(ctx, pending);
        }
        if (pending && deps.secondFactors) {
          // No authenticator app: the passkey when they have one (unless they chose to add an app
          // instead), otherwise adding an app.
          if (
            deps.mfa &&
            (await deps.secondFactors.required(pending.accountId)).length === 0 &&
            (ctx.query.use === ADD_APP || !(await hasPasskey(pending.accountId)))
          ) {
            await showEnrolment(ctx, provider, interaction, pending);
            return;
          }
          const form: SecondFactorForm = ctx.query.use === 'recovery-code' ? 'recovery_code' : 'totp';
          await showSecondFactor(ctx, provider, interaction, pending, form);
          return;
        }
        sendLogin(
          ctx,
          loginPage(t, {
            uid,
            csrf: csrfToken(ctx, interactionBinding(uid)),
            clientName: await clientName(provider, interaction, t),
            email: await suggestedEmail(interaction),
            signUp: deps.signUp,
            forgotPassword: deps.passwordReset?.available === true,
            passkey: deps.passkeys !== undefined,
          }),
        );
        return;
      }
      case 'consent': {
        const { details } = prompt;
        sendPage(
          ctx,
          consentPage(t, {
            uid,
            csrf: csrfToken(ctx, interactionBinding(uid)),
            clientName: await clientName(provider, interaction, t),
            // Its registration in the client schema's names, for whatever the page shows of it.
            client: (await clientOf(provider, interaction))?.metadata() ?? {},
            scopes: stringList(details.missingOIDCScope),
            claims: stringList(details.missingOIDCClaims),
            resourceScopes: resourceScopes(details.missingResourceScopes),
          }),
        );
        return;
      }
      case ACCESS_PROMPT: {
        // Outside the app's allowed groups (access-check.ts, audited there): no way on but back to
        // the app (access_denied, through abort) or signing out to use another account.
        sendPage(
          ctx,
          noAccessPage(t, {
            uid,
            csrf: csrfToken(ctx, interactionBinding(uid)),
            clientName: await clientName(provider, interaction, t),
            email: interaction.session?.accountId ? (await deps.accounts.findById?.(interaction.session.accountId))?.email : undefined,
            signOut: provider.pathFor('end_session'),
          }),
          403,
        );
        return;
      }
      default:
        sendPage(ctx, errorPage(t, UNSUPPORTED(t)), 400);
    }
  });

  router.post('/interaction/:uid/login', parseBody, csrf, async (ctx) => {
    const { provider, interaction } = await load(ctx, ctx.params.uid, 'login');
    const body: unknown = ctx.request.body;
    const email = (stringField(body, 'email') ?? '').trim();
    const password = stringField(body, 'password') ?? '';
    const remember = stringField(body, REMEMBER_FIELD) === REMEMBER_VALUE;
    const from = { sourceAddress: ctx.ip, clientId: text(interaction.params.client_id) };
    const usable = email !== '' && password !== '' && email.length <= MAX_EMAIL_LENGTH && password.length <= MAX_PASSWORD_LENGTH;

    const t = language(ctx, interaction);
    const retry = async (status: 401 | 429, retryAfterMs = 0) => {
      if (retryAfterMs > 0) ctx.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      sendLogin(
        ctx,
        loginPage(t, {
          uid: interaction.uid,
          csrf: csrfToken(ctx, interactionBinding(interaction.uid)),
          clientName: await clientName(provider, interaction, t),
          email,
          remember,
          signUp: deps.signUp,
          forgotPassword: deps.passwordReset?.available === true,
          passkey: deps.passkeys !== undefined,
          ...(status === 429 ? { throttledFor: retryAfterMs } : { failed: true }),
        }),
        status,
      );
    };

    // A locked account or address is refused before any password is checked, the right one too.
    const wait = usable && deps.throttle ? await deps.throttle.waitBeforePassword(email, ctx.ip) : 0;
    if (wait > 0) {
      if (throttledReported.first(`${email.toLowerCase()}\n${ctx.ip}`, wait)) await events?.throttled(email, wait, from);
      await retry(429, wait);
      return;
    }

    let account: { accountId: string; isAdmin?: boolean } | undefined;
    try {
      account = usable ? await deps.accounts.authenticate(email, password) : undefined;
    } catch (error) {
      if (!(error instanceof Busy)) throw error;
      ctx.set('Retry-After', '2');
      sendPage(ctx, errorPage(t, BUSY(t)), 503);
      return;
    }

    if (!account) {
      await events?.failed(email, from);
      const outcome = usable && deps.throttle ? await deps.throttle.failed(email, ctx.ip) : undefined;
      const locked = Math.max(outcome?.accountLockedFor ?? 0, outcome?.addressLockedFor ?? 0);
      if (outcome && outcome.accountLockedFor > 0) {
        const user = await deps.accounts.findByEmail?.(email);
        if (user) await events?.locked(user.id, outcome.accountLockedFor, from);
      }
      await retry(locked > 0 ? 429 : 401, locked);
      return;
    }

    // A second factor to come: the account's run of failures is not ended yet (a correct password
    // must not wipe the count of wrong codes, or guessing codes would never lock); the second
    // step ends it when the code works.
    const methods = (await deps.secondFactors?.required(account.accountId)) ?? [];
    // No app, but MFA asked for (MFA_POLICY, the client's require_mfa, the request's acr): the
    // person gives their passkey, or adds an authenticator app when they have none, before the
    // sign-in goes on. Nothing asked for: a passkey alone does not add a second step (the README's
    // "optional" policy: a passkey is a sign-in of its own, and it has no recovery codes).
    const withoutApp =
      methods.length === 0 && deps.secondFactors !== undefined ? await needWithoutApp(provider, interaction, account.accountId, account.isAdmin) : undefined;
    if (methods.length > 0 || withoutApp !== undefined) {
      setPending(ctx, { uid: interaction.uid, accountId: account.accountId, remember });
      ctx.status = 303;
      ctx.redirect(`/interaction/${encodeURIComponent(interaction.uid)}`);
      return;
    }
    await deps.throttle?.succeeded(email);
    await finishLogin(ctx, interaction, account.accountId, remember);
  });

  // The second step: a code from the authenticator app or a recovery code, for the account whose
  // password this interaction verified (the signed marker). Wrong and used codes get the same
  // answer and count as failed sign-ins (second-factors.ts); a lockout refuses before any check.
  router.post('/interaction/:uid/second-factor', parseBody, csrf, async (ctx) => {
    const { provider, interaction } = await load(ctx, ctx.params.uid, 'login');
    const pending = pendingOf(ctx, interaction.uid);
    if (!pending || !deps.secondFactors) throw new InteractionMismatch(EXPIRED);
    const body: unknown = ctx.request.body;
    const method: SecondFactorMethod = stringField(body, 'method') === 'recovery_code' ? 'recovery_code' : 'totp';
    const code = (stringField(body, 'code') ?? '').slice(0, MAX_CODE_LENGTH);
    const by: By = { actor: `user:${pending.accountId}`, sourceAddress: ctx.ip };
    try {
      await deps.secondFactors.verify(pending.accountId, method, code, by, 'sign_in');
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        ctx.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
        await showSecondFactor(ctx, provider, interaction, pending, method, { status: 429, throttledFor: error.retryAfterMs });
        return;
      }
      if (error instanceof WrongCodeError) {
        if (error.lockedForMs > 0) {
          ctx.set('Retry-After', String(Math.ceil(error.lockedForMs / 1000)));
          await showSecondFactor(ctx, provider, interaction, pending, method, { status: 429, throttledFor: error.lockedForMs });
          return;
        }
        await showSecondFactor(ctx, provider, interaction, pending, method, { status: 401, failed: true });
        return;
      }
      throw error;
    }
    clearPending(ctx, interaction.uid);
    await finishLogin(ctx, interaction, pending.accountId, pending.remember, method);
  });

  // Adding an authenticator app inside a sign-in that requires one (MFA_POLICY, the client's
  // require_mfa): the code confirms it (throttled like any code), the login result is stored with
  // amr pwd+otp+mfa, and the recovery codes are shown once with a link on to the app.
  router.post('/interaction/:uid/enrol', parseBody, csrf, async (ctx) => {
    const { provider, interaction } = await load(ctx, ctx.params.uid, 'login');
    const pending = pendingOf(ctx, interaction.uid);
    if (!pending || !deps.mfa) throw new InteractionMismatch(EXPIRED);
    const t = language(ctx, interaction);
    const by: By = { actor: `user:${pending.accountId}`, sourceAddress: ctx.ip };
    let codes: string[];
    try {
      codes = await deps.mfa.enrolment.confirmEnrolment(pending.accountId, (stringField(ctx.request.body, 'code') ?? '').slice(0, MAX_CODE_LENGTH), by);
    } catch (error) {
      const wait = error instanceof TooManyAttemptsError ? error.retryAfterMs : error instanceof WrongCodeError ? error.lockedForMs : undefined;
      if (wait === undefined) throw error;
      if (wait > 0) ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      await showEnrolment(
        ctx,
        provider,
        interaction,
        pending,
        wait > 0 ? { message: t.signIn.throttled(wait), status: 429 } : { message: t.mfa.wrongCode, status: 400 },
      );
      return;
    }
    clearPending(ctx, interaction.uid);
    await finishLogin(ctx, interaction, pending.accountId, pending.remember, 'totp');
    // Not the redirect finish() prepared: the codes first, then on to the provider (an interaction
    // with its result sends a reload on too, so the codes are never shown twice).
    ctx.status = 200;
    ctx.remove('Location');
    sendPage(ctx, recoveryCodesPage(t, { codes, notice: t.mfa.appSetUpSignIn, next: interaction.returnTo }));
  });

  // A passkey as the second factor, for the person whose password this interaction verified (the
  // signed marker). Step 1 (passkeys.js, fetch): options allowing only that person's passkeys, the
  // challenge bound to this interaction and person. Refused while the person or address is locked.
  const secondFactorSubject = (uid: string, accountId: string) => `${interactionBinding(uid)}:second-factor:${accountId}`;
  /** The pending person's email, for the sign-in throttle's per-account count. */
  const emailOf = async (accountId: string) => (await deps.accounts.findById?.(accountId))?.email ?? '';

  router.post('/interaction/:uid/second-factor/passkey/options', parseBody, csrf, async (ctx) => {
    const passkeys = deps.passkeys;
    if (!passkeys) return;
    const { interaction } = await load(ctx, ctx.params.uid, 'login');
    const pending = pendingOf(ctx, interaction.uid);
    if (!pending) throw new InteractionMismatch(EXPIRED);
    ctx.set('Cache-Control', 'no-store');
    const wait = (await deps.throttle?.waitFor(await emailOf(pending.accountId), ctx.ip)) ?? 0;
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      ctx.status = 429;
      ctx.body = { error: language(ctx, interaction).signIn.throttled(wait) };
      return;
    }
    let ceremony;
    try {
      ceremony = await passkeys.startSecondFactor(pending.accountId, secondFactorSubject(interaction.uid, pending.accountId));
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      ctx.status = 400;
      ctx.body = { error: language(ctx, interaction).mfa.passkeyFailed };
      return;
    }
    ctx.cookies.set(PASSKEY_COOKIE, ceremony.token, passkeyCookie(interaction.uid, CHALLENGE_LIFETIME_MS));
    ctx.body = { options: ceremony.options };
  });

  // Step 2 (the form passkeys.js submits): the answer is checked like a passwordless one, and the
  // passkey must be the pending person's. A refusal counts like a wrong code (the person's email
  // and the address), is audited with why, and shows the second step again; a locked person or
  // address gets the 429 page before anything is checked. Success finishes the sign-in.
  router.post('/interaction/:uid/second-factor/passkey', parseBody, csrf, async (ctx) => {
    const passkeys = deps.passkeys;
    if (!passkeys) return;
    const { provider, interaction } = await load(ctx, ctx.params.uid, 'login');
    const pending = pendingOf(ctx, interaction.uid);
    if (!pending) throw new InteractionMismatch(EXPIRED);
    const body: unknown = ctx.request.body;
    const from = { sourceAddress: ctx.ip, clientId: text(interaction.params.client_id) };
    const token = ctx.cookies.get(PASSKEY_COOKIE, { signed: true });
    ctx.cookies.set(PASSKEY_COOKIE, null, passkeyCookie(interaction.uid));
    const email = await emailOf(pending.accountId);
    const locked = async (ms: number) => {
      ctx.set('Retry-After', String(Math.ceil(ms / 1000)));
      await showSecondFactor(ctx, provider, interaction, pending, 'totp', { status: 429, throttledFor: ms });
    };
    const wait = (await deps.throttle?.waitFor(email, ctx.ip)) ?? 0;
    if (wait > 0) {
      await locked(wait);
      return;
    }
    let signedIn;
    try {
      signedIn = await passkeys.authenticate(
        token,
        secondFactorSubject(interaction.uid, pending.accountId),
        stringField(body, 'response') ?? '',
        pending.accountId,
      );
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      await events?.passkeySecondFactorFailed(pending.accountId, error.reason, error.userId, from);
      const outcome = deps.throttle ? await deps.throttle.failed(email, ctx.ip) : undefined;
      if (outcome && outcome.accountLockedFor > 0) await events?.locked(pending.accountId, outcome.accountLockedFor, from);
      const lockedFor = Math.max(outcome?.accountLockedFor ?? 0, outcome?.addressLockedFor ?? 0);
      if (lockedFor > 0) {
        await locked(lockedFor);
        return;
      }
      await showSecondFactor(ctx, provider, interaction, pending, 'totp', { status: 401, passkeyFailed: true });
      return;
    }
    // The passkey worked: the account's run of failures ends, as with a code that works.
    if (email) await deps.throttle?.succeeded(email);
    clearPending(ctx, interaction.uid);
    await finishLogin(ctx, interaction, pending.accountId, pending.remember, 'passkey', signedIn.passkey.deviceType);
  });

  // Passwordless sign-in with a passkey. Step 1 (passkeys.js, fetch): the options for
  // navigator.credentials.get, as JSON; the challenge is bound to this interaction and its token
  // kept in an HttpOnly cookie. Refused while the address is locked out.
  router.post('/interaction/:uid/passkey/options', parseBody, csrf, async (ctx) => {
    const passkeys = deps.passkeys;
    if (!passkeys) return;
    const { interaction } = await load(ctx, ctx.params.uid, 'login');
    ctx.set('Cache-Control', 'no-store');
    const wait = (await deps.throttle?.waitForAddress?.(ctx.ip)) ?? 0;
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      ctx.status = 429;
      ctx.body = { error: language(ctx, interaction).signIn.throttled(wait) };
      return;
    }
    const { token, options } = await passkeys.startAuthentication(interactionBinding(interaction.uid));
    ctx.cookies.set(PASSKEY_COOKIE, token, passkeyCookie(interaction.uid, CHALLENGE_LIFETIME_MS));
    ctx.body = { options };
  });

  // Step 2 (the form passkeys.js submits with the browser's answer): check it and sign in, or the
  // login page again with one message whatever was wrong. Failures count against the address like
  // wrong passwords and are audited with why.
  router.post('/interaction/:uid/passkey', parseBody, csrf, async (ctx) => {
    const passkeys = deps.passkeys;
    if (!passkeys) return;
    const { provider, interaction } = await load(ctx, ctx.params.uid, 'login');
    const body: unknown = ctx.request.body;
    const remember = stringField(body, REMEMBER_FIELD) === REMEMBER_VALUE;
    const from = { sourceAddress: ctx.ip, clientId: text(interaction.params.client_id) };
    const token = ctx.cookies.get(PASSKEY_COOKIE, { signed: true });
    ctx.cookies.set(PASSKEY_COOKIE, null, passkeyCookie(interaction.uid));
    const t = language(ctx, interaction);
    const again = async (status: 401 | 429, retryAfterMs = 0) => {
      if (retryAfterMs > 0) ctx.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      sendLogin(
        ctx,
        loginPage(t, {
          uid: interaction.uid,
          csrf: csrfToken(ctx, interactionBinding(interaction.uid)),
          clientName: await clientName(provider, interaction, t),
          email: await suggestedEmail(interaction),
          remember,
          signUp: deps.signUp,
          forgotPassword: deps.passwordReset?.available === true,
          passkey: true,
          ...(status === 429 ? { throttledFor: retryAfterMs } : { passkeyFailed: true }),
        }),
        status,
      );
    };

    const wait = (await deps.throttle?.waitForAddress?.(ctx.ip)) ?? 0;
    if (wait > 0) {
      await again(429, wait);
      return;
    }
    let signedIn;
    try {
      signedIn = await passkeys.authenticate(token, interactionBinding(interaction.uid), stringField(body, 'response') ?? '');
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      await events?.passkeyFailed(error.reason, error.userId, from);
      const locked = (await deps.throttle?.failedFromAddress?.(ctx.ip)) ?? 0;
      await again(locked > 0 ? 429 : 401, locked);
      return;
    }
    const { accountId, amr, acr } = signedIn;
    await events?.passkeySucceeded(accountId, { id: signedIn.passkey.id, amr }, remember, from);
    await finish(ctx, interaction, { login: { accountId, amr, acr, remember } }, false);
  });

  router.post('/interaction/:uid/confirm', parseBody, csrf, async (ctx) => {
    const { provider, interaction } = await load(ctx, ctx.params.uid, 'consent');
    if (await refuseScope(ctx, interaction)) return;
    const accountId = interaction.session?.accountId;
    const clientId = String(interaction.params.client_id ?? '');
    if (!accountId || !clientId) throw new InteractionMismatch(STALE);
    const { details } = interaction.prompt;

    // Extend the grant this client already has in the session, or start one.
    let grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
    if (grant && (grant.accountId !== accountId || grant.clientId !== clientId)) grant = undefined;
    grant ??= new provider.Grant({ accountId, clientId });

    const scopes = stringList(details.missingOIDCScope);
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
    const claims = stringList(details.missingOIDCClaims);
    if (claims.length > 0) grant.addOIDCClaims(claims);
    for (const [resource, list] of Object.entries(resourceScopes(details.missingResourceScopes))) {
      if (list.length > 0) grant.addResourceScope(resource, list.join(' '));
    }
    const grantId = await grant.save();

    await events?.consented(accountId, { scope: scopes.join(' '), grantId }, { sourceAddress: ctx.ip, clientId });
    await finish(ctx, interaction, { consent: { grantId } }, true);
  });

  router.post('/interaction/:uid/abort', parseBody, csrf, async (ctx) => {
    const { interaction } = await load(ctx, ctx.params.uid, undefined, 'replace');
    const from = { sourceAddress: ctx.ip, clientId: text(interaction.params.client_id) };
    await events?.aborted(interaction.session?.accountId, interaction.prompt.name, from);
    await finish(ctx, interaction, { error: 'access_denied', error_description: 'The user denied the request' }, false);
  });

  return router;
}
