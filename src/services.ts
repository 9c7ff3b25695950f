// What Sesame's parts are made of, by name. Each router, hook and command asks for the few it uses
// with Pick<Services, ...>; only the composition roots (server.ts for the server, cli/run.ts for the
// CLI, container.ts building both) hold them all.
import type { Config } from './config.js';
import type { createAttemptStore } from './db/attempt-store.js';
import type { createOidcPayloadRepository } from './db/oidc-payload-repository.js';
import type { AccountService } from './domain/accounts/account-service.js';
import type { ConsoleSessionService } from './domain/accounts/console-sessions.js';
import type { UserSessionService } from './domain/accounts/user-sessions.js';
import type { AuditService } from './domain/audit/audit-service.js';
import type { createClientService } from './domain/clients/client-service.js';
import type { KeyService } from './domain/keys/key-service.js';
import type { KeyEventService } from './domain/keys/key-events.js';
import type { JwksWatch } from './domain/keys/jwks-watch.js';
import type { SecretThrottle } from './domain/throttling/secret-throttle.js';
import type { SignInThrottle } from './domain/throttling/sign-in-throttle.js';
import type { EmailTokenService } from './domain/accounts/email-tokens.js';
import type { InvitationService } from './domain/accounts/invitations.js';
import type { PasswordResetService } from './domain/accounts/password-reset.js';
import type { SecondFactorService } from './domain/accounts/second-factors.js';
import type { PasskeyService } from './domain/accounts/passkeys.js';
import type { Logger } from './logger.js';
import type { Mailer } from './mail/mailer.js';
import type { SelfService } from './domain/accounts/email-verification.js';
import type { SignUp } from './domain/accounts/sign-up.js';
import type { GroupService } from './domain/groups/group-service.js';
import type { AccessRules } from './domain/groups/access.js';
import type { AccessExplainer } from './domain/access/explain.js';
import type { ConfigurationService } from './domain/configuration/apply-service.js';

export interface Services {
  config: Config;
  log: Logger;
  accounts: AccountService;
  clients: ReturnType<typeof createClientService>;
  keys: KeyService;
  /** Key state changes as CloudEvents, stored for the webhook receivers, and their deliveries. */
  keyEvents: KeyEventService;
  /** Who fetches /jwks, how many hold each next key (`keys status`), and KEY_ACTIVATION_GATE. */
  jwksWatch: JwksWatch;
  payloads: ReturnType<typeof createOidcPayloadRepository>;
  audit: AuditService;
  userSessions: UserSessionService;
  /** Failed sign-ins and the lockouts they earn. */
  signInThrottle: SignInThrottle;
  /** Failed client authentications and bearer tokens, and the lockouts they earn. */
  secretThrottle: SecretThrottle;
  attempts: ReturnType<typeof createAttemptStore>;
  /** Single-use links sent by mail (password reset, invitation, email verification). */
  emailTokens: EmailTokenService;
  /** Sends mails (SMTP, or the development outbox); `available` is false when mail is off. */
  mailer: Mailer;
  /** Forgot password: reset links by mail, and setting a password with one. */
  passwordReset: PasswordResetService;
  /** People added without a password, who choose one from a mailed link. */
  invitations: InvitationService;
  /** Email verification (sign-up, email changes, resent links) and the throttle of its forms and mails. */
  selfService: SelfService;
  /** People creating their own accounts (SIGNUP=open); its work runs after the answer. */
  signUp: SignUp;
  /** Authenticator apps and recovery codes: enrolment, the sign-in's second step, admins' resets. */
  secondFactors: SecondFactorService;
  /** Passkeys (WebAuthn): adding them on the account page, signing in with one. */
  passkeys: PasskeyService;
  /** Declarative configuration: `sesame apply`, `sesame export`, SESAME_CONFIG. */
  configuration: ConfigurationService;
  /** Signed-in admin console sessions. */
  consoleSessions: ConsoleSessionService;
  /** Groups of people and their members. */
  groups: GroupService;
  /** Per-app access rules: whether a person may use a client (its allowed_groups). */
  access: AccessRules;
  /** Whether a person may use a client, by which rule, and the claims they would get (domain/access/explain.ts). */
  explain: AccessExplainer;
}
