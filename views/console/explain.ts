// The user page's "Explain access" panel: pick a client (and scopes), see whether the person may
// use it, by which rule, and the claims each token would carry (domain/access/explain.ts).
import type { AccessExplanation } from '../../src/domain/access/explain.js';
import { html, type SafeHtml } from '../html.js';

export interface ExplainPanelView {
  userId: string;
  clients: { client_id: string; client_name: string }[];
  /** The client and scopes asked about (empty: nothing asked yet). */
  clientId: string;
  scope: string;
  explanation?: AccessExplanation;
  error?: string;
}

function claimsTable(caption: string, claims: Record<string, unknown>): SafeHtml {
  const entries = Object.entries(claims);
  return html`<h3>${caption}</h3>
${
  entries.length === 0
    ? html`<p class="muted">No claims.</p>`
    : html`<dl class="details">${entries.map(([name, value]) => html`<dt>${name}</dt><dd class="code">${JSON.stringify(value)}</dd>`)}</dl>`
}`;
}

/** The answer under either form: allowed or refused, why, and the claims. */
function explanationSection(explanation: AccessExplanation | undefined, error: string | undefined): SafeHtml {
  const e = explanation;
  return html`${error && html`<p class="alert" role="alert">${error}</p>`}
${
  e &&
  html`<div id="explanation">
<p><strong>${e.allowed ? 'Allowed' : 'Refused'}</strong>: ${e.summary}</p>
${e.notes.map((note) => html`<p class="muted">${note}</p>`)}
<p>Scopes granted: <span class="code">${e.scopes.join(' ')}</span></p>
${
  e.claims &&
  html`${claimsTable('ID token', e.claims.id_token)}
${claimsTable('Userinfo', e.claims.userinfo)}
${claimsTable('Access token (JWT, for a resource)', e.claims.access_token)}
<p class="muted">Besides these, every token carries what the sign-in itself sets (iss, aud, exp, iat, nonce, auth_time, acr, amr, ...).</p>`
}
</div>`
}`;
}

const scopeField = (scope: string) => html`<div class="field"><label for="explain_scope">Scopes</label>
<input id="explain_scope" name="explain_scope" type="text" spellcheck="false" autocapitalize="none" value="${scope}"></div>`;

/** On the user page: pick an app. */
export function explainPanel(view: ExplainPanelView): SafeHtml {
  return html`<h2 id="explain">Explain access</h2>
<form method="get" action="/admin/users/${encodeURIComponent(view.userId)}#explain" class="toolbar">
<div class="field"><label for="explain_client">App</label>
<select id="explain_client" name="explain_client">${view.clients.map(
    (c) => html`<option value="${c.client_id}"${c.client_id === view.clientId ? html` selected` : ''}>${c.client_name} (${c.client_id})</option>`,
  )}</select></div>
${scopeField(view.scope)}
<button type="submit" class="secondary inline">Explain</button>
</form>
${explanationSection(view.explanation, view.error)}`;
}

export interface ClientExplainPanelView {
  clientId: string;
  /** The person asked about (empty: nothing asked yet). */
  email: string;
  scope: string;
  explanation?: AccessExplanation;
  error?: string;
}

/** On the client page: type a person's email. */
export function clientExplainPanel(view: ClientExplainPanelView): SafeHtml {
  return html`<h2 id="explain">Explain access</h2>
<form method="get" action="/admin/clients/${encodeURIComponent(view.clientId)}#explain" class="toolbar">
<div class="field"><label for="explain_user">Person (email)</label>
<input id="explain_user" name="explain_user" type="email" spellcheck="false" autocapitalize="none" value="${view.email}"></div>
${scopeField(view.scope)}
<button type="submit" class="secondary inline">Explain</button>
</form>
${explanationSection(view.explanation, view.error)}`;
}
