// Composition root: database → repositories → services. The server, the CLI and the tests all
// build their services here, so none of them can drift from the others.
import type { Config } from './config.js';
import type { Services } from './services.js';
import { createChangeFeed, type ChangeFeed } from './db/change-feed.js';
import { createClientRepository } from './db/client-repository.js';
import { openDatabase, type Database } from './db/database.js';
import { createSigningKeyRepository } from './db/signing-key-repository.js';
import { createUserRepository } from './db/user-repository.js';
import { createAuditRepository } from './db/audit-repository.js';
import { createAttemptStore } from './db/attempt-store.js';
import { createConsoleSessionRepository } from './db/console-session-repository.js';
import { createAccountService } from './domain/accounts/account-service.js';
import { createConsoleSessionService } from './domain/accounts/console-sessions.js';
import { createPasswordHasher } from './domain/accounts/password.js';
import { createUserSessionService } from './domain/accounts/user-sessions.js';
import { createAuditService, reportNotStored } from './domain/audit/audit-service.js';
import { createClientService } from './domain/clients/client-service.js';
import { SecretBox } from './domain/crypto/secret-box.js';
import { createKeyService, type KeyService } from './domain/keys/key-service.js';
import { createJwksWatch } from './domain/keys/jwks-watch.js';
import { createKeyEventRepository } from './db/key-event-repository.js';
import { createKeyEventService, withKeyEvents } from './domain/keys/key-events.js';
import { createKeyStore } from './domain/keys/key-store.js';
import { encryptionRetention, retiredRetention } from './domain/keys/lifecycle.js';
import { createJwksFetcherRepository } from './db/jwks-fetcher-repository.js';
import { AttemptThrottle } from './domain/throttling/attempt-throttle.js';
import { createSecretThrottle } from './domain/throttling/secret-throttle.js';
import { createSignInThrottle } from './domain/throttling/sign-in-throttle.js';
import { createOidcPayloadRepository } from './db/oidc-payload-repository.js';
import { createRequestWrites } from './db/request-writes.js';
import { createEmailTokenRepository } from './db/email-token-repository.js';
import { createEmailTokenService } from './domain/accounts/email-tokens.js';
import { createInvitationService } from './domain/accounts/invitations.js';
import { createPasswordResetService } from './domain/accounts/password-reset.js';
import { createSecondFactorRepository } from './db/second-factor-repository.js';
import { TotpReadAhead } from './db/totp-read-ahead.js';
import { PersonReadAhead } from './db/person-read-ahead.js';
import { createSecondFactorService } from './domain/accounts/second-factors.js';
import { createRequestQuota } from './domain/throttling/request-quota.js';
import { composeLinkMail } from '../views/mail/links.js';
import { createPasskeyRepository } from './db/passkey-repository.js';
import { createPasskeyService } from './domain/accounts/passkeys.js';
import type { Logger } from './logger.js';
import { createMailer } from './mail/mailer.js';
import { createEmailVerification } from './domain/accounts/email-verification.js';
import { createSignUp } from './domain/accounts/sign-up.js';
import { createGroupRepository } from './db/group-repository.js';
import { createGroupService } from './domain/groups/group-service.js';
import { createAccessRules } from './domain/groups/access.js';
import { createAccessExplainer } from './domain/access/explain.js';
import { appClaimsOf } from './domain/claims/sources.js';
import { createSelfServiceThrottle } from './domain/throttling/self-service-throttle.js';
import { createConfigurationService } from './domain/configuration/apply-service.js';

export interface Container extends Services {
  db: Database;
  /** Where services announce changes that every instance must act on (change-watcher.ts hears them). */
  changes: ChangeFeed;
  close(): Promise<void>;
}

/** What an emergency key revocation with --revoke-grants removes. */
const ISSUED_UNDER_A_KEY = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode', 'Interaction'];

export interface ContainerOptions {
  /** The clock for key decisions (tests move it; everything else uses real time). */
  now?: () => Date;
  /** Count the statements sent to the database (db.statements()): tests of the statement budget. */
  countStatements?: boolean;
}

export async function createContainer(config: Config, log: Logger, options: ContainerOptions = {}): Promise<Container> {
  const db = await openDatabase(config.database, { countStatements: options.countStatements === true });
  const box = new SecretBox(config.keyEncryptionSecrets);
  // KEY_STORE: sealed in the key table, or in an HSM token (opened on first use of a key).
  const keyStore = await createKeyStore(config.keyStore, { box, rsaModulusLength: config.rsaModulusLength });
  const changes = createChangeFeed(db, config.database.url);
  // A request's writes of the provider's rows, and its audit records, go out together when it has its answer.
  const requestWrites = createRequestWrites(db.sql, db.provider, (error, records) =>
    reportNotStored(
      log,
      error,
      records.map((record) => record.action),
    ),
  );
  const payloads = createOidcPayloadRepository(db.prisma, db.sql, requestWrites);
  // First: every service below records its own changes in it.
  const audit = createAuditService(createAuditRepository(db.prisma, db.sql, requestWrites), log);
  const userSessions = createUserSessionService(payloads, audit);
  // A sign-in's lock check reads the person along, for the password check after it.
  const personReadAhead = new PersonReadAhead();
  const attempts = createAttemptStore(db.prisma, db.sql, personReadAhead);
  const { throttle: limits } = config;
  const throttle = new AttemptThrottle(attempts, limits);
  const emailTokens = createEmailTokenService(createEmailTokenRepository(db.prisma));
  const mailer = createMailer(config.mail, log);
  const signInThrottle = createSignInThrottle(throttle, {
    maxFailures: limits.loginMaxFailures,
    maxFailuresPerAddress: limits.loginMaxFailuresPerAddress,
  });
  // A sign-in's read of the person brings their authenticator app along for the next step.
  const totpReadAhead = new TotpReadAhead();
  const secondFactorRepository = createSecondFactorRepository(db.prisma, db.sql, totpReadAhead);
  const accounts = createAccountService(createUserRepository(db.prisma, db.sql, totpReadAhead, personReadAhead), {
    audit,
    forgetSecondFactors: (id) => secondFactorRepository.deleteAll(id),
    endSessions: (id) => userSessions.endAll(id),
    voidLinks: (id) => emailTokens.voidFor(id),
    lockouts: signInThrottle,
    attempts: signInThrottle,
    endOtherSessions: (id, keepUid) => userSessions.endAllExcept(id, keepUid),
    hasher: createPasswordHasher(config.passwordHashConcurrency),
    changes,
  });
  const selfServiceThrottle = createSelfServiceThrottle(attempts);
  const verification = createEmailVerification({
    accounts,
    tokens: emailTokens,
    mailer,
    throttle: selfServiceThrottle,
    audit,
    issuer: config.issuer,
    log,
  });
  const passkeys = createPasskeyService({ repository: createPasskeyRepository(db.prisma), accounts, audit, issuer: config.issuer });
  const secondFactors = createSecondFactorService({
    repository: secondFactorRepository,
    box,
    audit,
    attempts: signInThrottle,
    users: accounts,
    passkeys,
    issuer: config.issuer,
  });
  // Each key change the key service records becomes a key event too (delivered by the server).
  const keyEvents = createKeyEventService(createKeyEventRepository(db.prisma), { issuer: config.issuer, log });
  const keyAudit = withKeyEvents(audit, keyEvents);
  const linkMails = { emailTokens, mailer, audit, log, issuer: config.issuer, compose: composeLinkMail };
  const keyPolicy = {
    rotationInterval: config.keyRotationInterval,
    jwksCacheLifetime: config.jwksCacheLifetime,
    retiredRetention: retiredRetention(config.ttl),
    syncMargin: config.keySyncInterval,
  };
  // The watch counts against the key list and the key service asks its gate: each needs the other.
  const jwksWatch = createJwksWatch(createJwksFetcherRepository(db.prisma), {
    gate: { share: config.jwksWatch.activationGate, maxDelay: config.jwksWatch.activationGateMaxDelay },
    retention: config.jwksWatch.fetcherRetention,
    policy: keyPolicy,
    listKeys: () => keyService.list(),
    digest: (value) => box.digests(value, 'jwks-fetcher')[0]!,
    audit: keyAudit,
    log,
    ...(options.now ? { now: options.now } : {}),
  });
  const keyService: KeyService = createKeyService(createSigningKeyRepository(db.prisma, db.provider), box, {
    algs: config.signingAlgs,
    rsaModulusLength: config.rsaModulusLength,
    policy: keyPolicy,
    encryption: {
      algs: config.encryptionAlgs,
      retiredRetention: encryptionRetention({ jwksCacheLifetime: config.jwksCacheLifetime, requestObjectLifetime: config.requestObjectLifetime }),
    },
    log,
    revokeIssuedBefore: (end) => payloads.deleteCreatedBefore(ISSUED_UNDER_A_KEY, end),
    audit: keyAudit,
    changes,
    store: keyStore,
    activationGate: (due, at) => jwksWatch.admit(due, at),
    ...(options.now ? { now: options.now } : {}),
  });
  const groupRepository = createGroupRepository(db.prisma);
  const clients = createClientService(createClientRepository(db.prisma), box, { signingAlgs: config.signingAlgs, issuer: config.issuer }, audit, {
    changes,
    groups: groupRepository,
  });
  const invitations = createInvitationService({ accounts, ...linkMails });
  const groups = createGroupService({ groups: groupRepository, accounts, clients, audit });
  const access = createAccessRules({
    allowedGroups: (clientId) => clients.allowedGroups(clientId),
    isMemberOfAny: (userId, names) => groupRepository.isMemberOfAny(userId, names),
    audit,
  });
  return {
    config,
    log,
    db,
    changes,
    accounts,
    groups,
    access,
    explain: createAccessExplainer({
      accounts,
      clients,
      access,
      groupsOf: async (userId) => (await groups.groupsOf(userId)).map((group) => group.name),
      // The same claim sources as the provider's (providerDepsFor).
      claims: appClaimsOf({ clients, groups }),
    }),
    secondFactors,
    passwordReset: createPasswordResetService({ accounts, quota: createRequestQuota(attempts), ...linkMails }),
    invitations,
    selfService: { verification, throttle: selfServiceThrottle },
    signUp: createSignUp({ accounts, verification, audit, domains: config.signup.domains, log }),
    attempts,
    emailTokens,
    mailer,
    passkeys,
    consoleSessions: createConsoleSessionService(createConsoleSessionRepository(db.prisma)),
    signInThrottle,
    secretThrottle: createSecretThrottle(throttle, {
      clientMaxFailures: limits.clientMaxFailures,
      maxFailuresPerAddress: limits.tokenMaxFailuresPerAddress,
    }),
    userSessions,
    clients,
    configuration: createConfigurationService({ clients, accounts, invitations, groups }),
    payloads,
    audit,
    keyEvents,
    keys: keyService,
    jwksWatch,
    close: async () => {
      mailer.close();
      await keyStore.close();
      await db.close();
    },
  };
}
