// The consent page: names the app and lists, in plain words, what it asks for.
import { html, type SafeHtml } from './html.js';
import { EN, type Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

/** Plain-language descriptions of the scopes Sesame knows (English); other scopes are shown by name. */
export const SCOPE_DESCRIPTIONS = EN.signIn.scopes;

/** Plain-language names of standard claims (asked for one by one with the claims parameter). */
export const CLAIM_DESCRIPTIONS = EN.signIn.claims;

export interface ConsentView {
  uid: string;
  csrf: string;
  clientName: string;
  /** The app's registration (client metadata in RFC 7591 names), for what the page shows of it. */
  client?: Readonly<Record<string, unknown>> | undefined;
  /** OIDC scopes not yet granted to this client (prompt.details.missingOIDCScope). */
  scopes: readonly string[];
  /** Claims not yet granted (prompt.details.missingOIDCClaims). */
  claims?: readonly string[] | undefined;
  /** Resource server scopes not yet granted (prompt.details.missingResourceScopes). */
  resourceScopes?: Readonly<Record<string, readonly string[]>> | undefined;
}

export function describeScope(scope: string, t: Messages = EN): string {
  const known = t.signIn.scopes;
  return Object.hasOwn(known, scope) ? known[scope]! : scope;
}

export function describeClaim(claim: string, t: Messages = EN): string {
  const known = t.signIn.claims;
  return Object.hasOwn(known, claim) ? `${known[claim]!} (${claim})` : claim;
}

/** A URL from the app's registration, when it is one this page may use (checked at registration too). */
function registered(client: ConsentView['client'], field: string, schemes: readonly string[]): string | undefined {
  const value = client?.[field];
  return typeof value === 'string' && URL.canParse(value) && schemes.includes(new URL(value).protocol) ? value : undefined;
}

/** The app's own pages, linked under the buttons: people decide knowing whose terms apply. */
function appLinks(t: Messages, client: ConsentView['client'], clientName: string): SafeHtml | '' {
  const links = (
    [
      ['client_uri', t.signIn.about(clientName)],
      ['policy_uri', t.signIn.privacyPolicy],
      ['tos_uri', t.signIn.termsOfService],
    ] as const
  ).flatMap(([field, label]) => {
    const href = registered(client, field, ['https:', 'http:']);
    return href ? [html`<a href="${href}" rel="noopener noreferrer" target="_blank">${label}</a>`] : [];
  });
  return links.length > 0 ? html`<p class="app-links">${links.map((link, i) => (i === 0 ? link : html` · ${link}`))}</p>` : '';
}

export function consentPage(t: Messages, { uid, csrf, clientName, client, scopes, claims = [], resourceScopes = {} }: ConsentView): SafeHtml {
  const action = (step: string) => `/interaction/${encodeURIComponent(uid)}/${step}`;
  const logo = registered(client, 'logo_uri', ['https:']);
  const resources = Object.entries(resourceScopes).filter(([, list]) => list.length > 0);
  const m = t.signIn;
  const items = [
    ...scopes.map((scope) => html`<li>${describeScope(scope, t)}</li>`),
    ...claims.map((claim) => html`<li>${describeClaim(claim, t)}</li>`),
    ...resources.map(([resource, list]) => html`<li>${m.accessTo(resource, list.join(', '))}</li>`),
  ];
  return layout({
    title: m.allowTitle(clientName),
    locale: t.locale,
    body: html`${logo && html`<img class="app-logo" src="${logo}" alt="" width="64" height="64" referrerpolicy="no-referrer">`}
<h1>${m.allowHeading(html`<span class="client">${clientName}</span>`)}</h1>
${
  items.length > 0
    ? html`<p class="lead">${m.isAskingFor(clientName)}</p>
<ul class="scopes">${items}</ul>`
    : html`<p class="lead">${m.isAskingToConfirm(clientName)}</p>`
}
<div class="actions">
<form method="post" action="${action('confirm')}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="primary" autofocus>${m.allow}</button>
</form>
<form method="post" action="${action('abort')}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="secondary">${m.deny}</button>
</form>
</div>
${appLinks(t, client, clientName)}`,
  });
}
