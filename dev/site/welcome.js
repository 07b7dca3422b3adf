// The page after login (the guide's "next page load"): runs the enrollment the login page scheduled,
// and fills the "What happened" panel so the flow can be watched.
(() => {
  const $ = (id) => document.getElementById(id);
  const ENDPOINT = '/generate-auth-token';

  const decodePart = (part) => {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  };

  const STATUS_MEANING = {
    200: 'a token was issued',
    401: 'no valid session: the snippet skips quietly',
    403: 'refused (email not verified, or a foreign Origin)',
    405: 'wrong method',
    429: 'throttled',
    500: 'misconfigured (see the server log)',
    503: 'a dependency is down (see the server log)',
  };

  // Demo instrumentation only: watch the snippet's request to show status and claims.
  const pageFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
    const watched = url.origin === location.origin && url.pathname === ENDPOINT;
    let response;
    try {
      response = await pageFetch(input, init);
    } catch (error) {
      if (watched) $('panel-endpoint').textContent = `POST ${ENDPOINT} → network error`;
      throw error;
    }
    if (watched) {
      const status = response.status;
      $('panel-endpoint').textContent =
        `POST ${ENDPOINT} → ${status} (${STATUS_MEANING[status] ?? 'unexpected'})`;
      if (status === 200) {
        response
          .clone()
          .json()
          .then((body) => {
            const [header, payload] = String(body.token).split('.');
            $('panel-claims').textContent = JSON.stringify(
              { header: decodePart(header), claims: decodePart(payload) },
              null,
              2,
            );
          })
          .catch(() => {
            $('panel-claims').textContent = 'the body is not {email, token}';
          });
      }
    }
    return response;
  };

  window.addEventListener('ownid-stand-in:checked', (event) => {
    const list = document.createElement('ul');
    list.className = 'stand-in-checks';
    for (const check of event.detail.checks) {
      const item = document.createElement('li');
      item.className = check.ok === true ? 'ok' : check.ok === false ? 'bad' : 'unknown';
      item.textContent = `${check.ok === true ? '✓' : check.ok === false ? '✗' : '–'} ${check.label}`;
      list.append(item);
    }
    $('panel-checks').replaceChildren(list);
  });

  const describeEvent = (event) =>
    JSON.stringify(event, (key, value) =>
      key === 'error' && value instanceof Error ? `${value.name}: ${value.message}` : value,
    );

  const onEvent = (event) => {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()}  ${describeEvent(event)}`;
    $('panel-events').append(item);
  };

  const options = {
    endpoint: ENDPOINT,
    onEvent,
    // The real SDK loads from OwnID's CDN; the stand-in is already there.
    sdkWaitMs: document.body.dataset.sdk === 'ownid' ? 10_000 : 3000,
  };

  const run = (start) => {
    $('panel-outcome').textContent = 'running…';
    start().then((outcome) => {
      $('panel-outcome').textContent = outcome;
      document.body.dataset.outcome = outcome;
    });
  };

  const reset = () => {
    $('panel-endpoint').textContent = 'not called yet';
    $('panel-claims').textContent = '-';
    $('panel-checks').textContent = '-';
    delete document.body.dataset.outcome;
  };

  fetch('/demo/me')
    .then(async (response) => {
      if (!response.ok) {
        $('session-line').textContent = 'You are not signed in (no demo session cookie). ';
        const link = document.createElement('a');
        link.href = '/';
        link.textContent = 'Sign in';
        $('session-line').append(link);
        return;
      }
      const me = await response.json();
      $('welcome-title').textContent = `Welcome back, ${me.email}`;
      const expires = new Date(me.expiresAt).toLocaleTimeString();
      $('session-line').textContent =
        `Signed in as ${me.email} · ${me.session === 'opaque' ? 'opaque' : 'JWT'} session in the HttpOnly cookie ${me.cookie} · expires ${expires}`;
    })
    .catch(() => {
      $('session-line').textContent = 'The server did not answer.';
    });

  const start = () => {
    if (!window.OwnIDEnroll) {
      $('panel-outcome').textContent = 'the web snippet did not load (run npm run build)';
      return;
    }
    run(() => window.OwnIDEnroll.runPendingEnrollment(options));
  };
  start();

  $('run-again').addEventListener('click', () => {
    if (!window.OwnIDEnroll) return;
    reset();
    run(() => window.OwnIDEnroll.initiatePasskeysEnrollment(options));
  });

  $('logout').addEventListener('click', async () => {
    await fetch('/demo/logout', { method: 'POST' }).catch(() => undefined);
    location.assign('/');
  });
})();
