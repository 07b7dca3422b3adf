// The demo's funnel: what the stack's dashboard would show for this server's run (eligible devices,
// tokens issued, then enrolled / cancelled / failed, and the rate), counted by the local server from
// the function's own metric lines. Not part of a site's integration: only the local server has it.
(() => {
  const $ = (id) => document.getElementById(id);
  const FUNNEL = '/dev/funnel';
  const STEPS = [
    ['eligible', 'Eligible devices', (f) => f.tokenRequests],
    ['issued', 'Tokens issued', (f) => f.tokensIssued],
    ['enrolled', 'Enrolled', (f) => f.outcomes.enrolled],
    ['cancelled', 'Cancelled', (f) => f.outcomes.cancelled],
    ['failed', 'Failed', (f) => f.outcomes.failed],
  ];

  const chart = $('funnel-chart');
  const bars = new Map();
  for (const [key, label] of STEPS) {
    const row = document.createElement('div');
    row.className = `funnel-row funnel-${key}`;
    const name = document.createElement('span');
    name.className = 'funnel-label';
    name.textContent = label;
    const track = document.createElement('span');
    track.className = 'funnel-track';
    const bar = document.createElement('span');
    bar.className = 'funnel-bar';
    const count = document.createElement('span');
    count.className = 'funnel-count';
    count.id = `funnel-${key}`;
    count.textContent = '0';
    track.append(bar);
    row.append(name, track, count);
    chart.append(row);
    bars.set(key, { bar, count });
  }

  const render = (funnel) => {
    const values = STEPS.map(([key, , read]) => [key, read(funnel)]);
    const max = Math.max(1, ...values.map(([, value]) => value));
    for (const [key, value] of values) {
      const { bar, count } = bars.get(key);
      bar.style.width = `${(100 * value) / max}%`;
      count.textContent = String(value);
    }
    const rate = funnel.enrollmentRatePercent;
    $('funnel-rate').textContent = rate === null ? 'no token issued yet' : `${rate}% of tokens issued`;
    const skips = Object.entries(funnel.skipsByReason).map(([reason, n]) => `${reason} ${n}`);
    $('funnel-aside').textContent =
      `Ineligible devices ${funnel.outcomes.ineligible}; skipped ${skips.length > 0 ? skips.join(', ') : '0'}; ` +
      `over the per-user limit ${funnel.perUserLimitHits}.`;
  };

  let latest = 0;
  const load = async () => {
    const ticket = ++latest;
    const response = await fetch(FUNNEL, { cache: 'no-store' }).catch(() => undefined);
    if (ticket !== latest || response === undefined || !response.ok) return;
    render(await response.json());
  };

  // The function's log lines reach the server a moment after its answer: read again shortly after.
  const refresh = () => {
    for (const delay of [0, 250, 1000]) setTimeout(load, delay);
  };

  refresh();
  setInterval(load, 3000);
  window.DemoFunnel = Object.freeze({ refresh });
})();
