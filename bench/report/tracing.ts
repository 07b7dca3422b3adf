// The tracing section: what the `tracing` prop costs, in bundle bytes, at cold start and per warm
// request, the traced bundle against the default one under the same Lambda tracing environment.
import type { TracingCase, TracingResult } from '../sections/tracing.ts';
import { kb, ms, msRange, us, usRange } from './format.ts';
import { table } from './markdown-table.ts';

export function renderTracing(result: TracingResult): string[] {
  const { untraced, traced, tracedUnsampled } = result;
  const row = (name: string, figures: TracingCase) => [
    name,
    `${kb(figures.rawBytes)} / ${kb(figures.gzipBytes)}`,
    `${ms(figures.importMs.median)}`,
    `${ms(figures.firstTokenMs.median)} (${msRange(figures.firstTokenMs)})`,
    `${us(figures.warmUs.median)} (${usRange(figures.warmUs)})`,
  ];
  return [
    '## 7. Tracing on (`tracing: true`)',
    '',
    `${result.runs} runs, interleaved. Each is a fresh \`node\` process with the environment Lambda gives a function ` +
      'with active tracing (`LAMBDA_TASK_ROOT`, `AWS_EXECUTION_ENV`, a fresh `_X_AMZN_TRACE_ID` per invocation) and ' +
      'the X-Ray daemon as a UDP socket in the bench process. Per run: process start to the first token (bearer ' +
      "session, on the child's own clock), then " +
      `the mean of ${result.warmInvocations} warm invocations in the same process. The default bundle ignores that ` +
      'environment; the traced one sends a handler subsegment ' +
      `per sampled invocation (${result.datagramsPerInvocation.toFixed(2)} datagrams per sampled invocation arrived, ` +
      `${result.unsampledDatagrams} during the unsampled runs).`,
    '',
    table(
      [
        'bundle',
        'raw / gzip',
        'import (median)',
        'process start to first token (median, range)',
        'warm request (median of runs, range)',
      ],
      [
        row('default (`tracing` off)', untraced),
        row('traced (`tracing` on), every invocation sampled', traced),
        row('traced (`tracing` on), none sampled', result.tracedUnsampled),
      ],
    ),
    '',
    `Tracing on costs ${kb(traced.rawBytes - untraced.rawBytes)} raw / ${kb(traced.gzipBytes - untraced.gzipBytes)} gzip, ` +
      `${ms(traced.firstTokenMs.median - untraced.firstTokenMs.median)} of cold start and ` +
      `${us(traced.warmUs.median - untraced.warmUs.median)} per sampled warm request ` +
      `(${us(tracedUnsampled.warmUs.median - untraced.warmUs.median)} unsampled: X-Ray's default rule samples the first ` +
      'request each second and 5% of the rest), medians; with `tracing` off the stack ' +
      'deploys the default bundle, which carries none of it.',
    '',
  ];
}
