import { describe, expect, it } from 'vitest';
import { raw } from '../../views/html.js';
import { EN } from '../../views/i18n/catalogue.js';
import { consentPage } from '../../views/consent.js';
import { errorPage } from '../../views/error.js';
import { loggedOutPage } from '../../views/logged-out.js';
import { loginPage } from '../../views/login.js';
import { logoutPage } from '../../views/logout.js';

const HOSTILE = '<script>alert("x")</script>';

/** The opening tag of the element whose attribute `name` has the given value. */
function tagWith(page: string, attr: string, value: string): string {
  const match = page.match(new RegExp(`<[a-z]+[^>]*\\b${attr}="${value}"[^>]*>`));
  expect(match, `no element with ${attr}="${value}"`).not.toBeNull();
  return match![0];
}

describe('layout', () => {
  it('is a phone-ready document with our stylesheet and no inline script or style', () => {
    const page = errorPage(EN, { title: 'T', message: 'M' }).toString();
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<link rel="stylesheet" href="/assets/sesame.css">');
    expect(page).toContain('<title>T · Sesame</title>');
    expect(page).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });
});

describe('login page', () => {
  const base = { uid: 'uid-123', csrf: 'tok_en-1', clientName: 'Photo Album' };

  it('has labelled Email and Password inputs, the CSRF field and a Sign in button', () => {
    const page = loginPage(EN, base).toString();
    expect(tagWith(page, 'method', 'post')).toContain('action="/interaction/uid-123/login"');

    const email = tagWith(page, 'name', 'email');
    expect(email).toContain('type="email"');
    expect(email).toContain('autocomplete="username"');
    expect(email).toContain('id="email"');
    expect(email).toContain('autofocus');
    expect(page).toContain('<label for="email">Email</label>');

    const password = tagWith(page, 'name', 'password');
    expect(password).toContain('type="password"');
    expect(password).toContain('autocomplete="current-password"');
    expect(password).toContain('id="password"');
    expect(page).toContain('<label for="password">Password</label>');

    expect(tagWith(page, 'name', 'csrf')).toBe('<input type="hidden" name="csrf" value="tok_en-1">');
    expect(page).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(page).toContain('to continue to <strong>Photo Album</strong>');
    expect(page).not.toContain('Incorrect');
  });

  it('after a failure shows one neutral message and keeps the typed email, escaped', () => {
    const page = loginPage(EN, { ...base, email: `"><img src=x>${HOSTILE}`, failed: true }).toString();
    expect(page).toContain('Incorrect email or password.');
    expect(page).toContain('value="&quot;&gt;&lt;img src=x&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
    expect(page).not.toContain('<img src=x>');
    expect(page).not.toContain('<script>');
    // Never says which part was wrong.
    expect(page).not.toMatch(/unknown|not found|no account|wrong password|incorrect password|does not exist/i);
    // Focus goes to the password when the email is kept.
    expect(tagWith(page, 'name', 'password')).toContain('autofocus');
    expect(tagWith(page, 'name', 'email')).not.toContain('autofocus');
  });

  it('has a labelled "Keep me signed in" checkbox, unchecked by default, inside the form', () => {
    const page = loginPage(EN, base).toString();
    const box = tagWith(page, 'name', 'remember');
    expect(box).toMatch(/^<input\b/);
    expect(box).toContain('type="checkbox"');
    expect(box).toContain('value="yes"');
    expect(box).toContain('id="remember"');
    expect(box).not.toMatch(/\bchecked\b/);
    // Keyboard accessible: a native checkbox, not taken out of the tab order, with its own label.
    expect(box).not.toMatch(/tabindex|disabled|hidden/);
    expect(page).toContain('<label for="remember">Keep me signed in</label>');
    const form = /<form\b[\s\S]*?<\/form>/.exec(page)![0];
    expect(form).toContain('name="remember"');
    // Between the password and the button, so the tab order is email, password, box, Sign in.
    expect(form.indexOf('name="password"')).toBeLessThan(form.indexOf('name="remember"'));
    expect(form.indexOf('name="remember"')).toBeLessThan(form.indexOf('>Sign in</button>'));
  });

  it('keeps "Keep me signed in" ticked when re-rendered after a failure', () => {
    const page = loginPage(EN, { ...base, email: 'ada@example.com', failed: true, remember: true }).toString();
    expect(tagWith(page, 'name', 'remember')).toMatch(/\schecked(\s|>)/);
    expect(tagWith(loginPage(EN, { ...base, failed: true, remember: false }).toString(), 'name', 'remember')).not.toMatch(/\bchecked\b/);
  });

  it('escapes the client name and the uid', () => {
    const page = loginPage(EN, { ...base, uid: 'a"b', clientName: HOSTILE }).toString();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
    expect(page).toContain('action="/interaction/a%22b/login"');
  });
});

describe('consent page', () => {
  it('names the client escaped, lists scopes in plain words, and has Allow and Deny forms', () => {
    const page = consentPage(EN, {
      uid: 'u1',
      csrf: 'c1',
      clientName: HOSTILE,
      scopes: ['openid', 'profile', 'email', 'offline_access', 'custom:<b>'],
      claims: ['nickname', 'x-claim'],
    }).toString();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    for (const text of [
      'Confirm your identity',
      'Your name',
      'Your email address',
      'Stay signed in to the app when you are away (refresh tokens)',
      'custom:&lt;b&gt;',
      'Your nickname (nickname)',
      'x-claim',
    ]) {
      expect(page).toContain(`<li>${text}</li>`);
    }
    expect(page).toContain('<form method="post" action="/interaction/u1/confirm">');
    expect(page).toContain('<form method="post" action="/interaction/u1/abort">');
    expect(page.match(/<input type="hidden" name="csrf" value="c1">/g)).toHaveLength(2);
    expect(page).toMatch(/<button type="submit"[^>]*>Allow<\/button>/);
    expect(page).toMatch(/<button type="submit"[^>]*>Deny<\/button>/);
  });

  it('lists resource scopes', () => {
    const page = consentPage(EN, {
      uid: 'u',
      csrf: 'c',
      clientName: 'App',
      scopes: [],
      resourceScopes: { 'https://api.example': ['read', 'write'] },
    }).toString();
    expect(page).toContain('https://api.example');
    expect(page).toContain('read, write');
  });
});

describe("consent page: the app's logo and pages", () => {
  const base = { uid: 'u1', csrf: 'c'.repeat(43), clientName: 'Notes', scopes: ['openid'] };

  it('shows the https logo and links the app, its privacy policy and terms, escaped', () => {
    const page = consentPage(EN, {
      ...base,
      client: {
        logo_uri: 'https://notes.example/logo.png?a=1&b="x"',
        client_uri: 'https://notes.example/',
        policy_uri: 'https://notes.example/privacy',
        tos_uri: 'https://notes.example/terms',
      },
    }).toString();
    expect(page).toContain('<img class="app-logo" src="https://notes.example/logo.png?a=1&amp;b=&quot;x&quot;" alt=""');
    expect(page).toContain('<a href="https://notes.example/" rel="noopener noreferrer" target="_blank">About Notes</a>');
    expect(page).toContain('>Privacy policy</a> · <a href="https://notes.example/terms"');
  });

  it('shows no logo from http, data or javascript URLs, and no link to a non-web URL', () => {
    for (const logo of ['http://notes.example/logo.png', 'data:image/png;base64,AAAA', 'javascript:alert(1)']) {
      expect(consentPage(EN, { ...base, client: { logo_uri: logo } }).toString()).not.toContain('<img');
    }
    const page = consentPage(EN, { ...base, client: { policy_uri: 'javascript:alert(1)' } }).toString();
    expect(page).not.toContain('javascript:');
    expect(page).not.toContain('app-links');
  });
});

describe('error page', () => {
  it('shows title, message, error and error_description escaped', () => {
    const page = errorPage(EN, {
      title: 'Something went wrong',
      message: 'Go back.',
      error: 'invalid_request',
      errorDescription: `bad ${HOSTILE} "value"`,
    }).toString();
    expect(page).toContain('<h1>Something went wrong</h1>');
    expect(page).toContain('invalid_request');
    expect(page).toContain('bad &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;value&quot;');
    expect(page).not.toContain('<script>');
  });

  it('omits the details block without an error', () => {
    expect(errorPage(EN, { title: 'T', message: 'M' }).toString()).not.toContain('<dl');
  });
});

describe('logout pages', () => {
  const form = raw('<form id="op.logoutForm" method="post" action="http://op/session/end/confirm"><input type="hidden" name="xsrf" value="s"/></form>');

  it('asks to sign out of the app, embeds the provider form and submits it with or without logout=yes', () => {
    const page = logoutPage(EN, { clientName: HOSTILE, form }).toString();
    expect(page).toContain('Sign out of <span class="client">&lt;script&gt;');
    expect(page).toContain('<form id="op.logoutForm"');
    expect(page).toMatch(/<button type="submit"[^>]*form="op.logoutForm" name="logout" value="yes"[^>]*>Sign out<\/button>/);
    const stay = page.match(/<button[^>]*>Stay signed in<\/button>/)![0];
    expect(stay).toContain('form="op.logoutForm"');
    expect(stay).not.toContain('name="logout"');
  });

  it('falls back to Sesame without a client name', () => {
    expect(logoutPage(EN, { form }).toString()).toContain('Sign out of <span class="client">Sesame</span>?');
  });

  it('logged-out page names the client when known, escaped', () => {
    expect(loggedOutPage(EN, { clientName: HOSTILE }).toString()).toContain('You signed out of <strong>&lt;script&gt;');
    expect(loggedOutPage(EN).toString()).toContain('You signed out of Sesame.');
  });
});
