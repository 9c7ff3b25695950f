// The consent page: names the app and lists, in plain words, what it asks for.
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

/** Plain-language descriptions of the scopes Sesame knows; other scopes are shown by name. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Confirm your identity',
  profile: 'Your name',
  email: 'Your email address',
  offline_access: 'Stay signed in to the app when you are away (refresh tokens)',
};

/** Plain-language names of standard claims (asked for one by one with the claims parameter). */
export const CLAIM_DESCRIPTIONS: Readonly<Record<string, string>> = {
  sub: 'Your account identifier',
  name: 'Your name',
  given_name: 'Your first name',
  family_name: 'Your last name',
  middle_name: 'Your middle name',
  nickname: 'Your nickname',
  preferred_username: 'Your preferred username',
  email: 'Your email address',
  email_verified: 'Whether your email address is verified',
  picture: 'Your picture',
  locale: 'Your language',
  zoneinfo: 'Your time zone',
  updated_at: 'When your profile was last updated',
};

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

export function describeScope(scope: string): string {
  return Object.hasOwn(SCOPE_DESCRIPTIONS, scope) ? SCOPE_DESCRIPTIONS[scope]! : scope;
}

export function describeClaim(claim: string): string {
  return Object.hasOwn(CLAIM_DESCRIPTIONS, claim) ? `${CLAIM_DESCRIPTIONS[claim]!} (${claim})` : claim;
}

/** A URL from the app's registration, when it is one this page may use (checked at registration too). */
function registered(client: ConsentView['client'], field: string, schemes: readonly string[]): string | undefined {
  const value = client?.[field];
  return typeof value === 'string' && URL.canParse(value) && schemes.includes(new URL(value).protocol) ? value : undefined;
}

/** The app's own pages, linked under the buttons: people decide knowing whose terms apply. */
function appLinks(client: ConsentView['client'], clientName: string): SafeHtml | '' {
  const links = (
    [
      ['client_uri', `About ${clientName}`],
      ['policy_uri', 'Privacy policy'],
      ['tos_uri', 'Terms of service'],
    ] as const
  ).flatMap(([field, label]) => {
    const href = registered(client, field, ['https:', 'http:']);
    return href ? [html`<a href="${href}" rel="noopener noreferrer" target="_blank">${label}</a>`] : [];
  });
  return links.length > 0 ? html`<p class="app-links">${links.map((link, i) => (i === 0 ? link : html` · ${link}`))}</p>` : '';
}

export function consentPage({ uid, csrf, clientName, client, scopes, claims = [], resourceScopes = {} }: ConsentView): SafeHtml {
  const action = (step: string) => `/interaction/${encodeURIComponent(uid)}/${step}`;
  const logo = registered(client, 'logo_uri', ['https:']);
  const resources = Object.entries(resourceScopes).filter(([, list]) => list.length > 0);
  const items = [
    ...scopes.map((scope) => html`<li>${describeScope(scope)}</li>`),
    ...claims.map((claim) => html`<li>${describeClaim(claim)}</li>`),
    ...resources.map(([resource, list]) => html`<li>Access to <span class="code">${resource}</span>: ${list.join(', ')}</li>`),
  ];
  return layout({
    title: `Allow ${clientName}?`,
    body: html`${logo && html`<img class="app-logo" src="${logo}" alt="" width="64" height="64" referrerpolicy="no-referrer">`}
<h1>Allow <span class="client">${clientName}</span>?</h1>
${
  items.length > 0
    ? html`<p class="lead"><strong>${clientName}</strong> is asking for:</p>
<ul class="scopes">${items}</ul>`
    : html`<p class="lead"><strong>${clientName}</strong> is asking to confirm that you are signed in.</p>`
}
<div class="actions">
<form method="post" action="${action('confirm')}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="primary" autofocus>Allow</button>
</form>
<form method="post" action="${action('abort')}">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="secondary">Deny</button>
</form>
</div>
${appLinks(client, clientName)}`,
  });
}
