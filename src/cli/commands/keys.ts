// sesame keys list | status | rotate | revoke | rewrap
// The key service only ever hands out views: no private (or public) key material. The rules for
// what a rotation or revocation may do live in the lifecycle (domain/keys/lifecycle.ts); these
// commands apply them and say what changed, one line per algorithm family.
import { rewrapSecrets } from '../../domain/crypto/rewrap-secrets.js';
import { ConflictError } from '../../domain/errors.js';
import { KeyChangeRefused, type AppliedChange, type KeyView } from '../../domain/keys/key-service.js';
import { describeDuration, describeHold, describeReceived, describeShare, describeWindow } from '../../domain/keys/pickup-text.js';
import { flag, optionalString, UsageError, type Command } from '../command.js';
import { table, when } from '../output.js';

/** A change as --json prints it: the service's record, plus when a retired key stops verifying. */
interface ChangeJson extends AppliedChange {
  expires_at?: string | null;
}

const ORDER: Record<AppliedChange['kind'], number> = { revoke: 0, activate: 1, reinstate: 1, retire: 2, delete: 3, create: 4 };

/** What happened to one key, as a phrase: `<kid> is now active`, `new next <kid>`, ... */
function phrase(change: AppliedChange, keys: KeyView[]): string {
  const key = keys.find((k) => k.kid === change.kid);
  switch (change.kind) {
    case 'revoke':
      return `${change.kid} revoked`;
    case 'activate':
      return `${change.kid} is now active`;
    case 'reinstate':
      return `retired ${change.kid} signs again until the next key may take over`;
    case 'retire':
      return `${change.kid} retired until ${when(key?.expires_at)}`;
    case 'delete':
      return `previous retired key ${change.kid} deleted`;
    case 'create':
      return `new ${key?.state ?? 'key'} ${change.kid}`;
  }
}

/** One line per family: `rotated RS256: <kid> is now active, <kid> retired until <time>, new next <kid>`. */
function describeChanges(verb: string, changes: AppliedChange[], keys: KeyView[]): string[] {
  const algs = [...new Set(changes.map((c) => c.alg))];
  return algs.map((alg) => {
    const phrases = changes
      .filter((c) => c.alg === alg)
      .sort((a, b) => ORDER[a.kind] - ORDER[b.kind])
      .map((c) => phrase(c, keys));
    return `${verb} ${alg}: ${phrases.join(', ')}`;
  });
}

function changesJson(changes: AppliedChange[], keys: KeyView[]): ChangeJson[] {
  return changes.map((c) => (c.kind === 'retire' ? { ...c, expires_at: keys.find((k) => k.kid === c.kid)?.expires_at ?? null } : c));
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

const FORCE_RISK =
  'rotated with --force, past the safeguards: an RP whose cached JWKS lacks the new active key fails to verify ' +
  'new tokens until it refetches, and a retired key removed early makes tokens it signed fail verification';

const list: Command = {
  name: 'keys list',
  synopsis: 'keys list',
  summary: 'list signing and encryption keys: kid, alg, use, state and timestamps (never private parts)',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const keys = await (await ctx.container()).keys.list();
    const revoked = keys.some((k) => k.revoked_at);
    // The use column only once there are encryption keys (ENCRYPTION_ALGS): otherwise every key signs.
    const uses = keys.some((k) => k.use === 'enc');
    return {
      json: keys,
      human: keys.length
        ? table(
            ['kid', 'alg', ...(uses ? ['use'] : []), 'state', 'published', 'activated', 'retired', 'expires', ...(revoked ? ['revoked'] : [])],
            keys.map((k) => [
              k.kid,
              k.alg,
              ...(uses ? [k.use] : []),
              k.state,
              when(k.published_at),
              when(k.activated_at),
              when(k.retired_at),
              when(k.expires_at),
              ...(revoked ? [when(k.revoked_at)] : []),
            ]),
          )
        : ['no signing keys yet (the server creates them when it starts)'],
    };
  },
};

const status: Command = {
  name: 'keys status',
  synopsis: 'keys status',
  summary: 'per family: the next key, how many recent JWKS fetchers have received it, when it may activate',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const report = await (await ctx.container()).jwksWatch.status();
    const gate =
      report.gate.share === null
        ? 'off'
        : `${describeShare(report.gate.share)} of recent fetchers, for ${describeDuration(report.gate.max_delay_seconds)} at most`;
    return {
      json: report,
      human: [
        `recent JWKS fetchers (${describeWindow(report.window_seconds)}): ${report.recent_fetchers}`,
        `activation gate (KEY_ACTIVATION_GATE): ${gate}`,
        ...table(
          ['alg', 'next key', 'received by', 'may activate from', 'gate'],
          report.families.map((f) => [f.alg, f.next?.kid ?? '-', f.next ? describeReceived(f) : '-', when(f.next?.eligible_at), describeHold(f.hold)]),
        ),
      ],
    };
  },
};

const rotate: Command = {
  name: 'keys rotate',
  synopsis: 'keys rotate [--alg A] [--force]',
  summary: 'rotate now: next key becomes active, active becomes retired, and a new next key is published',
  help: [
    ['--alg A', 'rotate only this family (one of SIGNING_ALGS or ENCRYPTION_ALGS); default: every family'],
    ['--force', 'rotate even when the rules refuse: the next key published less'],
    ['', 'than JWKS_CACHE_LIFETIME ago (RPs with an older cached JWKS fail'],
    ['', 'to verify new tokens until they refetch), or a retired key that'],
    ['', 'still verifies tokens would be removed (those tokens then fail)'],
  ],
  options: {
    alg: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [],
  prepare(args, io) {
    const alg = optionalString(args, 'alg');
    if (alg !== undefined && alg.trim() === '') throw new UsageError(`${args.command}: --alg must not be empty`);
    const force = flag(args, 'force');
    return async (ctx) => {
      const { keys } = await ctx.container();
      let changes;
      try {
        changes = await keys.rotate({ ...(alg !== undefined ? { alg } : {}), force }, ctx.by);
      } catch (error) {
        // The service's reason names no channel's control: this is the CLI's.
        if (error instanceof KeyChangeRefused && error.forceable) throw new ConflictError(`${error.message}; --force rotates anyway`);
        throw error;
      }
      const after = await keys.list();
      if (force) io.stderr(`sesame: warning: ${FORCE_RISK}\n`);
      return {
        json: { changes: changesJson(changes, after) },
        human: changes.length ? describeChanges('rotated', changes, after) : ['nothing to rotate'],
      };
    };
  },
};

const revoke: Command = {
  name: 'keys revoke',
  synopsis: 'keys revoke KID [--revoke-grants]',
  summary: 'remove a key from the JWKS at once and destroy its private key (compromise)',
  help: [
    ['--revoke-grants', 'also revoke the sessions, grants and tokens issued while the key'],
    ['', 'could sign, and report how many (those people sign in again)'],
    ['-- KID', 'a kid that starts with - goes after --'],
  ],
  options: {
    'revoke-grants': { type: 'boolean' },
  },
  positionals: ['KID'],
  prepare(args, io) {
    const kid = args.positionals[0]!;
    const revokeGrants = flag(args, 'revoke-grants');
    return async (ctx) => {
      const container = await ctx.container();
      const signed = (await container.keys.list()).some((k) => k.kid === kid && k.activated_at !== null && k.use === 'sig');
      const result = await container.keys.revoke(kid, { revokeGrants }, ctx.by);
      const after = await container.keys.list();
      const human = describeChanges('revoked', result.changes, after);
      // Like --force's: the operator must see what the promotion risks, on stderr even with --json.
      for (const warning of result.warnings) io.stderr(`sesame: warning: ${warning}\n`);
      if (result.revokedGrants !== undefined) human.push(`revoked ${result.revokedGrants} sessions, grants and tokens`);
      else if (signed) human.push('sessions and grants from while it signed are kept; --revoke-grants ends them too');
      human.push(`running instances stop serving ${kid} within a second (KEY_SYNC_INTERVAL, ${seconds(container.config.keySyncInterval)}, at the latest)`);
      return {
        json: {
          changes: changesJson(result.changes, after),
          warnings: result.warnings,
          ...(result.revokedGrants !== undefined ? { revoked_grants: result.revokedGrants } : {}),
        },
        human,
      };
    };
  },
};

const rewrap: Command = {
  name: 'keys rewrap',
  synopsis: 'keys rewrap',
  summary: 're-encrypt private keys and client secrets under the first value of KEY_ENCRYPTION_SECRET=NEW,OLD',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const { signing_keys: signingKeys, client_secrets: clientSecrets } = await rewrapSecrets(await ctx.container(), ctx.by);
    const human = [`re-encrypted ${signingKeys} signing keys and ${clientSecrets} client secrets under the current KEY_ENCRYPTION_SECRET`];
    if (signingKeys + clientSecrets > 0) {
      human.push('every instance needs that secret in its KEY_ENCRYPTION_SECRET to open them; older secrets can now be removed');
    }
    return { json: { signing_keys: signingKeys, client_secrets: clientSecrets }, human };
  },
};

export const keyCommands: Command[] = [list, status, rotate, revoke, rewrap];
