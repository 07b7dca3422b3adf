// The page after login (the guide's "next page load"): runs the enrollment the login page scheduled,
// and fills the "What happened" panel so the flow can be watched.
(() => {
  const $ = (id) => document.getElementById(id);
  const ENDPOINT = '/generate-auth-token';
  const OUTCOME_ENDPOINT = '/enrollment-outcome';
  const standIn = document.body.dataset.sdk !== 'ownid';
  // After each step: the user's policy state and the server's funnel.
  const policyPanel = () => {
    window.DemoPolicyPanel?.refresh();
    window.DemoFunnel?.refresh();
  };

  const decodePart = (part) => {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  };

  const STATUS_MEANING = {
    200: 'a token was issued',
    204: 'the policy says not now',
    401: 'no valid session: the snippet skips quietly',
    403: 'refused (email not verified, or a foreign Origin)',
    405: 'wrong method',
    409: 'this token was reported already',
    429: 'over the per-user limit, or throttled',
    500: 'misconfigured (see the server log)',
    503: 'a dependency is down (see the server log)',
  };

  const REPORT_MEANING = {
    204: 'recorded',
    400: 'refused: malformed, or the token is too old',
    401: 'no valid session',
    403: 'refused: not our token, or not this user',
    409: 'already reported',
    503: 'the state store is down: not recorded',
  };

  const outcomeReported = (status, body) => {
    $('panel-report').textContent =
      `POST ${OUTCOME_ENDPOINT} {"outcome": "${body.outcome ?? '?'}"} → ${status} (${REPORT_MEANING[status] ?? 'unexpected'})`;
    policyPanel();
  };

  const requestBody = (init) => {
    try {
      return JSON.parse(String(init?.body ?? '{}'));
    } catch {
      return {};
    }
  };

  // Demo instrumentation only: watch the snippet's requests to show status, claims and the report.
  const pageFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
    const sameOrigin = url.origin === location.origin;
    const watched = sameOrigin && url.pathname === ENDPOINT;
    const report = sameOrigin && url.pathname === OUTCOME_ENDPOINT;
    let response;
    try {
      response = await pageFetch(input, init);
    } catch (error) {
      if (watched) $('panel-endpoint').textContent = `POST ${ENDPOINT} → network error`;
      if (report) $('panel-report').textContent = `POST ${OUTCOME_ENDPOINT} → network error`;
      throw error;
    }
    if (report) outcomeReported(response.status, requestBody(init));
    if (watched) {
      const status = response.status;
      const skip =
        status === 204 ? `: Enrollment-Skip ${response.headers.get('Enrollment-Skip') ?? '(none)'}` : '';
      $('panel-endpoint').textContent =
        `POST ${ENDPOINT} → ${status} (${STATUS_MEANING[status] ?? 'unexpected'}${skip})`;
      // The token request is counted in the user's hour window.
      policyPanel();
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

  let skipReason;
  const onEvent = (event) => {
    if (event.type === 'skipped') skipReason = event.reason;
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()}  ${describeEvent(event)}`;
    $('panel-events').append(item);
  };

  const options = {
    endpoint: ENDPOINT,
    onEvent,
    // The real SDK loads from OwnID's CDN; the stand-in is already there.
    sdkWaitMs: standIn ? 3000 : 10_000,
    // The stand-in makes no passkey, so it needs no platform authenticator: many desktop browsers have
    // none and would be skipped as `ineligible` before any step of the journey could be seen.
    checkEligibility: !standIn,
  };

  const describeDevice = async () => {
    let available = false;
    try {
      available = !!(await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
    } catch {}
    $('panel-device').dataset.platformAuthenticator = String(available);
    $('panel-device').textContent = available
      ? 'has a platform authenticator (fingerprint, face or screen lock): eligible'
      : standIn
        ? 'no platform authenticator. The real SDK mode skips such a device (ineligible); the stand-in makes no passkey, so the demo asks anyway (checkEligibility: false).'
        : 'no platform authenticator: the snippet skips this device (ineligible) and reports it; nothing is asked.';
  };
  describeDevice();

  const run = (start) => {
    $('panel-outcome').textContent = 'running…';
    skipReason = undefined;
    start().then((outcome) => {
      $('panel-outcome').textContent = skipReason ? `${outcome} (${skipReason})` : outcome;
      document.body.dataset.skipReason = skipReason ?? '';
      document.body.dataset.outcome = outcome;
      policyPanel();
    });
  };

  const reset = () => {
    $('panel-endpoint').textContent = 'not called yet';
    $('panel-report').textContent = 'not sent yet';
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
  policyPanel();
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
