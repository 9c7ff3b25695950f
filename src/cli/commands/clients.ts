// sesame clients create | update | list | show | delete | rotate-secret | initial-token
// A client secret is printed twice in its life at most: by create and by rotate-secret.
// An initial access token (for dynamic registration at /reg) is printed once, by initial-token.
import { parseDuration } from '../../config.js';
import type { ClientView, ClientWithSecret } from '../../domain/clients/client-service.js';
import { parseClientChanges, parseClientRegistration } from '../../domain/clients/schema.js';
import { CLAIM_HELP, CLAIM_OPTIONS, checkClaimFlags, claimsFromFlags, describeClaims, givesClaims } from './claim-flags.js';
import {
  describeGroupsClaim,
  givesGroupsClaim,
  GROUPS_CLAIM_HELP,
  GROUPS_CLAIM_OPTIONS,
  groupsClaimFromFlags,
  NO_GROUPS_CLAIM_OPTION,
} from './groups-claim-flags.js';
import { changedFields, clientFlagOptions, derivedHelp, givenFields } from './client-flags.js';
import { flag, optionalString, requiredString, strings, UsageError, type Command, type ParsedArgs, type Run } from '../command.js';
import { fields, table, when } from '../output.js';
import { DEFAULT_INITIAL_TOKEN_LIFETIME, MAX_INITIAL_TOKEN_LIFETIME } from '../../oidc/initial-access-token.js';

const clientType = (client: ClientView) => (client.token_endpoint_auth_method === 'none' ? 'public' : 'confidential');
/** How a confidential client authenticates, for the human lines: ` (client_secret_post)`. */
const authNote = (client: ClientView) => (client.token_endpoint_auth_method === 'none' ? '' : ` (${client.token_endpoint_auth_method})`);

/** What `--admin` makes: a machine client for the admin API (client credentials, scope admin). */
const ADMIN_CLIENT = { grant_types: ['client_credentials' as const], scope: 'admin' };
const ADMIN_DEFAULT_NAME = 'Sesame admin';
/** Options that describe a relying party, which an --admin client is not. */
const NOT_WITH_ADMIN = [
  'redirect-uri',
  'post-logout-redirect-uri',
  'backchannel-logout-uri',
  'public',
  'grant-type',
  'scope',
  'id-token-alg',
  'resource',
  'resource-server',
  'require-pkce',
  'no-require-pkce',
  'rotate-refresh-tokens',
  'no-rotate-refresh-tokens',
  'require-mfa',
  'no-require-mfa',
  'allowed-group',
  'groups-claim',
  'groups-claim-include',
  'token-endpoint-auth-method',
  'token-endpoint-auth-signing-alg',
  'jwks',
  'jwks-uri',
  'backchannel-logout-session-required',
  'no-backchannel-logout-session-required',
  'frontchannel-logout-uri',
  'frontchannel-logout-session-required',
  'no-frontchannel-logout-session-required',
  'extra-claims',
  'claim',
];

/** The flags `clients create --help` describes by hand; the rest describe themselves (client-flags.ts). */
const WRITTEN_HELP = new Set([
  'name',
  'redirect-uri',
  'post-logout-redirect-uri',
  'backchannel-logout-uri',
  'grant-type',
  'scope',
  'id-token-alg',
  'resource',
  'resource-server',
  'token-endpoint-auth-method',
]);

function secretLines(client: ClientWithSecret, verb: string): string[] {
  if (!client.client_secret) return [];
  return [
    `client_secret: ${client.client_secret}`,
    `The secret is ${verb} only once and stored encrypted: copy it now. A lost secret cannot be`,
    `shown again; replace it with: sesame clients rotate-secret ${client.client_id}`,
  ];
}

const create: Command = {
  name: 'clients create',
  synopsis: [
    'clients create --name N --redirect-uri U [--redirect-uri U ...]',
    '               [--post-logout-redirect-uri U ...] [--backchannel-logout-uri U]',
    '               [--no-backchannel-logout-session-required]',
    '               [--frontchannel-logout-uri U] [--no-frontchannel-logout-session-required]',
    '               [--public] [--grant-type G ...] [--scope "openid profile email"]',
    '               [--id-token-alg A] [--resource URI ...] [--resource-server]',
    '               [--no-require-pkce] [--rotate-refresh-tokens] [--require-mfa]',
    '               [--token-endpoint-auth-method M] [--token-endpoint-auth-signing-alg A]',
    '               [--jwks JSON|@FILE | --jwks-uri U] [--allowed-group NAME ...]',
    '               [--jwks JSON|@FILE | --jwks-uri U] [--claim NAME=@ATTRIBUTE|NAME=TEXT ...]',
    '               [--groups-claim-include all|G ... [--groups-claim NAME]]',
    'clients create --admin [--name N]',
  ].join('\n'),
  summary: 'register a relying party (--admin: a client for the admin API); prints client_id and its secret',
  help: [
    ['--name N', 'name shown on the consent page'],
    ['--redirect-uri U', 'exact callback URI, repeatable: https, http only on localhost,'],
    ['', 'or com.example.app:/callback for --public native apps;'],
    ['', 'no fragments (#) or wildcards (*)'],
    ['--post-logout-redirect-uri U', 'where RP-initiated logout may return to, repeatable'],
    ['--backchannel-logout-uri U', 'https endpoint that receives back-channel logout tokens'],
    ['--public', 'no secret (browser or native app; PKCE protects the code);'],
    ['', 'the same as --token-endpoint-auth-method none'],
    ['--token-endpoint-auth-method M', 'how it authenticates: client_secret_basic (default),'],
    ['', 'client_secret_post, client_secret_jwt (a secret is issued),'],
    ['', 'private_key_jwt (its own keys: --jwks or --jwks-uri; no secret),'],
    ['', 'none (public)'],
    ['--grant-type G', 'authorization_code (default, with refresh_token),'],
    ['', 'refresh_token, client_credentials; repeatable'],
    ['--scope "S ..."', 'scopes the client may ask for'],
    ['', '(default "openid profile email offline_access";'],
    ['', 'without refresh_token "openid profile email")'],
    ['--id-token-alg A', 'sign its ID tokens with A, one of SIGNING_ALGS'],
    ['', '(default: the first of SIGNING_ALGS)'],
    ['--resource URI', 'an API it may get JWT access tokens for (RFC 8707 resource'],
    ['', "indicator, the token's aud); its non-OpenID --scope values"],
    ['', 'are the API scopes; repeatable'],
    ['--resource-server', 'an API that may introspect tokens issued to other clients'],
    ['', '(confidential only; without it a client introspects only its own)'],
    ...derivedHelp(WRITTEN_HELP),
    ...CLAIM_HELP.slice(0, 3),
    ...GROUPS_CLAIM_HELP,
    ['--admin', 'instead: a machine client for the admin API (client_credentials,'],
    ['', 'scope admin; --name defaults to "Sesame admin"); the output says'],
    ['', 'how to get a token with it'],
  ],
  options: { ...clientFlagOptions(false), claim: CLAIM_OPTIONS.claim!, ...GROUPS_CLAIM_OPTIONS, public: { type: 'boolean' }, admin: { type: 'boolean' } },
  positionals: [],
  prepare(args, io) {
    if (flag(args, 'admin')) return prepareAdmin(args);
    requiredString(args, 'name');
    const redirectUris = strings(args, 'redirect-uri');
    const grantTypes = strings(args, 'grant-type');
    // Only a client_credentials-only client has no redirect URI (the domain checks the rest).
    if (redirectUris.length === 0 && (grantTypes.length === 0 || grantTypes.includes('authorization_code'))) {
      throw new UsageError(`${args.command} needs --redirect-uri`);
    }
    const idTokenAlg = optionalString(args, 'id-token-alg');
    if (idTokenAlg !== undefined && idTokenAlg.trim() === '') throw new UsageError(`${args.command}: --id-token-alg must not be empty`);
    // Checked here, before any database is opened: a bad value is exit 2 with the field's message.
    const given = givenFields(args, io.cwd);
    if (givesClaims(args)) given.extra_claims = claimsFromFlags(args, undefined) ?? undefined;
    if (givesGroupsClaim(args)) given.groups_claim = groupsClaimFromFlags(args, undefined) ?? undefined;
    if (flag(args, 'public') && given.token_endpoint_auth_method !== undefined && given.token_endpoint_auth_method !== 'none') {
      throw new UsageError(`${args.command}: --public and --token-endpoint-auth-method ${String(given.token_endpoint_auth_method)} contradict each other`);
    }
    const registration = parseClientRegistration({ ...given, ...(flag(args, 'public') ? { token_endpoint_auth_method: 'none' } : {}) });
    return async (ctx) => {
      const container = await ctx.container();
      const client = await container.clients.create(registration, ctx.by);
      return {
        json: client,
        human: [
          `created ${clientType(client)} client "${client.client_name}"${authNote(client)}`,
          `client_id:     ${client.client_id}`,
          ...secretLines(client, 'shown'),
        ],
      };
    };
  },
};

function prepareAdmin(args: ParsedArgs): Run {
  const others = NOT_WITH_ADMIN.filter((option) => args.values[option] !== undefined);
  if (others.length > 0) {
    throw new UsageError(
      `${args.command}: --admin makes a client_credentials client with scope admin; it does not take ${others.map((o) => `--${o}`).join(', ')}`,
    );
  }
  const given = optionalString(args, 'name');
  if (given !== undefined && given.trim() === '') throw new UsageError(`${args.command}: --name must not be empty`);
  const name = given ?? ADMIN_DEFAULT_NAME;
  return async (ctx) => {
    const container = await ctx.container();
    const client = await container.clients.create({ client_name: name, ...ADMIN_CLIENT }, ctx.by);
    const tokenEndpoint = `${container.config.issuer.replace(/\/$/, '')}/token`;
    return {
      json: client,
      human: [
        `created admin API client "${client.client_name}" (client_credentials, scope admin)`,
        `client_id:     ${client.client_id}`,
        ...secretLines(client, 'shown'),
        'Get an admin API access token with:',
        `  curl -u '${client.client_id}:${client.client_secret ?? 'SECRET'}' -d grant_type=client_credentials -d scope=admin ${tokenEndpoint}`,
      ],
    };
  };
}

const update: Command = {
  name: 'clients update',
  synopsis: [
    'clients update ID [--name N] [--redirect-uri U ...] [--post-logout-redirect-uri U ...]',
    '               [--backchannel-logout-uri U | --no-backchannel-logout-uri]',
    '               [--[no-]backchannel-logout-session-required]',
    '               [--frontchannel-logout-uri U | --no-frontchannel-logout-uri] [--[no-]frontchannel-logout-session-required]',
    '               [--grant-type G ...] [--scope "S ..."] [--id-token-alg A] [--resource URI ...]',
    '               [--resource-server | --no-resource-server] [--require-pkce | --no-require-pkce]',
    '               [--rotate-refresh-tokens | --no-rotate-refresh-tokens] [--require-mfa | --no-require-mfa]',
    '               [--token-endpoint-auth-method M] [--token-endpoint-auth-signing-alg A | --no-token-endpoint-auth-signing-alg]',
    '               [--jwks JSON|@FILE | --no-jwks] [--jwks-uri U | --no-jwks-uri]',
    '               [--allowed-group NAME ... | --no-allowed-group]',
    '               [--claim NAME=@ATTRIBUTE|NAME=TEXT ...] [--remove-claim NAME ...]',
    '               [--groups-claim-include all|G ...] [--groups-claim NAME] | --no-groups-claim]',
  ].join('\n'),
  summary: "change a client's registration (the options given; the rest stays)",
  help: [
    ['--redirect-uri U ...', 'replaces the redirect URIs (likewise every repeatable option)'],
    ['--no-backchannel-logout-uri', 'removes the back-channel logout URI'],
    ['--resource-server', 'lets it introspect tokens issued to other clients'],
    ['--no-resource-server', 'back to introspecting its own tokens only'],
    ['--no-X', 'removes field X (or switches it off), e.g. --no-scope'],
    ['--no-allowed-group', 'removes its access rule: everyone may use it again'],
    ...CLAIM_HELP,
    ...GROUPS_CLAIM_HELP,
    ['--no-groups-claim', 'removes its groups claim'],
    ['', 'The other options are those of clients create. A client stays public or'],
    ['', 'confidential; its secret stays. --token-endpoint-auth-method switches among'],
    ['', 'client_secret_basic, client_secret_post and client_secret_jwt only.'],
  ],
  options: { ...clientFlagOptions(true), ...CLAIM_OPTIONS, ...GROUPS_CLAIM_OPTIONS, ...NO_GROUPS_CLAIM_OPTION },
  positionals: ['ID'],
  prepare(args, io) {
    // --claim and --remove-claim alone are a change too; they apply to the claims the client has.
    const fieldFlags = Object.keys(clientFlagOptions(true)).some((name) => args.values[name] !== undefined);
    const claims = givesClaims(args);
    const groupsClaim = givesGroupsClaim(args);
    if (claims) checkClaimFlags(args);
    if (groupsClaim) groupsClaimFromFlags(args, { name: 'groups', include: 'all' });
    const changes = parseClientChanges((claims || groupsClaim) && !fieldFlags ? {} : changedFields(args, io.cwd));
    return async (ctx) => {
      const container = await ctx.container();
      const id = args.positionals[0]!;
      const current = claims || groupsClaim ? await container.clients.get(id) : undefined;
      if (claims) changes.extra_claims = claimsFromFlags(args, current!.extra_claims);
      if (groupsClaim) Object.assign(changes, parseClientChanges({ groups_claim: groupsClaimFromFlags(args, current!.groups_claim) }));
      const client = await container.clients.update(id, changes, ctx.by);
      return { json: client, human: [`updated client "${client.client_name}" (${client.client_id})`] };
    };
  },
};

const list: Command = {
  name: 'clients list',
  synopsis: 'clients list',
  summary: 'list clients (never their secrets)',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const clients = await (await ctx.container()).clients.list();
    return {
      json: clients,
      human: clients.length
        ? table(
            ['client_id', 'name', 'type', 'created', 'redirect_uris'],
            clients.map((c) => [c.client_id, c.client_name, clientType(c), when(c.created_at), c.redirect_uris.join(' ') || '-']),
          )
        : ['no clients yet (register one with: sesame clients create --name N --redirect-uri U)'],
    };
  },
};

const show: Command = {
  name: 'clients show',
  synopsis: 'clients show ID',
  summary: "show a client's registration (never its secret)",
  help: [],
  options: {},
  positionals: ['ID'],
  prepare: (args) => async (ctx) => {
    const client = await (await ctx.container()).clients.get(args.positionals[0]!);
    return {
      json: client,
      human: fields([
        ['client_id', client.client_id],
        ['client_name', client.client_name],
        ['type', `${clientType(client)} (token_endpoint_auth_method ${client.token_endpoint_auth_method})`],
        ...(client.token_endpoint_auth_signing_alg ? [['token_endpoint_auth_signing_alg', client.token_endpoint_auth_signing_alg] as [string, string]] : []),
        ...(client.jwks_uri ? [['jwks_uri', client.jwks_uri] as [string, string]] : []),
        ...(client.jwks
          ? [['jwks', client.jwks.keys.map((k) => `${String(k.kty)}${typeof k.kid === 'string' ? ` kid ${k.kid}` : ''}`)] as [string, string[]]]
          : []),
        ['application_type', client.application_type],
        ['redirect_uris', client.redirect_uris],
        ['post_logout_redirect_uris', client.post_logout_redirect_uris],
        ['backchannel_logout_uri', client.backchannel_logout_uri],
        ['backchannel_logout_session_required', yesNo(client.backchannel_logout_session_required, 'yes (the logout token carries sid)')],
        ['frontchannel_logout_uri', client.frontchannel_logout_uri],
        ['frontchannel_logout_session_required', yesNo(client.frontchannel_logout_session_required, 'yes (loaded with iss and sid)')],
        ['grant_types', client.grant_types.join(' ')],
        ['response_types', client.response_types.join(' ') || '-'],
        ['scope', client.scope || '-'],
        ['id_token_signed_response_alg', client.id_token_signed_response_alg ?? 'default (first of SIGNING_ALGS)'],
        ['resources', client.resources ?? []],
        ['resource_server', client.resource_server ? 'yes (may introspect any token)' : 'no'],
        ['require_pkce', client.require_pkce ? 'yes' : 'no (authorization requests may leave PKCE out)'],
        ['rotate_refresh_tokens', client.rotate_refresh_tokens ? 'yes (a new refresh token on every refresh)' : 'no'],
        ['require_mfa', client.require_mfa ? 'yes (every sign-in ends with a second factor)' : 'no'],
        ['allowed_groups', client.allowed_groups?.length ? client.allowed_groups : 'everyone (no access rule)'],
        ['extra_claims', describeClaims(client.extra_claims)],
        ['groups_claim', describeGroupsClaim(client.groups_claim)],
        ['created_at', when(client.created_at)],
      ]),
    };
  },
};

/** A setting that applies only with its URI: `-` without it. */
const yesNo = (value: boolean | undefined, yes: string) => (value === undefined ? undefined : value ? yes : 'no');

const remove: Command = {
  name: 'clients delete',
  synopsis: 'clients delete ID',
  summary: 'delete a client',
  help: [],
  options: {},
  positionals: ['ID'],
  prepare: (args) => async (ctx) => {
    const id = args.positionals[0]!;
    const container = await ctx.container();
    await container.clients.delete(id, ctx.by);
    return { json: { client_id: id, deleted: true }, human: [`deleted client ${id}`] };
  },
};

const rotateSecret: Command = {
  name: 'clients rotate-secret',
  synopsis: 'clients rotate-secret ID',
  summary: "replace a confidential client's secret; the old one stops working",
  help: [],
  options: {},
  positionals: ['ID'],
  prepare: (args) => async (ctx) => {
    const container = await ctx.container();
    const client = await container.clients.rotateSecret(args.positionals[0]!, ctx.by);
    return {
      json: client,
      human: [`new secret for client "${client.client_name}" (${client.client_id}); the previous secret no longer works`, ...secretLines(client, 'shown')],
    };
  },
};

const initialToken: Command = {
  name: 'clients initial-token',
  synopsis: 'clients initial-token [--expires-in DURATION]',
  summary: 'make an initial access token for dynamic client registration (RFC 7591) at /reg; shown once',
  help: [
    ['--expires-in DURATION', 'how long it may be used: 15m, 1h (default), 7d; at most 30d.'],
    ['', 'Every app that has it can register itself until then, under the'],
    ['', 'same rules as clients create'],
  ],
  options: { 'expires-in': { type: 'string' } },
  positionals: [],
  prepare(args) {
    const given = optionalString(args, 'expires-in');
    const expiresIn = given === undefined ? DEFAULT_INITIAL_TOKEN_LIFETIME : parseDuration(given);
    if (expiresIn === undefined || expiresIn < 60 || expiresIn > MAX_INITIAL_TOKEN_LIFETIME) {
      throw new UsageError(`${args.command}: --expires-in must be a duration from 60s to 30d, such as 15m, 1h or 7d`);
    }
    return async (ctx) => {
      const container = await ctx.container();
      // Loaded here, not at start-up: only this command needs oidc-provider (which warns on load
      // under some Node versions, and every other command keeps a clean stderr).
      const { createProvider, providerDepsFor } = await import('../../oidc/provider.js');
      const { createInitialAccessToken } = await import('../../oidc/initial-access-token.js');
      // A provider only to store the token the way the server's reads it; it signs nothing, so it
      // gets no keys (the CLI never opens the private keys for this).
      const provider = createProvider(providerDepsFor(container), []);
      const issued = await createInitialAccessToken(provider, expiresIn, { audit: container.audit, by: ctx.by });
      return {
        json: issued,
        human: [
          `initial_access_token: ${issued.initial_access_token}`,
          `expires_at:           ${when(issued.expires_at)}`,
          'It is shown only once. Until it expires, any app that has it can register a client (RFC 7591):',
          `  curl -H 'Authorization: Bearer ${issued.initial_access_token}' -H 'Content-Type: application/json' \\`,
          `    -d '{"client_name":"My app","redirect_uris":["https://app.example/callback"]}' ${issued.registration_endpoint}`,
        ],
      };
    };
  },
};

export const clientCommands: Command[] = [create, update, list, show, remove, rotateSecret, initialToken];
