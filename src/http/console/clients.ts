// /admin/clients: list and search, register (the secret shown once), change, rotate the secret
// and delete, with the same rules as the admin API and the CLI (the client service's).
import type { Context } from 'koa';
import type { Services } from '../../services.js';
import { holdsPrivateKeys } from '../../domain/clients/client-keys.js';
import type { ClientView } from '../../domain/clients/client-service.js';
import { parseClientChanges, parseClientRegistration, PLAIN_FIELDS, type ClientChanges, type ClientRegistration } from '../../domain/clients/schema.js';
import { parseClaimLines } from '../../domain/claims/extra-claims.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import {
  clientDetailPage,
  clientFormValues,
  clientListPage,
  clientSecretPage,
  deleteClientPage,
  EMPTY_CLIENT_FORM,
  newClientPage,
  type ClientFormValues,
} from '../../../views/console/clients.js';
import { consoleMessage } from '../../../views/console/layout.js';
import { clientExplainPanel } from '../../../views/console/explain.js';
import type { AccessExplanation } from '../../domain/access/explain.js';
import { by, frame, seeOther, send, type ConsoleRoutes } from './context.js';
import { bodyOf, checked, field, fields, formErrors, lines, type FormBody } from './form.js';
import { setFlash } from './session.js';

function readClientForm(body: FormBody): ClientFormValues {
  return {
    client_name: field(body, 'client_name').trim(),
    redirect_uris: field(body, 'redirect_uris'),
    post_logout_redirect_uris: field(body, 'post_logout_redirect_uris'),
    backchannel_logout_uri: field(body, 'backchannel_logout_uri').trim(),
    backchannel_logout_session_required: checked(body, 'backchannel_logout_session_required'),
    frontchannel_logout_uri: field(body, 'frontchannel_logout_uri').trim(),
    frontchannel_logout_session_required: checked(body, 'frontchannel_logout_session_required'),
    token_endpoint_auth_method: field(body, 'token_endpoint_auth_method'),
    token_endpoint_auth_signing_alg: field(body, 'token_endpoint_auth_signing_alg'),
    jwks: field(body, 'jwks').trim(),
    jwks_uri: field(body, 'jwks_uri').trim(),
    id_token_encrypted_response_alg: field(body, 'id_token_encrypted_response_alg'),
    id_token_encrypted_response_enc: field(body, 'id_token_encrypted_response_enc'),
    userinfo_signed_response_alg: field(body, 'userinfo_signed_response_alg').trim(),
    userinfo_encrypted_response_alg: field(body, 'userinfo_encrypted_response_alg'),
    userinfo_encrypted_response_enc: field(body, 'userinfo_encrypted_response_enc'),
    grant_types: fields(body, 'grant_types'),
    scope: field(body, 'scope').trim().replace(/\s+/g, ' '),
    resources: field(body, 'resources'),
    resource_server: checked(body, 'resource_server'),
    allowed_groups: field(body, 'allowed_groups'),
    require_pkce: checked(body, 'require_pkce'),
    rotate_refresh_tokens: checked(body, 'rotate_refresh_tokens'),
    require_mfa: checked(body, 'require_mfa'),
    logo_uri: field(body, 'logo_uri').trim(),
    client_uri: field(body, 'client_uri').trim(),
    policy_uri: field(body, 'policy_uri').trim(),
    tos_uri: field(body, 'tos_uri').trim(),
    extra_claims: field(body, 'extra_claims'),
    groups_claim: field(body, 'groups_claim'),
    groups_claim_name: field(body, 'groups_claim_name').trim(),
  };
}

/** The key set as typed: JSON, or empty for none. */
function jwksOf(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('jwks must be a JSON Web Key Set in JSON: {"keys": [...]}', 'jwks');
  }
}

/** The form in the schema's names (a field left empty is absent); the domain checks the rest. */
function formFields(values: ClientFormValues) {
  const isPublic = values.token_endpoint_auth_method === 'none';
  return {
    client_name: values.client_name,
    redirect_uris: lines(values.redirect_uris),
    post_logout_redirect_uris: lines(values.post_logout_redirect_uris),
    backchannel_logout_uri: values.backchannel_logout_uri || undefined,
    // The boxes mean something only with their URI (without it they are left out).
    backchannel_logout_session_required: values.backchannel_logout_uri ? values.backchannel_logout_session_required : undefined,
    frontchannel_logout_uri: values.frontchannel_logout_uri || undefined,
    frontchannel_logout_session_required: values.frontchannel_logout_uri ? values.frontchannel_logout_session_required : undefined,
    // Absent: the default for a new client, the one it has for a client being edited.
    token_endpoint_auth_method: values.token_endpoint_auth_method || undefined,
    token_endpoint_auth_signing_alg: values.token_endpoint_auth_signing_alg || undefined,
    jwks: jwksOf(values.jwks),
    jwks_uri: values.jwks_uri || undefined,
    id_token_encrypted_response_alg: values.id_token_encrypted_response_alg || undefined,
    id_token_encrypted_response_enc: values.id_token_encrypted_response_enc || undefined,
    userinfo_signed_response_alg: values.userinfo_signed_response_alg || undefined,
    userinfo_encrypted_response_alg: values.userinfo_encrypted_response_alg || undefined,
    userinfo_encrypted_response_enc: values.userinfo_encrypted_response_enc || undefined,
    grant_types: values.grant_types,
    scope: values.scope,
    resources: lines(values.resources),
    resource_server: values.resource_server,
    allowed_groups: lines(values.allowed_groups),
    // A public client always uses PKCE and rotates: whatever its boxes say, the defaults (on) apply.
    require_pkce: isPublic ? undefined : values.require_pkce,
    rotate_refresh_tokens: isPublic ? undefined : values.rotate_refresh_tokens,
    require_mfa: values.require_mfa,
    extra_claims: parseClaimLines(values.extra_claims),
    groups_claim: groupsClaimOf(values),
    ...Object.fromEntries(PLAIN_FIELDS.map((name) => [name, values[name] || undefined])),
  };
}

/** The groups claim as typed: "all" or one group a line (empty: none), and its name (empty: the default). */
function groupsClaimOf(values: ClientFormValues): { name?: string; include: 'all' | string[] } | undefined {
  const include = lines(values.groups_claim);
  if (include.length === 0) return undefined;
  return { ...(values.groups_claim_name ? { name: values.groups_claim_name } : {}), include: include.length === 1 && include[0] === 'all' ? 'all' : include };
}

/** What the form shows again after a refusal: everything as typed, but never a private key. */
function shownAgain(values: ClientFormValues): ClientFormValues {
  return holdsPrivateKeys(values.jwks) ? { ...values, jwks: '' } : values;
}

function registration(values: ClientFormValues): ClientRegistration {
  const { backchannel_logout_uri, resources, allowed_groups, ...rest } = formFields(values);
  return parseClientRegistration({
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    ...(backchannel_logout_uri ? { backchannel_logout_uri } : {}),
    ...(resources.length ? { resources } : {}),
    ...(allowed_groups.length ? { allowed_groups } : {}),
  });
}

/** Every field of the form: an emptied one is removed from the registration. */
function changes(values: ClientFormValues): ClientChanges {
  const { backchannel_logout_uri, resources, allowed_groups, ...rest } = formFields(values);
  const emptied = Object.fromEntries(Object.entries(rest).map(([name, value]) => [name, value ?? null]));
  return parseClientChanges({
    ...emptied,
    backchannel_logout_uri: backchannel_logout_uri ?? null,
    resources: resources.length ? resources : null,
    allowed_groups: allowed_groups.length ? allowed_groups : null,
  });
}

export function clientRoutes({ router, get, post }: ConsoleRoutes, { clients, explain }: Pick<Services, 'clients' | 'explain'>): void {
  router.get('/admin/clients', ...get, async (ctx) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
    const needle = q.toLowerCase();
    const list = (await clients.list()).filter((c) => !needle || c.client_name.toLowerCase().includes(needle) || c.client_id.toLowerCase().includes(needle));
    send(ctx, clientListPage(frame(ctx), list, q));
  });

  router.get('/admin/clients/new', ...get, (ctx) => send(ctx, newClientPage(frame(ctx), EMPTY_CLIENT_FORM, {})));

  router.post('/admin/clients', ...post, async (ctx) => {
    const values = readClientForm(bodyOf(ctx));
    let client;
    try {
      client = await clients.create(registration(values), by(ctx));
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      send(ctx, newClientPage(frame(ctx), shownAgain(values), errors), 422);
      return;
    }
    // The secret is in this response only: not a redirect, so it never sits in a cookie or URL.
    send(ctx, clientSecretPage(frame(ctx), client, false), 201);
  });

  const loadClient = async (ctx: Context): Promise<ClientView | undefined> => {
    try {
      return await clients.get(String(ctx.params.id));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      send(
        ctx,
        consoleMessage('Client not found', 'There is no client with this ID (it may have been deleted).', { href: '/admin/clients', label: 'Clients' }),
        404,
      );
      return undefined;
    }
  };

  router.get('/admin/clients/:id', ...get, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    const email = typeof ctx.query.explain_user === 'string' ? ctx.query.explain_user.trim() : '';
    const scope = typeof ctx.query.explain_scope === 'string' && ctx.query.explain_scope.trim() ? ctx.query.explain_scope.trim() : 'openid profile email';
    let answer: { explanation?: AccessExplanation; error?: string } = {};
    if (email) {
      try {
        answer = { explanation: await explain.explain(email, client.client_id, scope) };
      } catch (error) {
        if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
        answer = { error: error.message };
      }
    }
    send(ctx, clientDetailPage(frame(ctx), client, clientFormValues(client), {}, clientExplainPanel({ clientId: client.client_id, email, scope, ...answer })));
  });

  router.post('/admin/clients/:id', ...post, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    const values = readClientForm(bodyOf(ctx));
    let updated;
    try {
      updated = await clients.update(client.client_id, changes(values), by(ctx));
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      send(ctx, clientDetailPage(frame(ctx), client, shownAgain(values), errors), 422);
      return;
    }
    setFlash(ctx, `Saved ${updated.client_name}.`);
    seeOther(ctx, `/admin/clients/${encodeURIComponent(updated.client_id)}`);
  });

  router.post('/admin/clients/:id/rotate-secret', ...post, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    let rotated;
    try {
      rotated = await clients.rotateSecret(client.client_id, by(ctx));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      setFlash(ctx, error.message, 'error');
      seeOther(ctx, `/admin/clients/${encodeURIComponent(client.client_id)}`);
      return;
    }
    send(ctx, clientSecretPage(frame(ctx), rotated, true));
  });

  router.get('/admin/clients/:id/delete', ...get, async (ctx) => {
    const client = await loadClient(ctx);
    if (client) send(ctx, deleteClientPage(frame(ctx), client));
  });

  router.post('/admin/clients/:id/delete', ...post, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    try {
      await clients.delete(client.client_id, by(ctx));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      setFlash(ctx, error.message, 'error');
      seeOther(ctx, `/admin/clients/${encodeURIComponent(client.client_id)}`);
      return;
    }
    setFlash(ctx, `Deleted ${client.client_name}.`);
    seeOther(ctx, '/admin/clients');
  });
}
