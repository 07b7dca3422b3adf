// The local funnel counts what CloudWatch would count from the same lines: the lines here are the
// function's own, formatted by its boundary code for each funnel step.
import { describe, expect, it } from 'vitest';
import { createFunnelCounters } from '../../dev/funnel-counters.ts';
import { type FunnelFacts, funnelMetrics } from '../../functions/generate-auth-token/metrics.ts';
import { formatRequestLog, type RequestLogLine } from '../../functions/generate-auth-token/request-log.ts';

const base: RequestLogLine = {
  requestId: 'r',
  outcome: 'issued',
  status: 200,
  source: 'cookie',
  coldStart: false,
  durationMs: 1,
};
const line = (facts: FunnelFacts, overrides: Partial<RequestLogLine> = {}) =>
  formatRequestLog(
    { ...base, ...overrides },
    new Date(0).toISOString(),
    funnelMetrics('OwnIdEnrollment/local', facts, 0),
  );

describe('local funnel counters', () => {
  it('count the funnel from the function log lines, and the rate', () => {
    const counters = createFunnelCounters();
    expect(counters.snapshot().enrollmentRatePercent).toBeNull();
    const lines = [
      line({ funnel: { step: 'issued' }, platform: 'macOS' }),
      line({ funnel: { step: 'issued' }, platform: 'iOS' }),
      line({ funnel: { step: 'issued' }, platform: 'iOS' }),
      line({ funnel: { step: 'outcome', outcome: 'enrolled' }, platform: 'iOS' }),
      line({ funnel: { step: 'outcome', outcome: 'cancelled' }, platform: 'iOS' }),
      line({ funnel: { step: 'outcome', outcome: 'ineligible' }, platform: 'other' }),
      line(
        { funnel: { step: 'skipped', reason: 'snoozed' }, platform: 'iOS' },
        { outcome: 'skipped', status: 204 },
      ),
      line({ funnel: { step: 'limited' }, platform: 'iOS' }, { outcome: 'rate_limited', status: 429 }),
      line({ funnel: { step: 'issued' }, policyStoreFailed: true, platform: 'iOS' }),
      line({ platform: 'iOS' }, { outcome: 'no_session', status: 401 }),
      'not json at all',
      '{"_aws": "odd"}',
    ];
    for (const text of lines) counters.read(text);
    expect(counters.snapshot()).toEqual({
      tokenRequests: 6,
      tokensIssued: 4,
      outcomes: { enrolled: 1, cancelled: 1, failed: 0, ineligible: 1 },
      skipsByReason: { snoozed: 1 },
      perUserLimitHits: 1,
      policyStoreFailures: 1,
      enrollmentRatePercent: 25,
    });
  });
});
