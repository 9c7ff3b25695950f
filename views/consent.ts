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

export function consentPage({ uid, csrf, clientName, scopes, claims = [], resourceScopes = {} }: ConsentView): SafeHtml {
  const action = (step: string) => `/interaction/${encodeURIComponent(uid)}/${step}`;
  const resources = Object.entries(resourceScopes).filter(([, list]) => list.length > 0);
  const items = [
    ...scopes.map((scope) => html`<li>${describeScope(scope)}</li>`),
    ...claims.map((claim) => html`<li>${describeClaim(claim)}</li>`),
    ...resources.map(([resource, list]) => html`<li>Access to <span class="code">${resource}</span>: ${list.join(', ')}</li>`),
  ];
  return layout({
    title: `Allow ${clientName}?`,
    body: html`<h1>Allow <span class="client">${clientName}</span>?</h1>
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
</div>`,
  });
}
