// The sign-in's second step, after a correct password: a code from the person's authenticator app
// ("Authentication code", "Verify") or, through "Use a recovery code", one of their recovery
// codes. A wrong code, and one already used, get the same message. No script: works without
// JavaScript. Other ways of verifying join the list under the form; "Use a passkey" (when the
// person has one) is a button that views/assets/passkeys.js shows where the browser can run it.
//
// A person whose only second factor is a passkey (no app) gets no code form, which they could not
// use: the page is "Use a passkey", a line saying a passkey needs JavaScript (the script hides it;
// <noscript> is not shown when scripts are off by policy), one the script shows when the browser has
// no WebAuthn, and the way on without it: "Add an authenticator app instead" (the enrolment).
import { PASSKEY_SCRIPTS, scriptMessages } from './account/passkeys.js';
import { html, type SafeHtml } from './html.js';
import type { Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

export type SecondFactorForm = 'totp' | 'recovery_code';

/** Another way to verify, offered under the form: a link (GET) to that way's page or form. */
export interface OtherWay {
  label: string;
  href: string;
}

export interface SecondFactorView {
  uid: string;
  csrf: string;
  clientName: string;
  /** Which form to show. */
  form: SecondFactorForm;
  /** The person has recovery codes to fall back on. */
  recoveryCodes: boolean;
  /** True after a wrong or used code. */
  failed?: boolean | undefined;
  /** Milliseconds before another attempt is allowed, when throttled. */
  throttledFor?: number | undefined;
  /**
   * HOOK (passkeys): further ways to verify, e.g. "Use a passkey" when the person has one. The
   * interaction router fills it; each is a link under the form.
   */
  otherWays?: OtherWay[] | undefined;
  /** The person has a passkey: offer "Use a passkey" (needs JavaScript and WebAuthn). */
  passkey?: boolean | undefined;
  /** True after a passkey was not accepted. */
  passkeyFailed?: boolean | undefined;
  /** The person has an authenticator app (default). false with `passkey`: the passkey is their only factor. */
  app?: boolean | undefined;
  /** A passkey-only person's way to add an authenticator app instead (the enrolment inside the sign-in). */
  enrolHref?: string | undefined;
}

/**
 * "Use a passkey": hidden until passkeys.js shows it. The script asks for options (this person's
 * passkeys only), lets the browser ask the person, puts the answer in `response` and submits this form.
 */
function passkeyForm(t: Messages, uid: string, csrf: string, only = false): SafeHtml {
  const path = `/interaction/${encodeURIComponent(uid)}/second-factor/passkey`;
  return html`<div id="passkey-second-factor" hidden>
${only ? '' : html`<p class="or">${t.passkeys.or}</p>`}
<form method="post" action="${path}" id="passkey-second-factor-form" data-options="${path}/options"${scriptMessages(t)}>
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="response" value="">
<button type="submit" class="${only ? 'primary' : 'secondary'}">${t.mfa.usePasskey}</button>
<p class="muted" role="status" data-status></p>
</form>
</div>`;
}

/** The page's own URL for a form (the GET of the interaction shows it). */
export const secondFactorHref = (uid: string, form: SecondFactorForm): string =>
  `/interaction/${encodeURIComponent(uid)}${form === 'recovery_code' ? '?use=recovery-code' : ''}`;

/** The second step of a person whose only second factor is a passkey. */
function passkeyOnlyPage(t: Messages, view: SecondFactorView): SafeHtml {
  const m = t.mfa;
  const alert =
    view.throttledFor !== undefined ? t.signIn.throttled(view.throttledFor) : view.passkeyFailed ? m.passkeyOnlyFailed : view.failed ? m.wrongCode : undefined;
  const others: OtherWay[] = [...(view.enrolHref ? [{ label: m.addAppInstead, href: view.enrolHref }] : []), ...(view.otherWays ?? [])];
  return layout({
    title: m.stepTitle,
    locale: t.locale,
    scripts: PASSKEY_SCRIPTS,
    body: html`<h1>${m.stepTitle}</h1>
<p class="lead">${m.enterPasskey(view.clientName)}</p>
${alert && html`<p class="alert" role="alert">${alert}</p>`}
<p class="muted" id="passkey-needs-js">${m.passkeyNeedsJavaScript}</p>
<p class="muted" id="passkey-unsupported" hidden>${m.passkeyUnsupported}</p>
${passkeyForm(t, view.uid, view.csrf, true)}
${others.length > 0 && html`<nav aria-label="${m.otherWays}">${others.map((way) => html`<p class="aside"><a href="${way.href}">${way.label}</a></p>`)}</nav>`}`,
  });
}

export function secondFactorPage(t: Messages, view: SecondFactorView): SafeHtml {
  if (view.passkey && view.app === false) return passkeyOnlyPage(t, view);
  const m = t.mfa;
  const { uid, csrf, clientName, form } = view;
  const alert =
    view.throttledFor !== undefined ? t.signIn.throttled(view.throttledFor) : view.passkeyFailed ? m.passkeyFailed : view.failed ? m.wrongCode : undefined;
  const recovery = form === 'recovery_code';
  const others: OtherWay[] = [
    ...(recovery
      ? [{ label: m.useApp, href: secondFactorHref(uid, 'totp') }]
      : view.recoveryCodes
        ? [{ label: m.useRecoveryCode, href: secondFactorHref(uid, 'recovery_code') }]
        : []),
    ...(view.otherWays ?? []),
  ];
  const title = recovery ? m.recoveryTitle : m.stepTitle;
  return layout({
    title,
    locale: t.locale,
    ...(view.passkey ? { scripts: PASSKEY_SCRIPTS } : {}),
    body: html`<h1>${title}</h1>
<p class="lead">${recovery ? m.enterRecoveryCode(clientName) : m.enterAppCode(clientName)}</p>
${alert && html`<p class="alert" role="alert" id="code-error">${alert}</p>`}
<form method="post" action="/interaction/${encodeURIComponent(uid)}/second-factor"${alert ? html` aria-describedby="code-error"` : ''}>
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="method" value="${form}">
<div class="field">
${
  recovery
    ? html`<label for="code">${m.recoveryCode}</label>
<input id="code" name="code" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="64" autofocus>`
    : html`<label for="code">${m.code}</label>
<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*" autocomplete="one-time-code" required maxlength="16" autofocus>`
}
</div>
<button type="submit" class="primary">${m.verify}</button>
</form>
${view.passkey && passkeyForm(t, uid, csrf)}
${others.length > 0 && html`<nav aria-label="${m.otherWays}">${others.map((way) => html`<p class="aside"><a href="${way.href}">${way.label}</a></p>`)}</nav>`}`,
  });
}
