// /sign-up (SIGNUP=open and mail on; otherwise the routes do not exist: 404). The form's checks
// are answered on the form; once they pass, the answer is the "check your mail" page, the same
// page in the same time whether the address had an account or not (src/domain/accounts/sign-up.ts).
// Throttled per source address before anything else (429), and per recipient for the mails.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Messages } from '../../../views/i18n/catalogue.js';
import { selfServiceMails } from '../../../views/self-service/mails.js';
import { checkMailPage, signUpPage, type SignUpView } from '../../../views/self-service/sign-up.js';
import { asEmailAddress } from '../../domain/accounts/account-service.js';
import { MIN_PASSWORD_LENGTH } from '../../domain/accounts/password.js';
import type { SelfService } from '../../domain/accounts/email-verification.js';
import { SignUpRefused, type SignUp } from '../../domain/accounts/sign-up.js';
import { OncePerWindow } from '../../domain/throttling/once-per-window.js';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services.js';
import { csrfToken } from '../middleware/csrf.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';
import {
  anonymous,
  createEmailVerificationRouter,
  formField,
  interactionParam,
  parseForm,
  pendingSignIn,
  SELF_SERVICE_BINDING,
  selfServiceCsrf,
} from './email-verification.js';

export interface SignUpRouterDeps {
  selfService: SelfService;
  signUp: SignUp;
  provider(): Provider;
  accounts: Services['accounts'];
  audit: Services['audit'];
  /** SIGNUP_DOMAINS (empty: any). */
  domains: readonly string[];
  log: Logger;
}

const MAX_FIELD = 1024;

export function createSignUpRouter(deps: SignUpRouterDeps): Router {
  const { selfService, signUp, domains } = deps;
  const router = new Router();
  const throttledReported = new OncePerWindow();

  async function page(ctx: Context, t: Messages, view: Omit<SignUpView, 'csrf' | 'domains' | 'minPasswordLength' | 'clientName'>, status?: number) {
    const signIn = await pendingSignIn(deps.provider(), view.interaction, t);
    sendPage(
      ctx,
      signUpPage(t, {
        ...view,
        interaction: signIn?.interaction,
        clientName: signIn?.clientName,
        csrf: csrfToken(ctx, SELF_SERVICE_BINDING),
        domains,
        minPasswordLength: MIN_PASSWORD_LENGTH,
      }),
      status,
    );
  }

  router.get('/sign-up', async (ctx) => {
    await page(ctx, messagesOf(ctx), { interaction: interactionParam(ctx) });
  });

  router.post('/sign-up', parseForm(), selfServiceCsrf(), async (ctx) => {
    const t = messagesOf(ctx);
    const email = formField(ctx, 'email').trim().slice(0, MAX_FIELD);
    const name = formField(ctx, 'name').slice(0, MAX_FIELD);
    const password = formField(ctx, 'password').slice(0, MAX_FIELD + 1);
    const interaction = interactionParam(ctx);

    const wait = await selfService.throttle.use('sign-up', ctx.ip);
    if (wait > 0) {
      if (throttledReported.first(`sign-up\n${ctx.ip}`, wait)) {
        const typed = asEmailAddress(email);
        await deps.audit.record(anonymous(ctx), {
          action: 'signup.throttled',
          ...(typed ? { target: typed } : {}),
          details: { retry_after: Math.ceil(wait / 1000) },
        });
      }
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      await page(ctx, t, { interaction, email, name, throttledFor: wait }, 429);
      return;
    }

    try {
      await signUp.signUp({ email, name, password }, selfServiceMails(t), anonymous(ctx), interaction);
    } catch (error) {
      if (!(error instanceof SignUpRefused)) throw error;
      await page(ctx, t, { interaction, email, name, problem: error.problem, passwordRule: error.rule }, 400);
      return;
    }
    sendPage(ctx, checkMailPage(t, { email: asEmailAddress(email) ?? email, interaction }));
  });

  return router;
}

export interface SelfServiceRoutersDeps {
  services: Pick<Services, 'accounts' | 'audit' | 'mailer' | 'selfService' | 'signUp'>;
  provider(): Provider;
  signup: { open: boolean; domains: readonly string[] };
  log: Logger;
}

/**
 * The self-service routes to mount: email verification whenever mail can be sent, sign-up when
 * SIGNUP=open as well (mail off turns sign-up off: nobody could verify). `signUpOpen` says
 * whether the sign-in page shows "Create account".
 */
export function selfServiceRouters(deps: SelfServiceRoutersDeps): { routers: Router[]; signUpOpen: boolean } {
  if (!deps.services.mailer.available) return { routers: [], signUpOpen: false };
  const { selfService } = deps.services;
  const routers = [createEmailVerificationRouter({ selfService, provider: deps.provider, audit: deps.services.audit })];
  if (!deps.signup.open) return { routers, signUpOpen: false };
  routers.push(
    createSignUpRouter({
      selfService,
      signUp: deps.services.signUp,
      provider: deps.provider,
      accounts: deps.services.accounts,
      audit: deps.services.audit,
      domains: deps.signup.domains,
      log: deps.log,
    }),
  );
  return { routers, signUpOpen: true };
}
