// People creating their own account (SIGNUP=open; off by default). The form's checks come first and
// say nothing about accounts: a valid address, an allowed domain (SIGNUP_DOMAINS), a name, a
// password that passes checkPassword. Then, whatever the address:
// - no account there: one is created, waiting (signupPending: it cannot sign in), and a
//   verification link goes to the address; opening it ends the wait (email-verification.ts);
// - an account there already (verified, unverified or itself waiting): nothing is created or
//   changed, and the address gets a note ("someone tried to create an account with your address")
//   instead of a link.
// The person sees the same "check your mail" page either way, and it takes the same time by
// construction: the answer is sent once the checks pass, and everything that depends on the
// address (the lookup, the password hash, the account, the mail) runs after it, in the background.
// What the background work cannot do (the database is down, too many hashes at once) is logged;
// the person, told to check their mail, finds none and can try again.
import type { Logger } from '../../logger.js';
import type { AuditRecorder, By } from '../audit/actions.js';
import { ConflictError, ValidationError } from '../errors.js';
import { asEmailAddress, checkName, type AccountService } from './account-service.js';
import type { EmailVerification, SelfServiceMailWriter } from './email-verification.js';
import { checkPassword, PasswordRuleError, type PasswordRule } from './password.js';

export interface SignUpInput {
  email: string;
  name: string;
  password: string;
}

/** Why the form was not accepted: each has its own message on the page. */
export type SignUpProblem = 'email' | 'domain' | 'name' | 'password';

export class SignUpRefused extends Error {
  override name = 'SignUpRefused';
  constructor(
    readonly problem: SignUpProblem,
    /** Which password rule failed (problem 'password'). */
    readonly rule?: PasswordRule,
  ) {
    super(`sign-up refused: ${problem}`);
  }
}

export interface SignUpDeps {
  accounts: Pick<AccountService, 'create' | 'findByEmail' | 'hashAndForget'>;
  verification: Pick<EmailVerification, 'sendLink' | 'deliver' | 'resendUrl'>;
  audit: AuditRecorder;
  /** Lower-cased domains allowed to sign up; empty: any. */
  domains: readonly string[];
  log: Logger;
}

/** Whether `email`'s domain is one of `domains` (exactly: a subdomain is another domain). */
export function domainAllowed(email: string, domains: readonly string[]): boolean {
  return domains.length === 0 || domains.includes(email.slice(email.lastIndexOf('@') + 1));
}

export function createSignUp(deps: SignUpDeps) {
  const { accounts, verification, audit, log } = deps;
  const inFlight = new Set<Promise<void>>();

  async function proceed(email: string, name: string | null, password: string, mails: SelfServiceMailWriter, by: By, interaction?: string) {
    const existing = await accounts.findByEmail(email);
    if (!existing) {
      try {
        const user = await accounts.create({ email, password, ...(name ? { name } : {}), signupPending: true }, by);
        await verification.sendLink(user, email, 'sign-up', mails, interaction);
        await audit.record(by, { action: 'user.signed_up', target: `user:${user.id}`, details: { email } });
        return;
      } catch (error) {
        // Someone else's sign-up for this address won the race: this one is the "existing" case.
        if (!(error instanceof ConflictError)) throw error;
      }
    } else {
      // What creating would have cost, so the machine is as busy either way.
      await accounts.hashAndForget(password);
    }
    const holder = existing ?? (await accounts.findByEmail(email));
    verification.deliver(email, mails.signUpExisting(verification.resendUrl(interaction)));
    if (holder) await audit.record(by, { action: 'signup.existing_email', target: `user:${holder.id}`, details: { email } });
  }

  return {
    /**
     * Checks the form (SignUpRefused says what is wrong) and, once it passes, goes on in the
     * background: the caller answers "check your mail" at once, whatever the address.
     */
    async signUp(input: SignUpInput, mails: SelfServiceMailWriter, by: By, interaction?: string): Promise<void> {
      const email = asEmailAddress(input.email);
      if (!email) throw new SignUpRefused('email');
      if (!domainAllowed(email, deps.domains)) throw new SignUpRefused('domain');
      let name: string | null;
      try {
        name = checkName(input.name);
      } catch {
        throw new SignUpRefused('name');
      }
      if (!name) throw new SignUpRefused('name');
      try {
        // The rule of every password (length, not the address or name, not easily guessed).
        await checkPassword(input.password, { email, name });
      } catch (error) {
        if (error instanceof PasswordRuleError) throw new SignUpRefused('password', error.rule);
        if (error instanceof ValidationError) throw new SignUpRefused('password');
        throw error;
      }
      // Started on a later turn of the event loop, once the answer is written: the lookup and the
      // hash must not delay it, or its timing would tell whether the address has an account.
      const work = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => proceed(email, name, input.password, mails, by, interaction))
        .catch((error: unknown) => log.error('sign-up could not be completed', { err: error }))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },

    /** Resolves when the sign-ups under way have finished (tests; shutdown). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

export type SignUp = ReturnType<typeof createSignUp>;
