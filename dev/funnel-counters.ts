// The local server's copy of the dashboard's funnel: the same counters CloudWatch would keep, read
// from the same Embedded Metric Format members of the function's log lines (its worker's stdout).
// Only the sets CloudWatch would total are read: the dimensionless one, and the outcome and skip
// reason ones. Nothing here parses a line it does not understand: such lines are skipped.
import type { IncomingMessage } from 'node:http';
import { FUNNEL_DIMENSION, FUNNEL_METRIC } from '../contract/funnel.ts';

export interface FunnelSnapshot {
  readonly tokenRequests: number;
  readonly tokensIssued: number;
  readonly outcomes: {
    readonly enrolled: number;
    readonly cancelled: number;
    readonly failed: number;
    readonly ineligible: number;
  };
  readonly skipsByReason: Readonly<Record<string, number>>;
  readonly perUserLimitHits: number;
  readonly policyStoreFailures: number;
  /** Enrolled per token issued, in percent; null before the first token (the dashboard shows no value). */
  readonly enrollmentRatePercent: number | null;
}

interface Directive {
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

const OUTCOMES = ['enrolled', 'cancelled', 'failed', 'ineligible'] as const;
type Outcome = (typeof OUTCOMES)[number];
const isOutcome = (value: unknown): value is Outcome => OUTCOMES.includes(value as Outcome);

export interface FunnelCounters {
  /** Reads one log line; a line without metrics changes nothing. */
  read(line: string): void;
  snapshot(): FunnelSnapshot;
}

export function createFunnelCounters(): FunnelCounters {
  const totals = new Map<string, number>();
  const outcomes: Record<Outcome, number> = { enrolled: 0, cancelled: 0, failed: 0, ineligible: 0 };
  const skips = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, value: number) =>
    map.set(key, (map.get(key) ?? 0) + value);

  function readMetric(root: Record<string, unknown>, name: string, dimensions: readonly unknown[]) {
    const value = root[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    if (dimensions.length === 0) add(totals, name, value);
    else if (dimensions.length !== 1) return;
    else if (dimensions[0] === FUNNEL_DIMENSION.outcome && name === FUNNEL_METRIC.enrollmentOutcomes) {
      const outcome = root[FUNNEL_DIMENSION.outcome];
      if (isOutcome(outcome)) outcomes[outcome] += value;
    } else if (dimensions[0] === FUNNEL_DIMENSION.skipReason && name === FUNNEL_METRIC.promptsSkipped) {
      const reason = root[FUNNEL_DIMENSION.skipReason];
      if (typeof reason === 'string') add(skips, reason, value);
    }
  }

  return {
    read(line) {
      if (!line.includes('"_aws"')) return;
      let root: unknown;
      try {
        root = JSON.parse(line);
      } catch {
        return;
      }
      if (root === null || typeof root !== 'object') return;
      const record = root as Record<string, unknown>;
      const directives = (record._aws as { CloudWatchMetrics?: unknown } | undefined)?.CloudWatchMetrics;
      if (!Array.isArray(directives)) return;
      for (const directive of directives as Directive[]) {
        if (!Array.isArray(directive.Dimensions) || !Array.isArray(directive.Metrics)) continue;
        for (const dimensions of directive.Dimensions) {
          if (!Array.isArray(dimensions)) continue;
          for (const metric of directive.Metrics as { Name?: unknown }[]) {
            if (typeof metric.Name === 'string') readMetric(record, metric.Name, dimensions);
          }
        }
      }
    },
    snapshot() {
      const tokensIssued = totals.get(FUNNEL_METRIC.tokensIssued) ?? 0;
      return {
        tokenRequests: totals.get(FUNNEL_METRIC.tokenRequests) ?? 0,
        tokensIssued,
        outcomes: { ...outcomes },
        skipsByReason: Object.fromEntries(skips),
        perUserLimitHits: totals.get(FUNNEL_METRIC.perUserLimitHits) ?? 0,
        policyStoreFailures: totals.get(FUNNEL_METRIC.policyStoreFailures) ?? 0,
        enrollmentRatePercent:
          tokensIssued === 0 ? null : Math.round((1000 * outcomes.enrolled) / tokensIssued) / 10,
      };
    },
  };
}

export const FUNNEL_PATH = '/dev/funnel';

/** `GET /dev/funnel`: the counters as JSON (counts only, nothing per user); other paths go to `next`. */
export function withFunnelRoute<R>(
  counters: FunnelCounters,
  reply: (snapshot: FunnelSnapshot) => R,
  next: (req: IncomingMessage, url: URL) => Promise<R | undefined>,
): (req: IncomingMessage, url: URL) => Promise<R | undefined> {
  return async (req, url) =>
    url.pathname === FUNNEL_PATH && req.method === 'GET' ? reply(counters.snapshot()) : next(req, url);
}
