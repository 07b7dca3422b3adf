// OwnID SDK stand-in for the offline demo. NOT OwnID: it defines `ownid.enrollCredential(email, token)`
// as the guide uses it, checks the token the way OwnID would (RS256 signature against the dev OwnID
// public key, exp, iss, aud, sub) with WebCrypto, and lets the person pick the outcome, so the page's
// reaction to each of the guide's three results can be seen. No passkey is created.
(() => {
  const bytesOf = (base64url) => {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  };
  const jsonOf = (part) => JSON.parse(new TextDecoder().decode(bytesOf(part)));

  let setup;
  const loadSetup = () => {
    setup ??= (async () => {
      const config = await fetch('/demo/config.json').then((r) => r.json());
      let key;
      let keyProblem;
      const jwkResponse = await fetch('/demo/ownid-public-key.json');
      if (!jwkResponse.ok) keyProblem = 'no public key to check with (the key is in Secrets Manager)';
      else if (!window.crypto?.subtle)
        keyProblem = 'WebCrypto needs a secure context (http://127.0.0.1 or http://localhost)';
      else {
        const jwk = await jwkResponse.json();
        key = await crypto.subtle.importKey(
          'jwk',
          jwk,
          { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
          false,
          ['verify'],
        );
      }
      return { config, key, keyProblem };
    })();
    setup.catch(() => {
      setup = undefined;
    });
    return setup;
  };

  /** Each check: { label, ok } where ok is true, false, or null (could not be checked). */
  async function checkToken(email, token) {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3)
      return {
        header: {},
        payload: {},
        checks: [{ label: 'a compact JWT (header.payload.signature)', ok: false }],
      };
    let header;
    let payload;
    try {
      header = jsonOf(parts[0]);
      payload = jsonOf(parts[1]);
    } catch {
      return { header: {}, payload: {}, checks: [{ label: 'header and claims are JSON', ok: false }] };
    }
    const { config, key, keyProblem } = await loadSetup();
    const expected = config.token;
    const now = Math.floor(Date.now() / 1000);
    const checks = [{ label: 'alg is RS256', ok: header.alg === 'RS256' }];
    if (key) {
      const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
      let valid = false;
      try {
        valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, bytesOf(parts[2]), signed);
      } catch {
        valid = false;
      }
      checks.push({ label: 'signature verifies with the OwnID public key', ok: valid });
    } else {
      checks.push({ label: `signature not checked: ${keyProblem}`, ok: null });
    }
    const expiresIn = typeof payload.exp === 'number' ? payload.exp - now : undefined;
    checks.push({
      label: expiresIn === undefined ? 'exp is set' : `exp is in the future (${expiresIn} s left)`,
      ok: expiresIn !== undefined && expiresIn > 0,
    });
    checks.push({
      label: 'iat is not in the future',
      ok: typeof payload.iat === 'number' && payload.iat <= now + 60,
    });
    checks.push({ label: `iss is "${expected.issuer}"`, ok: payload.iss === expected.issuer });
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    checks.push({ label: `aud is "${expected.audience}"`, ok: audiences.includes(expected.audience) });
    const subject = expected.profile === 'session-creation' ? `Email:${email}` : email;
    checks.push({ label: `sub is "${subject}"`, ok: payload.sub === subject });
    checks.push({ label: 'jti is set', ok: typeof payload.jti === 'string' && payload.jti !== '' });
    return { header, payload, checks };
  }

  const element = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === 'text') node.textContent = value;
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  };

  /** Shows the consent dialog; resolves to 'create', 'cancel' or 'fail'. */
  function ask(email, checks) {
    const accepted = checks.every((check) => check.ok !== false);
    const list = element(
      'ul',
      { class: 'stand-in-checks' },
      checks.map((check) =>
        element('li', {
          class: check.ok === true ? 'ok' : check.ok === false ? 'bad' : 'unknown',
          text: `${check.ok === true ? '✓' : check.ok === false ? '✗' : '–'} ${check.label}`,
        }),
      ),
    );
    const create = element('button', {
      type: 'button',
      class: 'primary',
      dataset: { choice: 'create' },
      text: 'Create passkey',
    });
    const cancel = element('button', { type: 'button', dataset: { choice: 'cancel' }, text: 'Cancel' });
    const fail = element('button', {
      type: 'button',
      class: 'danger',
      dataset: { choice: 'fail' },
      text: 'Fail',
    });
    if (!accepted) create.disabled = true;
    const dialog = element(
      'dialog',
      { id: 'ownid-stand-in-dialog', class: 'stand-in-dialog', 'aria-labelledby': 'ownid-stand-in-title' },
      [
        element('p', { class: 'stand-in-label', text: 'OwnID SDK stand-in · offline demo' }),
        element('h2', { id: 'ownid-stand-in-title', text: 'Create a passkey?' }),
        element('p', {}, [
          'Sign in next time as ',
          element('strong', { text: email }),
          ' with your fingerprint, face or screen lock.',
        ]),
        element('p', {
          class: 'hint',
          text: accepted ? 'The token passed the checks OwnID makes:' : 'OwnID would refuse this token:',
        }),
        list,
        element('p', { class: 'hint', text: 'Pick the outcome ownid.enrollCredential() resolves with:' }),
        element('div', { class: 'choices' }, [create, cancel, fail]),
      ],
    );
    document.body.append(dialog);
    return new Promise((resolve) => {
      const finish = (choice) => {
        dialog.close();
        dialog.remove();
        resolve(choice);
      };
      create.addEventListener('click', () => finish('create'));
      cancel.addEventListener('click', () => finish('cancel'));
      fail.addEventListener('click', () => finish('fail'));
      // Escape dismisses, as closing OwnID's dialog would.
      dialog.addEventListener('cancel', (event) => {
        event.preventDefault();
        finish('cancel');
      });
      dialog.showModal();
      (accepted ? create : fail).focus();
    });
  }

  async function enrollCredential(loginId, authToken) {
    const result = await checkToken(loginId, authToken);
    window.dispatchEvent(new CustomEvent('ownid-stand-in:checked', { detail: result }));
    const choice = await ask(loginId, result.checks);
    if (choice === 'create') {
      return { data: { loginId, credential: 'stand-in-passkey', createdAt: new Date().toISOString() } };
    }
    if (choice === 'fail')
      return { error: true, message: 'The stand-in was told to fail (as OwnID does on an error)' };
    return {};
  }

  window.ownid = Object.freeze({ enrollCredential, isStandIn: true });

  const banner = () => {
    if (document.querySelector('.stand-in-banner')) return;
    document.body.prepend(
      element('div', { class: 'stand-in-banner', role: 'note' }, [
        element('strong', { text: 'OwnID SDK stand-in (offline demo)' }),
        ' · tokens are checked against the dev OwnID public key; no passkey is created. Set OWNID_APP_ID to load the real SDK.',
      ]),
    );
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', banner);
  else banner();
})();
