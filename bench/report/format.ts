// Number formatting shared by the report and the chart.
import { WEB_SNIPPET_GZIP_BUDGET_BYTES } from '../../scripts/esbuild-config.ts';
import type { Summary } from '../support/stats.ts';

export const GOALS = {
  /** Warm handler per request, as a multiple of one raw RS256 signature. */
  warmRatio: 1.25,
  /** A straightforward middy + aws-jwt-verify + jose handler, measured on this machine. */
  straightforwardRatio: 1.35,
  /** Cold start above a bare `node -e 0`. */
  coldAboveBareMs: 45,
  bundleRawKb: 350,
  bundleGzipKb: 110,
  /** The snippet's budget is the build's own (one rule). */
  snippetGzipBytes: WEB_SNIPPET_GZIP_BUDGET_BYTES,
} as const;

const group = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const us = (n: number) => `${group(n, n < 100 ? 1 : 0)} µs`;
export const ms = (n: number) => `${group(n, 1)} ms`;
export const kb = (bytes: number) => `${group(bytes / 1024, 1)} KB`;
export const times = (n: number) => `${n.toFixed(2)}×`;

export function usRange(s: Summary): string {
  return `${group(s.min, s.min < 100 ? 1 : 0)}–${group(s.max, s.max < 100 ? 1 : 0)}`;
}
export function msRange(s: Summary): string {
  return `${group(s.min, 1)}–${group(s.max, 1)}`;
}
export function timesRange(s: Summary): string {
  return `${s.min.toFixed(2)}–${s.max.toFixed(2)}`;
}
export const verdict = (holds: boolean) => (holds ? 'yes' : '**no**');
