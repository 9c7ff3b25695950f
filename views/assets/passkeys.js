// Passkey ceremonies on Sesame's pages, with SimpleWebAuthn's browser bundle
// (/assets/simplewebauthn-browser.js, loaded before this script; served by Sesame itself).
//
// A form with data-options is the last step of a ceremony: on submit, the script POSTs the form's
// CSRF token (and the passkey's name) to data-options, which answers with the WebAuthn options and
// remembers the challenge in an HttpOnly cookie; the browser asks the person; the answer goes into
// the form's `response` field and the form is submitted like any other, so the server's answer is
// an ordinary page (a redirect, or the page again with an error). Without JavaScript or WebAuthn
// the forms stay hidden.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  const supported = Boolean(lib && lib.browserSupportsWebAuthn());

  /** Runs one ceremony for `form`; `ceremony` is lib.startRegistration or lib.startAuthentication. */
  function wire(form, ceremony, extra) {
    const status = form.querySelector('[data-status]');
    const button = form.querySelector('button[type="submit"]');
    const say = (text) => {
      if (status) status.textContent = text;
    };
    let running = false;
    form.addEventListener('submit', async (event) => {
      if (form.elements.namedItem('response').value !== '') return; // the ceremony's own submit
      event.preventDefault();
      if (running) return;
      running = true;
      button.disabled = true;
      say(form.dataset.working);
      try {
        const body = new URLSearchParams({ csrf: form.elements.namedItem('csrf').value, ...extra() });
        const answer = await fetch(form.dataset.options, {
          method: 'POST',
          body,
          credentials: 'same-origin',
          headers: { accept: 'application/json' },
        });
        const json = await answer.json().catch(() => ({}));
        if (!answer.ok || !json.options) {
          say(json.error || form.dataset.failed);
          return;
        }
        let response;
        try {
          response = await ceremony({ optionsJSON: json.options });
        } catch (error) {
          say(error && error.name === 'NotAllowedError' ? form.dataset.cancelled : form.dataset.failed);
          return;
        }
        form.elements.namedItem('response').value = JSON.stringify(response);
        form.submit();
      } catch {
        say(form.dataset.failed);
      } finally {
        running = false;
        button.disabled = false;
      }
    });
  }

  const add = document.getElementById('passkey-add');
  const needsScript = document.getElementById('passkey-needs-js');
  if (needsScript) needsScript.hidden = true;
  if (add) {
    if (supported) {
      add.hidden = false;
      wire(add, lib.startRegistration, () => ({ name: add.elements.namedItem('name').value }));
    } else {
      const unsupported = document.getElementById('passkey-unsupported');
      if (unsupported) unsupported.hidden = false;
    }
  }

  // "Use a passkey" as the second factor, after the password. A passkey-only second step says so
  // where the browser has no WebAuthn (the page's other way on: adding an authenticator app).
  const second = document.getElementById('passkey-second-factor-form');
  if (second && supported) {
    document.getElementById('passkey-second-factor').hidden = false;
    wire(second, lib.startAuthentication, () => ({}));
  } else if (second) {
    const unsupported = document.getElementById('passkey-unsupported');
    if (unsupported) unsupported.hidden = false;
  }

  const signIn = document.getElementById('passkey-signin-form');
  if (signIn && supported) {
    document.getElementById('passkey-signin').hidden = false;
    // "Keep me signed in" on the password form counts for the passkey too.
    const remember = document.getElementById('remember');
    const keep = signIn.elements.namedItem('remember');
    wire(signIn, lib.startAuthentication, () => {
      if (remember && keep) keep.value = remember.checked ? remember.value : '';
      return {};
    });
  }
})();
