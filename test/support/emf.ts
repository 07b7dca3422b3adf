// Reads CloudWatch Embedded Metric Format out of a log line the way CloudWatch Logs does: each
// directive's dimension sets times its metrics, values from the root's target members. Throws on a
// line that CloudWatch would reject (a missing target member, a non-numeric value, a dimension value
// that is not a string), so a test that reads metrics also checks their shape.

export interface EmfMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string | undefined;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

export function readEmf(line: Record<string, unknown>): EmfMetric[] {
  const aws = line._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (aws === undefined) return [];
  if (typeof aws.Timestamp !== 'number') throw new Error('_aws.Timestamp is not a number');
  if (!Array.isArray(aws.CloudWatchMetrics)) throw new Error('_aws.CloudWatchMetrics is not an array');
  const metrics: EmfMetric[] = [];
  for (const directive of aws.CloudWatchMetrics as Directive[]) {
    if (typeof directive.Namespace !== 'string' || directive.Namespace === '')
      throw new Error('no Namespace');
    for (const dimensionSet of directive.Dimensions) {
      const dimensions: Record<string, string> = {};
      for (const key of dimensionSet) {
        const value = line[key];
        if (typeof value !== 'string') throw new Error(`dimension ${key} has no string member`);
        dimensions[key] = value;
      }
      for (const { Name, Unit } of directive.Metrics) {
        const value = line[Name];
        if (typeof value !== 'number') throw new Error(`metric ${Name} has no numeric member`);
        metrics.push({
          namespace: directive.Namespace,
          name: Name,
          unit: Unit,
          value,
          dimensions,
          timestamp: aws.Timestamp,
        });
      }
    }
  }
  return metrics;
}

/** Every metric in a stream of log lines (non-JSON lines are skipped). */
export function readEmfLines(lines: readonly string[]): EmfMetric[] {
  return lines.flatMap((text) => {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed !== null && typeof parsed === 'object' ? readEmf(parsed as Record<string, unknown>) : [];
    } catch {
      return [];
    }
  });
}
