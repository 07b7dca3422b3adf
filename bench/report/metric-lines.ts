// The metric-lines section: what the funnel's metrics cost per request, in bytes and at cold start,
// written as members of the log line (the function's way) or by Powertools Metrics (the peer).
import type { MetricLinesResult, MetricWriterFigures } from '../sections/metric-lines.ts';
import { ms } from './format.ts';
import { table } from './markdown-table.ts';

const ns = (value: number) => `${Math.round(value)} ns`;

export function renderMetricLines(result: MetricLinesResult): string[] {
  const row = (name: string, figures: MetricWriterFigures) => [
    name,
    `${figures.bundleRawBytes} B / ${figures.bundleGzipBytes} B`,
    `${ms(figures.importMs.median)} (${ms(figures.importMs.median - result.emptyImportMs.median)} above an empty module)`,
    `${ns(figures.extraNsPerRequest.median)} (IQR ${ns(figures.extraNsPerRequest.iqr)})`,
    String(figures.linesPerRequest),
  ];
  return [
    '## Metric lines (the enrollment funnel)',
    '',
    'The funnel metrics as CloudWatch Embedded Metric Format. The function adds the `_aws` block to the one log ' +
      'line it writes per request (`functions/generate-auth-token/metrics.ts`); Powertools Metrics writes a second ' +
      "line per request. Bundled alone with the function's esbuild options; import timed in fresh processes " +
      `(an empty module: ${ms(result.emptyImportMs.median)}); per request against writing the log line alone ` +
      `(${ns(result.logLineOnlyNs.median)}), stdout to /dev/null, interleaved rounds.`,
    '',
    table(
      [
        'writer',
        'bundle raw / gzip',
        'cold import (median)',
        'extra per request (median)',
        'lines per request',
      ],
      [
        row('EMF members in the log line (used)', result.smallWriter),
        row('Powertools Metrics', result.powertools),
      ],
    ),
    '',
  ];
}
