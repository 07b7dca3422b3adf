// The enrollment funnel on the dashboard and in two alarms, from the metrics the function writes as
// Embedded Metric Format in its log line (names in contract/funnel.ts). One question per widget:
// how many were asked and what came of it, is the rate holding, why were users not asked, where.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { FUNNEL_DIMENSION, FUNNEL_METRIC } from '../contract/funnel.ts';

const period = Duration.minutes(5);

/** The failure-share alarm's window, and the outcomes it needs in that window before it judges. */
export const FAILURE_SHARE_PERIOD = Duration.minutes(15);
export const FAILURE_SHARE_MIN_OUTCOMES = 10;
/** Percent of reported outcomes that are `failed`. */
export const FAILURE_SHARE_THRESHOLD_PERCENT = 50;
/** The zero-rate alarm's window, and the tokens issued in it before zero enrollments mean something. */
export const ZERO_RATE_PERIOD = Duration.hours(1);
export const ZERO_RATE_MIN_TOKENS = 20;

export type FunnelMetrics = ReturnType<typeof funnelMetrics>;

export function funnelMetrics(namespace: string) {
  const count = (metricName: string, label: string, dimensionsMap?: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap,
      statistic: 'Sum',
      period,
      unit: cloudwatch.Unit.COUNT,
      label,
    });
  const outcome = (value: string, label: string) =>
    count(FUNNEL_METRIC.enrollmentOutcomes, label, { [FUNNEL_DIMENSION.outcome]: value });
  const search = (dimensions: string[], metricName: string) =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{"${namespace}",${dimensions.join(',')}} MetricName="${metricName}"', 'Sum', 300)`,
      label: '',
      period,
    });
  return {
    tokenRequests: count(FUNNEL_METRIC.tokenRequests, 'Eligible devices (token requests)'),
    tokensIssued: count(FUNNEL_METRIC.tokensIssued, 'Tokens issued'),
    enrolled: outcome('enrolled', 'Enrolled'),
    cancelled: outcome('cancelled', 'Cancelled'),
    failed: outcome('failed', 'Failed'),
    ineligible: outcome('ineligible', 'Ineligible devices'),
    perUserLimitHits: count(FUNNEL_METRIC.perUserLimitHits, 'Per-user limit (429)'),
    policyStoreFailures: count(FUNNEL_METRIC.policyStoreFailures, 'Policy store failures'),
    skipsByReason: search([FUNNEL_DIMENSION.skipReason], FUNNEL_METRIC.promptsSkipped),
    outcomesByPlatform: search(
      [FUNNEL_DIMENSION.outcome, FUNNEL_DIMENSION.platform],
      FUNNEL_METRIC.enrollmentOutcomes,
    ),
  };
}

/** Enrolled per token issued, in percent. */
function enrollmentRate(m: FunnelMetrics, label: string) {
  return new cloudwatch.MathExpression({
    expression: '100 * FILL(enrolled, 0) / issued',
    usingMetrics: { enrolled: m.enrolled, issued: m.tokensIssued },
    label,
    period,
  });
}

/** The "is it working" rows, placed above the health widgets. */
export function funnelWidgets(m: FunnelMetrics): cloudwatch.IWidget[][] {
  return [
    [
      new cloudwatch.SingleValueWidget({
        title: 'Enrollment funnel (whole period)',
        metrics: [
          m.ineligible,
          m.tokenRequests,
          m.tokensIssued,
          m.enrolled,
          m.cancelled,
          m.failed,
          enrollmentRate(m, 'Enrollment rate (%)'),
        ],
        setPeriodToTimeRange: true,
        fullPrecision: false,
        width: 16,
        height: 4,
      }),
      new cloudwatch.GraphWidget({
        title: 'Enrollment rate (% of tokens issued)',
        left: [enrollmentRate(m, 'Enrolled / tokens issued (%)')],
        leftYAxis: { min: 0, max: 100, showUnits: false },
        width: 8,
        height: 4,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Prompts skipped by reason',
        left: [m.skipsByReason],
        stacked: true,
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Outcomes by platform family (whole period)',
        left: [m.outcomesByPlatform],
        view: cloudwatch.GraphWidgetView.BAR,
        setPeriodToTimeRange: true,
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Per-user limit and policy store failures',
        left: [m.perUserLimitHits, m.policyStoreFailures],
        width: 8,
      }),
    ],
  ];
}

export interface FunnelAlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
}

export function funnelAlarmSpecs(m: FunnelMetrics): FunnelAlarmSpec[] {
  const sum = 'FILL(enrolled, 0) + FILL(cancelled, 0) + FILL(failed, 0)';
  const at = (metric: cloudwatch.Metric, window: Duration) => metric.with({ period: window });
  return [
    {
      id: 'EnrollmentFailureShareAlarm',
      metric: new cloudwatch.MathExpression({
        expression: `IF((${sum}) >= ${FAILURE_SHARE_MIN_OUTCOMES}, 100 * FILL(failed, 0) / (${sum}), 0)`,
        usingMetrics: {
          enrolled: at(m.enrolled, FAILURE_SHARE_PERIOD),
          cancelled: at(m.cancelled, FAILURE_SHARE_PERIOD),
          failed: at(m.failed, FAILURE_SHARE_PERIOD),
        },
        label: 'Failed share of outcomes (%)',
        period: FAILURE_SHARE_PERIOD,
      }),
      threshold: FAILURE_SHARE_THRESHOLD_PERCENT,
      description: `OwnID refuses our tokens: at least ${FAILURE_SHARE_THRESHOLD_PERCENT}% of at least ${FAILURE_SHARE_MIN_OUTCOMES} reported outcomes in 15 minutes were "failed" (usually the OwnID key in Secrets Manager no longer matches the one in OwnID's console; see the runbook).`,
    },
    {
      id: 'EnrollmentRateZeroAlarm',
      metric: new cloudwatch.MathExpression({
        expression: `IF(issued >= ${ZERO_RATE_MIN_TOKENS} AND FILL(enrolled, 0) == 0, 1, 0)`,
        usingMetrics: {
          issued: at(m.tokensIssued, ZERO_RATE_PERIOD),
          enrolled: at(m.enrolled, ZERO_RATE_PERIOD),
        },
        label: 'Tokens issued, none enrolled',
        period: ZERO_RATE_PERIOD,
      }),
      threshold: 1,
      description: `At least ${ZERO_RATE_MIN_TOKENS} tokens issued in an hour and not one enrolled outcome: the prompt, OwnID or the outcome reports are broken (see the runbook).`,
    },
  ];
}
