// Console pages for relying parties: list and search, register, the secret shown once, details
// with the edit form, rotate secret, and delete with a confirmation page.
import type { ClientView, ClientWithSecret } from '../../src/domain/clients/client-service.js';
import { AUTH_METHODS, CLIENT_AUTH_SIGNING_ALGS, CLIENT_ENCRYPTION_ALGS, CLIENT_ENCRYPTION_ENCS, GRANT_TYPES } from '../../src/domain/clients/schema.js';
import { claimLines } from '../../src/domain/claims/extra-claims.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, csrfField, date, describedBy, fieldError, type ConsoleFrame } from './layout.js';

/** The client form as typed: kept as is when validation fails. */
export interface ClientFormValues {
  client_name: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string;
  /** Whether the logout token carries sid (used only with a back-channel logout URI). */
  backchannel_logout_session_required: boolean;
  frontchannel_logout_uri: string;
  /** Whether the front-channel logout URI gets iss and sid (used only with that URI). */
  frontchannel_logout_session_required: boolean;
  /** How it authenticates at the token endpoint; none is a public client. */
  token_endpoint_auth_method: string;
  token_endpoint_auth_signing_alg: string;
  /** private_key_jwt: its public keys as JSON, as typed. */
  jwks: string;
  jwks_uri: string;
  /** Encrypted responses: '' for none (the enc: '' for the default). */
  id_token_encrypted_response_alg: string;
  id_token_encrypted_response_enc: string;
  userinfo_signed_response_alg: string;
  userinfo_encrypted_response_alg: string;
  userinfo_encrypted_response_enc: string;
  grant_types: string[];
  scope: string;
  resources: string;
  /** One group name per line; empty: everyone may use the app. */
  allowed_groups: string;
  resource_server: boolean;
  require_pkce: boolean;
  rotate_refresh_tokens: boolean;
  require_mfa: boolean;
  logo_uri: string;
  client_uri: string;
  policy_uri: string;
  tos_uri: string;
  /** Extra claims, one a line (claimLines' syntax: role=@grafana_role, policy:="readwrite"). */
  extra_claims: string;
  /** The groups the groups claim may show: "all" or one a line; empty: no groups claim. */
  groups_claim: string;
  /** The groups claim's name; empty: "groups". */
  groups_claim_name: string;
}

export const EMPTY_CLIENT_FORM: ClientFormValues = {
  client_name: '',
  redirect_uris: '',
  post_logout_redirect_uris: '',
  backchannel_logout_uri: '',
  backchannel_logout_session_required: true,
  frontchannel_logout_uri: '',
  frontchannel_logout_session_required: true,
  token_endpoint_auth_method: 'client_secret_basic',
  token_endpoint_auth_signing_alg: '',
  jwks: '',
  jwks_uri: '',
  id_token_encrypted_response_alg: '',
  id_token_encrypted_response_enc: '',
  userinfo_signed_response_alg: '',
  userinfo_encrypted_response_alg: '',
  userinfo_encrypted_response_enc: '',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email',
  resources: '',
  allowed_groups: '',
  resource_server: false,
  require_pkce: true,
  rotate_refresh_tokens: false,
  require_mfa: false,
  logo_uri: '',
  client_uri: '',
  policy_uri: '',
  tos_uri: '',
  extra_claims: '',
  groups_claim: '',
  groups_claim_name: '',
};

export function clientFormValues(client: ClientView): ClientFormValues {
  return {
    client_name: client.client_name,
    redirect_uris: client.redirect_uris.join('\n'),
    post_logout_redirect_uris: client.post_logout_redirect_uris.join('\n'),
    backchannel_logout_uri: client.backchannel_logout_uri ?? '',
    backchannel_logout_session_required: client.backchannel_logout_session_required ?? true,
    frontchannel_logout_uri: client.frontchannel_logout_uri ?? '',
    frontchannel_logout_session_required: client.frontchannel_logout_session_required ?? true,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    token_endpoint_auth_signing_alg: client.token_endpoint_auth_signing_alg ?? '',
    jwks: client.jwks ? JSON.stringify(client.jwks, null, 2) : '',
    jwks_uri: client.jwks_uri ?? '',
    id_token_encrypted_response_alg: client.id_token_encrypted_response_alg ?? '',
    id_token_encrypted_response_enc: client.id_token_encrypted_response_enc ?? '',
    userinfo_signed_response_alg: client.userinfo_signed_response_alg ?? '',
    userinfo_encrypted_response_alg: client.userinfo_encrypted_response_alg ?? '',
    userinfo_encrypted_response_enc: client.userinfo_encrypted_response_enc ?? '',
    grant_types: client.grant_types,
    scope: client.scope ?? '',
    resources: (client.resources ?? []).join('\n'),
    allowed_groups: (client.allowed_groups ?? []).join('\n'),
    extra_claims: claimLines(client.extra_claims).join('\n'),
    groups_claim: client.groups_claim ? (client.groups_claim.include === 'all' ? 'all' : client.groups_claim.include.join('\n')) : '',
    groups_claim_name: client.groups_claim && client.groups_claim.name !== 'groups' ? client.groups_claim.name : '',
    resource_server: client.resource_server === true,
    require_pkce: client.require_pkce,
    rotate_refresh_tokens: client.rotate_refresh_tokens,
    require_mfa: client.require_mfa,
    logo_uri: client.logo_uri ?? '',
    client_uri: client.client_uri ?? '',
    policy_uri: client.policy_uri ?? '',
    tos_uri: client.tos_uri ?? '',
  };
}

/** The optional pages and logo an app shows people, as the form asks for them. */
const APP_PAGES: readonly [name: 'logo_uri' | 'client_uri' | 'policy_uri' | 'tos_uri', label: string, hint: string][] = [
  ['logo_uri', 'Logo', 'An https image, shown small next to the name. Optional.'],
  ['client_uri', 'Home page', 'Optional.'],
  ['policy_uri', 'Privacy policy', 'Optional.'],
  ['tos_uri', 'Terms of service', 'Optional.'],
];

const AUTH_METHOD_LABELS: Record<string, string> = {
  client_secret_basic: 'Secret in the Authorization header (client_secret_basic)',
  client_secret_post: 'Secret in the request body (client_secret_post)',
  client_secret_jwt: 'JWT signed with the secret (client_secret_jwt)',
  private_key_jwt: "JWT signed with the app's own private key (private_key_jwt)",
  none: 'None: public client (single-page and native apps, PKCE only)',
};

/** What the client authenticates with, for the details and the secret page. */
export function credentialLabel(method: string): string {
  if (method === 'none') return 'public (PKCE)';
  if (method === 'private_key_jwt') return 'confidential, its own keys (private_key_jwt)';
  return `confidential, secret (${method})`;
}

const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'Authorization code (people sign in)',
  refresh_token: 'Refresh token',
  client_credentials: 'Client credentials (machine to machine)',
};

function clientFields(values: ClientFormValues, errors: Record<string, string>, editing: boolean): SafeHtml {
  const textarea = (name: keyof ClientFormValues, label: string, hint: string) => html`<div class="field">
<label for="${name}">${label}</label>
<textarea id="${name}" name="${name}" rows="3" spellcheck="false" autocapitalize="none"${describedBy(errors, name)}>${String(values[name])}</textarea>
<p class="hint">${hint}</p>
${fieldError(errors, name)}
</div>`;
  const check = (name: keyof ClientFormValues, label: string, on: boolean) => html`<div class="check">
<input id="${name}" name="${name}" type="checkbox" value="yes"${on ? html` checked` : ''}${describedBy(errors, name)}>
<label for="${name}">${label}</label>
</div>
${fieldError(errors, name)}`;
  type Choice = 'id_token_encrypted_response_alg' | 'id_token_encrypted_response_enc' | 'userinfo_encrypted_response_alg' | 'userinfo_encrypted_response_enc';
  const select = (name: Choice, label: string, none: string, options: readonly string[]) => html`<div class="field">
<label for="${name}">${label}</label>
<select id="${name}" name="${name}"${describedBy(errors, name)}>
<option value=""${values[name] === '' ? html` selected` : ''}>${none}</option>
${options.map((option) => html`<option value="${option}"${values[name] === option ? html` selected` : ''}>${option}</option>`)}
</select>
${fieldError(errors, name)}
</div>`;
  return html`<div class="field">
<label for="client_name">Name</label>
<input id="client_name" name="client_name" type="text" required maxlength="100" value="${values.client_name}"${describedBy(errors, 'client_name')}>
${fieldError(errors, 'client_name')}
</div>
${textarea('redirect_uris', 'Redirect URIs', 'One per line, exact: https, or http on localhost.')}
${textarea('post_logout_redirect_uris', 'Post-logout redirect URIs', 'One per line; optional.')}
<div class="field">
<label for="backchannel_logout_uri">Back-channel logout URI</label>
<input id="backchannel_logout_uri" name="backchannel_logout_uri" type="text" spellcheck="false" autocapitalize="none" value="${values.backchannel_logout_uri}"${describedBy(errors, 'backchannel_logout_uri')}>
<p class="hint">Optional: where Sesame posts a logout token when the person signs out.</p>
${fieldError(errors, 'backchannel_logout_uri')}
</div>
${check('backchannel_logout_session_required', 'The logout token names the session (sid), so the app ends only that one', values.backchannel_logout_session_required)}
<div class="field">
<label for="frontchannel_logout_uri">Front-channel logout URI</label>
<input id="frontchannel_logout_uri" name="frontchannel_logout_uri" type="text" spellcheck="false" autocapitalize="none" value="${values.frontchannel_logout_uri}"${describedBy(errors, 'frontchannel_logout_uri')}>
<p class="hint">Optional, for apps that live in the browser: a page on the origin of a redirect URI, loaded in a hidden frame of Sesame's signed-out page.</p>
${fieldError(errors, 'frontchannel_logout_uri')}
</div>
${check('frontchannel_logout_session_required', 'Load it with iss and sid (the session), and put sid in ID tokens', values.frontchannel_logout_session_required)}
<div class="field">
<label for="token_endpoint_auth_method">Client authentication</label>
<select id="token_endpoint_auth_method" name="token_endpoint_auth_method"${describedBy(errors, 'token_endpoint_auth_method')}>
${AUTH_METHODS.map(
  (method) =>
    html`<option value="${method}"${values.token_endpoint_auth_method === method ? html` selected` : ''}>${AUTH_METHOD_LABELS[method] ?? method}</option>`,
)}
</select>
<p class="hint">${
    editing
      ? 'It can switch among the three secret methods only; for private_key_jwt or a public client, register a new one.'
      : 'The three secret methods get a secret (shown once); private_key_jwt needs its public keys below.'
  }</p>
${fieldError(errors, 'token_endpoint_auth_method')}
</div>
<fieldset>
<legend>JWT client authentication (client_secret_jwt, private_key_jwt)</legend>
<div class="field">
<label for="token_endpoint_auth_signing_alg">Signing algorithm</label>
<select id="token_endpoint_auth_signing_alg" name="token_endpoint_auth_signing_alg"${describedBy(errors, 'token_endpoint_auth_signing_alg')}>
<option value=""${values.token_endpoint_auth_signing_alg === '' ? html` selected` : ''}>Any that fits the secret or keys</option>
${CLIENT_AUTH_SIGNING_ALGS.map((alg) => html`<option value="${alg}"${values.token_endpoint_auth_signing_alg === alg ? html` selected` : ''}>${alg}</option>`)}
</select>
${fieldError(errors, 'token_endpoint_auth_signing_alg')}
</div>
${textarea('jwks', 'Public keys (JWKS)', 'private_key_jwt and encrypted responses: a JSON Web Key Set, {"keys": [...]}, public keys only. Or a JWKS URI:')}
<div class="field">
<label for="jwks_uri">JWKS URI</label>
<input id="jwks_uri" name="jwks_uri" type="text" spellcheck="false" autocapitalize="none" value="${values.jwks_uri}"${describedBy(errors, 'jwks_uri')}>
<p class="hint">private_key_jwt and encrypted responses: where the app publishes its public keys (https).</p>
${fieldError(errors, 'jwks_uri')}
</div>
</fieldset>
<fieldset>
<legend>Encrypted responses (to the app's own public key, above)</legend>
${select('id_token_encrypted_response_alg', 'ID token encryption', 'Not encrypted', CLIENT_ENCRYPTION_ALGS)}
${select('id_token_encrypted_response_enc', 'ID token content encryption', 'Default (A128CBC-HS256)', CLIENT_ENCRYPTION_ENCS)}
${select('userinfo_encrypted_response_alg', 'Userinfo encryption', 'Not encrypted', CLIENT_ENCRYPTION_ALGS)}
${select('userinfo_encrypted_response_enc', 'Userinfo content encryption', 'Default (A128CBC-HS256)', CLIENT_ENCRYPTION_ENCS)}
<div class="field">
<label for="userinfo_signed_response_alg">Userinfo signing algorithm</label>
<input id="userinfo_signed_response_alg" name="userinfo_signed_response_alg" type="text" spellcheck="false" autocapitalize="none" value="${values.userinfo_signed_response_alg}"${describedBy(errors, 'userinfo_signed_response_alg')}>
<p class="hint">One of SIGNING_ALGS: userinfo answers with a signed JWT. Empty: plain JSON, or the first of SIGNING_ALGS when encrypted.</p>
${fieldError(errors, 'userinfo_signed_response_alg')}
</div>
</fieldset>
<fieldset${describedBy(errors, 'grant_types')}>
<legend>Grant types</legend>
${GRANT_TYPES.map(
  (grant) => html`<div class="check">
<input id="grant-${grant}" name="grant_types" type="checkbox" value="${grant}"${values.grant_types.includes(grant) ? html` checked` : ''}>
<label for="grant-${grant}">${GRANT_LABELS[grant] ?? grant}</label>
</div>`,
)}
${fieldError(errors, 'grant_types')}
</fieldset>
<div class="check">
<input id="require_pkce" name="require_pkce" type="checkbox" value="yes"${values.require_pkce || values.token_endpoint_auth_method === 'none' ? html` checked` : ''}${describedBy(errors, 'require_pkce')}>
<label for="require_pkce">Require PKCE (code_challenge with S256 in every authorization request)</label>
</div>
<p class="hint">Always on for public clients. Turn it off only for a confidential client whose library sends no PKCE.</p>
${fieldError(errors, 'require_pkce')}
<div class="check">
<input id="rotate_refresh_tokens" name="rotate_refresh_tokens" type="checkbox" value="yes"${values.rotate_refresh_tokens || values.token_endpoint_auth_method === 'none' ? html` checked` : ''}${describedBy(errors, 'rotate_refresh_tokens')}>
<label for="rotate_refresh_tokens">Rotate refresh tokens (a new one on every refresh; a used one presented again is refused)</label>
</div>
<p class="hint">Always on for public clients. A confidential client authenticates every refresh, so its refresh token may stay the same.</p>
${fieldError(errors, 'rotate_refresh_tokens')}
<div class="check">
<input id="require_mfa" name="require_mfa" type="checkbox" value="yes"${values.require_mfa ? html` checked` : ''}${describedBy(errors, 'require_mfa')}>
<label for="require_mfa">Require a second factor (every sign-in to this app ends with multi-factor authentication)</label>
</div>
${fieldError(errors, 'require_mfa')}
${textarea('allowed_groups', 'Allowed groups', 'One group per line: only their members may sign in to this app and refresh its tokens. Empty: everyone.')}
<div class="field">
<label for="scope">Scope</label>
<input id="scope" name="scope" type="text" spellcheck="false" autocapitalize="none" value="${values.scope}"${describedBy(errors, 'scope')}>
<p class="hint">Space-separated, e.g. openid profile email offline_access.</p>
${fieldError(errors, 'scope')}
</div>
${textarea('resources', 'Resources (APIs)', 'One per line; optional. Access tokens for these are JWTs.')}
<div class="check">
<input id="resource_server" name="resource_server" type="checkbox" value="yes"${values.resource_server ? html` checked` : ''}${describedBy(errors, 'resource_server')}>
<label for="resource_server">Resource server (an API that may introspect tokens issued to other clients)</label>
</div>
${fieldError(errors, 'resource_server')}
${textarea('extra_claims', 'Extra claims', "One a line, in ID tokens, userinfo and JWT access tokens: role=@grafana_role (the person's attribute; absent without it), policy=readwrite (fixed text), level:=3 (fixed JSON). Reserved names (sub, email, name, ...) are refused.")}
${textarea('groups_claim', 'Groups claim', 'With the groups scope, the person\'s groups in ID tokens, userinfo and JWT access tokens: "all", or one group a line (only those are shown). Empty: no groups claim.')}
<div class="field">
<label for="groups_claim_name">Groups claim name</label>
<input id="groups_claim_name" name="groups_claim_name" type="text" spellcheck="false" autocapitalize="none" value="${values.groups_claim_name}" placeholder="groups">
<p class="hint">Empty: groups.</p>
</div>
<fieldset>
<legend>Shown on the consent page</legend>
${APP_PAGES.map(
  ([name, label, hint]) => html`<div class="field">
<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="url" spellcheck="false" autocapitalize="none" value="${values[name]}"${describedBy(errors, name)}>
<p class="hint">${hint}</p>
${fieldError(errors, name)}
</div>`,
)}
</fieldset>
${fieldError(errors, 'form')}`;
}

export function clientListPage(frame: ConsoleFrame, clients: ClientView[], q: string): SafeHtml {
  return consoleLayout(frame, {
    title: 'Clients',
    section: 'clients',
    body: html`<h1>Clients</h1>
<p><a class="button" href="/admin/clients/new">Register a client</a></p>
<form method="get" action="/admin/clients" class="toolbar" role="search">
<div class="field"><label for="q">Search by name or client ID</label>
<input id="q" name="q" type="search" value="${q}"></div>
<button type="submit" class="secondary inline">Search</button>
</form>
${
  clients.length === 0
    ? html`<p class="muted">${q ? 'No client matches.' : 'No clients yet.'}</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Type</th><th scope="col">Registered</th></tr></thead>
<tbody>
${clients.map(
  (c) => html`<tr>
<td data-label="Name"><a href="/admin/clients/${encodeURIComponent(c.client_id)}">${c.client_name}</a></td>
<td data-label="Client ID" class="code">${c.client_id}</td>
<td data-label="Type">${c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential'}</td>
<td data-label="Registered">${date(c.created_at)}</td>
</tr>`,
)}
</tbody></table></div>`
}`,
  });
}

export function newClientPage(frame: ConsoleFrame, values: ClientFormValues, errors: Record<string, string>): SafeHtml {
  return consoleLayout(frame, {
    title: 'Register a client',
    section: 'clients',
    body: html`<h1>Register a client</h1>
${Object.keys(errors).length > 0 && html`<p class="alert" role="alert">The client was not registered: see below.</p>`}
<form method="post" action="/admin/clients">
${csrfField(frame.csrf)}
${clientFields(values, errors, false)}
<button type="submit" class="primary">Register</button>
</form>`,
  });
}

/** After registering or rotating: the client ID and, once, the secret. */
export function clientSecretPage(frame: ConsoleFrame, client: ClientWithSecret, rotated: boolean): SafeHtml {
  const path = `/admin/clients/${encodeURIComponent(client.client_id)}`;
  return consoleLayout(frame, {
    title: rotated ? 'New client secret' : 'Client registered',
    section: 'clients',
    body: html`<h1>${rotated ? 'New client secret' : 'Client registered'}</h1>
<p class="lead"><strong>${client.client_name}</strong></p>
<dl class="details">
<dt>Client ID</dt>
<dd><code class="code secret" id="client-id">${client.client_id}</code>
<button type="button" class="secondary inline" data-copy="client-id" hidden>Copy client ID</button></dd>
${
  client.client_secret
    ? html`<dt>Client secret</dt>
<dd><code class="code secret" id="client-secret">${client.client_secret}</code>
<button type="button" class="secondary inline" data-copy="client-secret" hidden>Copy secret</button></dd>`
    : html`<dt>Client secret</dt><dd>${
        client.token_endpoint_auth_method === 'private_key_jwt'
          ? 'None: it authenticates with its own private key (private_key_jwt).'
          : 'None: this is a public client (PKCE).'
      }</dd>`
}
</dl>
${client.client_secret && html`<p class="alert" role="alert">Copy the secret now: it is shown only once and stored encrypted.${rotated ? ' The old secret no longer works.' : ''}</p>`}
<p><a class="button" href="${path}">Done</a></p>`,
  });
}

export function clientDetailPage(
  frame: ConsoleFrame,
  client: ClientView,
  values: ClientFormValues,
  errors: Record<string, string>,
  explain?: SafeHtml,
): SafeHtml {
  const path = `/admin/clients/${encodeURIComponent(client.client_id)}`;
  const hasSecret = client.has_secret;
  return consoleLayout(frame, {
    title: client.client_name,
    section: 'clients',
    body: html`<p><a href="/admin/clients">← Clients</a></p>
<h1>${client.client_name}</h1>
<dl class="details">
<dt>Client ID</dt><dd class="code" id="client-id">${client.client_id}</dd>
<dt>Type</dt><dd>${credentialLabel(client.token_endpoint_auth_method)}</dd>
<dt>Registered</dt><dd>${date(client.created_at)}</dd>
</dl>
<h2>Edit</h2>
${Object.keys(errors).length > 0 && html`<p class="alert" role="alert">Nothing was changed: see below.</p>`}
<form method="post" action="${path}">
${csrfField(frame.csrf)}
${clientFields(values, errors, true)}
<button type="submit" class="primary">Save changes</button>
</form>
${
  hasSecret &&
  html`<h2>Client secret</h2>
<p class="muted">Rotating makes a new secret (shown once); the old one stops working at once.</p>
<form method="post" action="${path}/rotate-secret">
${csrfField(frame.csrf)}
<button type="submit" class="secondary">Rotate secret</button>
</form>`
}
${explain}
<h2>Delete</h2>
<p class="muted">The app can no longer sign anyone in, and its tokens stop working.</p>
<p><a class="button" href="${path}/delete">Delete this client…</a></p>`,
  });
}

export function deleteClientPage(frame: ConsoleFrame, client: ClientView): SafeHtml {
  const path = `/admin/clients/${encodeURIComponent(client.client_id)}`;
  return consoleLayout(frame, {
    title: `Delete ${client.client_name}`,
    section: 'clients',
    body: html`<h1>Delete ${client.client_name}?</h1>
<p class="lead">Client <span class="code">${client.client_id}</span> will no longer be able to sign anyone in, and every token issued to it stops working. This cannot be undone.</p>
<div class="actions">
<form method="post" action="${path}/delete">
${csrfField(frame.csrf)}
<button type="submit" class="danger">Delete client</button>
</form>
<a href="${path}">Cancel</a>
</div>`,
  });
}
