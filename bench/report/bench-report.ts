// The shape of one benchmark run (bench/results/latest.json): written by run.ts, read by the report's
// renderers. A leaf module, so the runner and its renderers do not import each other.
import type { ColdResult } from '../sections/cold.ts';
import type { MetricLinesResult } from '../sections/metric-lines.ts';
import type { SizesResult } from '../sections/sizes.ts';
import type { ThroughputResult } from '../sections/throughput.ts';
import type { TracingResult } from '../sections/tracing.ts';
import type { WarmResult } from '../sections/warm.ts';

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGb: number;
    readonly node: string;
    readonly openssl: string;
    readonly platform: string;
    readonly commit: string | undefined;
    /** 1-minute load average when the run started and when it ended (2 cores: above 2 means queueing). */
    readonly loadAverage: { readonly start: number; readonly end: number };
  };
  readonly durationSeconds: number;
  readonly warm?: WarmResult;
  readonly cold?: ColdResult;
  readonly throughput?: ThroughputResult;
  readonly sizes?: SizesResult;
  readonly metricLines?: MetricLinesResult;
  readonly tracing?: TracingResult;
}

export type Warm = WarmResult;
export type Cold = ColdResult;
export type Sizes = SizesResult;
export type Throughput = ThroughputResult;
