// The demo's policy panel: what the function's state store holds for the signed-in user, read from
// the local server's dev-only endpoint after each step, and a button that resets it. Not part of a
// site's integration: only the local server has these endpoints.
(() => {
  const $ = (id) => document.getElementById(id);
  const STATE = '/dev/policy-state';
  const RESET = '/dev/policy-reset';

  const when = (iso) => {
    if (!iso) return undefined;
    const date = new Date(iso);
    const days = Math.round((date.getTime() - Date.now()) / 86_400_000);
    const relative = days > 0 ? ` (in ${days} day${days === 1 ? '' : 's'})` : '';
    return `${date.toLocaleString()}${relative}`;
  };

  const NEXT = {
    200: () => 'a token (the prompt is shown)',
    204: (next) => `204 Enrollment-Skip: ${next.skip} (no prompt)`,
    429: () => '429 (over the hourly limit)',
  };

  /** Sets one row: its text, a data-value for scripts, and a class that colours what blocks a prompt. */
  const show = (id, text, value, tone) => {
    const cell = $(id);
    cell.textContent = text;
    cell.dataset.value = String(value ?? '');
    cell.className = tone ?? '';
  };

  const render = (state) => {
    const s = state.settings;
    show(
      'policy-last-outcome',
      state.lastOutcome ? `${state.lastOutcome} at ${when(state.lastOutcomeAt)}` : 'none yet',
      state.lastOutcome,
    );
    show(
      'policy-snoozed-until',
      when(state.snoozedUntil) ?? `not snoozed (a Cancel snoozes for ${s.snoozeDays} days)`,
      state.snoozedUntil,
      state.snoozedUntil ? 'active' : '',
    );
    show(
      'policy-declines',
      `${state.declines} of ${s.maxDeclines}${state.declines >= s.maxDeclines ? ': declined until a reset' : ''}`,
      state.declines,
      state.declines >= s.maxDeclines ? 'active' : '',
    );
    show(
      'policy-failures',
      `${state.failuresInARow} of ${s.maxFailures}${state.pausedUntil ? `; paused until ${when(state.pausedUntil)}` : ''}`,
      state.failuresInARow,
      state.pausedUntil ? 'active' : '',
    );
    show(
      'policy-enrolled',
      state.enrolledAt
        ? `yes, ${when(state.enrolledAt)} (${s.afterEnrolled === 'stop' ? 'not asked again anywhere' : 'other devices are still asked'})`
        : 'no',
      state.enrolledAt ? 'yes' : 'no',
      state.enrolledAt ? 'good' : '',
    );
    show(
      'policy-tokens',
      `${state.tokensThisHour} of ${s.maxTokensPerHour}`,
      state.tokensThisHour,
      state.tokensThisHour >= s.maxTokensPerHour ? 'active' : '',
    );
    show(
      'policy-bucket',
      `${state.rolloutBucket} of 10000: ${state.inRollout ? 'in' : 'not in'} the rollout (${s.rolloutPercent}%)`,
      state.rolloutBucket,
      state.inRollout ? '' : 'active',
    );
    const next = state.nextRequest;
    show('policy-next', (NEXT[next.answer] ?? (() => String(next.answer)))(next), next.skip ?? next.answer);
    $('policy-key').textContent = state.userKey;
    $('policy-store').textContent =
      `table ${state.table} in ${state.store}${state.stored ? '' : ', no item yet'}`;
  };

  let latest = 0;
  const load = async (request) => {
    const ticket = ++latest;
    let response;
    try {
      response = await request();
    } catch {
      if (ticket === latest) $('policy-message').textContent = 'The local server did not answer.';
      return;
    }
    const body = await response.json().catch(() => ({}));
    // A slower, older read must not overwrite a newer one.
    if (ticket !== latest) return;
    $('policy-state').hidden = !response.ok;
    $('policy-reset').hidden = !response.ok;
    if (!response.ok) {
      $('policy-message').textContent = body.message ?? `HTTP ${response.status}`;
      return;
    }
    $('policy-message').textContent = `Read at ${new Date().toLocaleTimeString()}.`;
    render(body);
    document.body.dataset.policyReads = String(Number(document.body.dataset.policyReads ?? 0) + 1);
  };

  const refresh = () => load(() => fetch(STATE, { cache: 'no-store' }));

  /** Forgets the server's state for this user and this browser's passkey memory of the snippet. */
  const reset = async () => {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith('ownid-enroll:')) localStorage.removeItem(key);
    }
    await load(() => fetch(RESET, { method: 'POST' }));
  };

  $('policy-reset').addEventListener('click', () => {
    reset();
  });

  window.DemoPolicyPanel = Object.freeze({ refresh, reset });
})();
