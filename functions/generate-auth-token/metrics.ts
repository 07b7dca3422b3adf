// The enrollment funnel as CloudWatch Embedded Metric Format (EMF) members of the request's one log
// line: CloudWatch Logs extracts the metrics from the line the function writes anyway, so there is no
// second line and no PutMetricData call. Dimensions are few and bounded (an outcome, a skip reason, a
// platform family); nothing per user is ever a dimension.
import {
  FUNNEL_DIMENSION as DIMENSION,
  FUNNEL_METRIC as METRIC,
  type PlatformFamily,
} from '../../contract/funnel.ts';
import type { EnrollmentOutcome, SkipReason } from './policy/prompt-policy.ts';
import type { RequestLogLine } from './request-log.ts';

export {
  FUNNEL_DIMENSION as DIMENSION,
  FUNNEL_METRIC as METRIC,
  type PlatformFamily,
} from '../../contract/funnel.ts';

/** Only the start of a User-Agent is read: the platform is named early, and a huge header costs nothing. */
const USER_AGENT_SCAN_LENGTH = 512;

/**
 * A coarse platform family from the User-Agent. iPadOS in desktop mode says "Macintosh" and counts as
 * macOS; Android is tested before Linux-like strings, iOS before "like Mac OS X".
 */
export function platformFamily(userAgent: string | undefined): PlatformFamily {
  if (typeof userAgent !== 'string' || userAgent === '') return 'other';
  const head = userAgent.slice(0, USER_AGENT_SCAN_LENGTH);
  if (/\b(?:iPhone|iPad|iPod)\b/.test(head)) return 'iOS';
  if (/\bAndroid\b/.test(head)) return 'Android';
  if (/\bWindows\b/.test(head)) return 'Windows';
  if (/\bMac(?:intosh| OS X)\b/.test(head)) return 'macOS';
  return 'other';
}

/** What one request contributes to the funnel (nothing for refusals, preflights and errors). */
export type FunnelStep =
  | { readonly step: 'issued' }
  | { readonly step: 'skipped'; readonly reason: SkipReason }
  | { readonly step: 'limited' }
  | { readonly step: 'outcome'; readonly outcome: EnrollmentOutcome };

export interface FunnelFacts {
  readonly funnel?: FunnelStep | undefined;
  /** The state store was slow or down for this request (the token route failed open, or the outcome route answered 503). */
  readonly policyStoreFailed?: boolean | undefined;
  readonly platform: PlatformFamily;
}

/**
 * What a request line counts, read from the line itself, so the metrics can never disagree with the
 * log: the token route's issued / skipped / rate_limited, the outcome route's recorded outcome, and
 * a store that failed (open on the token route, 503 on the outcome route).
 */
export function funnelFactsOf(line: RequestLogLine, platform: PlatformFamily): FunnelFacts {
  const policyStoreFailed = line.policy === 'unavailable' || line.outcome === 'policy_unavailable';
  let funnel: FunnelStep | undefined;
  if (line.outcome === 'issued') funnel = { step: 'issued' };
  else if (line.outcome === 'rate_limited') funnel = { step: 'limited' };
  else if (line.outcome === 'skipped' && line.skipReason !== undefined)
    funnel = { step: 'skipped', reason: line.skipReason };
  else if (line.outcome === 'outcome_recorded' && line.reported !== undefined)
    funnel = { step: 'outcome', outcome: line.reported };
  return { funnel, policyStoreFailed, platform };
}

interface MetricDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string; readonly Unit: 'Count' }[];
}

/** The `_aws` block and its target members, to spread into the log line; empty when there is nothing to count. */
export type EmfMembers = Record<string, unknown>;

const TOTAL_AND_BY_PLATFORM = [[], [DIMENSION.platform]] as const;
const TOTAL_ONLY = [[]] as const;

function directive(
  namespace: string,
  dimensions: readonly (readonly string[])[],
  names: readonly string[],
): MetricDirective {
  return {
    Namespace: namespace,
    Dimensions: dimensions,
    Metrics: names.map((Name) => ({ Name, Unit: 'Count' })),
  };
}

/**
 * The EMF members for one request. Each metric is 1 (a count); a directive groups the metrics that
 * share dimension sets. `[]` is the dimensionless total that alarms read.
 */
export function funnelMetrics(namespace: string, facts: FunnelFacts, timestampMs: number): EmfMembers {
  const directives: MetricDirective[] = [];
  const members: Record<string, string | number> = {};
  const count = (dimensions: readonly (readonly string[])[], ...names: string[]) => {
    directives.push(directive(namespace, dimensions, names));
    for (const name of names) members[name] = 1;
  };
  const funnel = facts.funnel;
  if (funnel !== undefined) {
    if (funnel.step === 'outcome') {
      members[DIMENSION.outcome] = funnel.outcome;
      count([[DIMENSION.outcome], [DIMENSION.outcome, DIMENSION.platform]], METRIC.enrollmentOutcomes);
    } else if (funnel.step === 'issued') {
      count(TOTAL_AND_BY_PLATFORM, METRIC.tokenRequests, METRIC.tokensIssued);
    } else {
      count(TOTAL_AND_BY_PLATFORM, METRIC.tokenRequests);
      if (funnel.step === 'limited') count(TOTAL_ONLY, METRIC.perUserLimitHits);
      else {
        members[DIMENSION.skipReason] = funnel.reason;
        count([[], [DIMENSION.skipReason]], METRIC.promptsSkipped);
      }
    }
  }
  if (facts.policyStoreFailed === true) count(TOTAL_ONLY, METRIC.policyStoreFailures);
  if (directives.length === 0) return {};
  members[DIMENSION.platform] = facts.platform;
  return { _aws: { Timestamp: timestampMs, CloudWatchMetrics: directives }, ...members };
}
