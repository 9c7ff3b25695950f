// The admin console at /admin: server-rendered pages that work without JavaScript, for people
// with the admin role. Sign-in is Sesame's own authorization code flow (sign-in.ts, session.ts);
// every POST carries the page's CSRF token (middleware/csrf.ts) and answers with a redirect (or,
// for a new secret, a page shown once). The pages call the same services as the admin API and the
// CLI, passing the signed-in admin and the request's address (context.ts `by`), and the services
// record the same audit records. One file per resource, as in the admin API; this file only
// composes them.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Services } from '../../services.js';
import { verifyCsrf } from '../middleware/csrf.js';
import { auditRoutes } from './audit.js';
import { clientRoutes } from './clients.js';
import { groupRoutes } from './groups.js';
import { consoleHeaders, csrfBinding, type ConsoleRoutes } from './context.js';
import { keyEventRoutes } from './key-events.js';
import { keyRoutes } from './keys.js';
import { overviewRoutes } from './overview.js';
import { consoleClient } from './own-client.js';
import { ConsoleSignIn } from './session.js';
import { requireAdmin, signInRoutes, type SignInDeps } from './sign-in.js';
import { userPageRoutes } from './user.js';
import { userRoutes } from './users.js';
import { mailedLinkRoutes } from './mailed-links.js';

/** What the console's pages use, and nothing else. */
export type ConsoleServices = Pick<
  Services,
  | 'accounts'
  | 'userSessions'
  | 'clients'
  | 'keys'
  | 'keyEvents'
  | 'jwksWatch'
  | 'audit'
  | 'log'
  | 'consoleSessions'
  | 'signInThrottle'
  | 'config'
  | 'invitations'
  | 'passwordReset'
  | 'secondFactors'
  | 'groups'
  | 'explain'
>;

export interface ConsoleDeps {
  services: ConsoleServices;
  issuer: string;
}

export function createConsoleRouter({ services, issuer }: ConsoleDeps): Router {
  // Registered at start-up (setUpConsoleClient), always under the same fixed client_id.
  const client = consoleClient(issuer);
  const { accounts, audit, log, consoleSessions } = services;
  const signInDeps: SignInDeps = {
    accounts,
    audit,
    log,
    consoleSessions,
    issuer,
    client,
    signIn: new ConsoleSignIn(issuer, client),
    mfaPolicy: services.config.mfaPolicy,
  };
  const guard = requireAdmin(signInDeps);
  const parseBody = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });

  const routes: ConsoleRoutes = {
    router: new Router(),
    get: [consoleHeaders, guard],
    // The session first: the form's token is bound to it.
    post: [consoleHeaders, parseBody, guard, verifyCsrf(csrfBinding)],
  };

  // In this order: a static path (/admin/clients/new) is registered before the :id it would match.
  signInRoutes(routes, signInDeps);
  overviewRoutes(routes, services);
  clientRoutes(routes, services);
  // Before userRoutes: /admin/users/invite is a static path.
  mailedLinkRoutes(routes, services);
  userRoutes(routes, services);
  userPageRoutes(routes, services);
  groupRoutes(routes, services);
  // Before keyRoutes: /admin/keys/events is a static path.
  keyEventRoutes(routes, services);
  keyRoutes(routes, services);
  auditRoutes(routes, services);
  return routes.router;
}
