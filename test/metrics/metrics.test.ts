// The funnel's EMF members read the way CloudWatch reads them: every directive's metrics have a
// numeric target member at the root, every dimension key a string member, units and namespace set,
// and nothing per user anywhere.
import { describe, expect, it } from 'vitest';
import {
  DIMENSION,
  type FunnelFacts,
  funnelMetrics,
  METRIC,
  type PlatformFamily,
  platformFamily,
} from '../../functions/generate-auth-token/metrics.ts';
import { type EmfMetric, readEmf } from '../support/emf.ts';

const NAMESPACE = 'OwnIdEnrollment/test';
const AT = Date.UTC(2026, 11, 2, 3, 0, 0);

describe('platformFamily', () => {
  const cases: [string, PlatformFamily][] = [
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'iOS',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1',
      'iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Android',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'macOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'other'],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36', 'other'],
    ['curl/8.5.0', 'other'],
    ['', 'other'],
    // A made-up "Windows" far past the scanned head does not count.
    [`${'x'.repeat(600)} Windows`, 'other'],
  ];
  it.each(cases)('%s -> %s', (userAgent, family) => {
    expect(platformFamily(userAgent)).toBe(family);
  });

  it('is other without a User-Agent', () => {
    expect(platformFamily(undefined)).toBe('other');
  });
});

function metricsOf(facts: FunnelFacts): EmfMetric[] {
  const line = JSON.parse(JSON.stringify({ level: 'INFO', ...funnelMetrics(NAMESPACE, facts, AT) }));
  return readEmf(line).filter((metric) => metric.namespace === NAMESPACE);
}

const names = (metrics: EmfMetric[]) => metrics.map((m) => `${m.name}${JSON.stringify(m.dimensions)}`).sort();

describe('funnelMetrics', () => {
  it('counts an issued token in total and by platform, and the token request with it', () => {
    const metrics = metricsOf({ funnel: { step: 'issued' }, platform: 'iOS' });
    expect(names(metrics)).toEqual([
      'TokenRequests{"PlatformFamily":"iOS"}',
      'TokenRequests{}',
      'TokensIssued{"PlatformFamily":"iOS"}',
      'TokensIssued{}',
    ]);
    for (const metric of metrics) {
      expect(metric).toMatchObject({ unit: 'Count', value: 1, timestamp: AT });
    }
  });

  it.each(['not_in_rollout', 'declined', 'failing', 'snoozed', 'enrolled'] as const)(
    'counts a %s skip by reason, and the token request',
    (reason) => {
      expect(names(metricsOf({ funnel: { step: 'skipped', reason }, platform: 'Android' }))).toEqual([
        `PromptsSkipped{"SkipReason":"${reason}"}`,
        'PromptsSkipped{}',
        'TokenRequests{"PlatformFamily":"Android"}',
        'TokenRequests{}',
      ]);
    },
  );

  it('counts a per-user limit hit, and the token request', () => {
    expect(names(metricsOf({ funnel: { step: 'limited' }, platform: 'macOS' }))).toEqual([
      'PerUserLimitHits{}',
      'TokenRequests{"PlatformFamily":"macOS"}',
      'TokenRequests{}',
    ]);
  });

  it.each(['enrolled', 'cancelled', 'failed', 'ineligible'] as const)(
    'counts a %s outcome by outcome and by outcome and platform',
    (outcome) => {
      expect(names(metricsOf({ funnel: { step: 'outcome', outcome }, platform: 'Windows' }))).toEqual([
        `EnrollmentOutcomes{"EnrollmentOutcome":"${outcome}","PlatformFamily":"Windows"}`,
        `EnrollmentOutcomes{"EnrollmentOutcome":"${outcome}"}`,
      ]);
    },
  );

  it('counts a policy store failure beside the funnel step (the token route failed open)', () => {
    expect(
      names(metricsOf({ funnel: { step: 'issued' }, policyStoreFailed: true, platform: 'other' })),
    ).toEqual(expect.arrayContaining(['PolicyStoreFailures{}', 'TokensIssued{}']));
    expect(names(metricsOf({ policyStoreFailed: true, platform: 'other' }))).toEqual([
      'PolicyStoreFailures{}',
    ]);
  });

  it('adds nothing to a line with nothing to count (refusals, preflights)', () => {
    expect(funnelMetrics(NAMESPACE, { platform: 'iOS' }, AT)).toEqual({});
  });

  it('keeps every dimension value within its bounded set', () => {
    const bounded: Record<string, readonly string[]> = {
      [DIMENSION.platform]: ['iOS', 'Android', 'macOS', 'Windows', 'other'],
      [DIMENSION.skipReason]: ['not_in_rollout', 'declined', 'failing', 'snoozed', 'enrolled'],
      [DIMENSION.outcome]: ['enrolled', 'cancelled', 'failed', 'ineligible'],
    };
    const metrics = metricsOf({ funnel: { step: 'skipped', reason: 'snoozed' }, platform: 'iOS' });
    for (const metric of metrics) {
      for (const [key, value] of Object.entries(metric.dimensions)) expect(bounded[key]).toContain(value);
    }
    expect(Object.values(METRIC)).toEqual(expect.arrayContaining(metrics.map((m) => m.name)));
  });
});
