// Timing helpers: interleaved rounds of timed batches, summarised by median and spread. Every
// figure the report shows is a median over rounds; ratios are taken per round (same round, same
// machine state) and then summarised, so background load on the shared cores mostly cancels out.
import { performance } from 'node:perf_hooks';

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Interquartile range over the rounds, in the same unit. */
  readonly iqr: number;
  readonly samples: readonly number[];
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    iqr: quantile(sorted, 0.75) - quantile(sorted, 0.25),
    samples,
  };
}

export interface BenchCase {
  readonly name: string;
  /** One operation; its result is ignored unless `check` is given. */
  readonly run: () => unknown;
  /** How many operations are kept in flight at once. @default 1 (sequential: the Lambda model) */
  readonly concurrency?: number;
  /** Returns false for a wrong result (e.g. a non-200); counted, never timed away. */
  readonly check?: (result: unknown) => boolean;
}

export interface CaseResult {
  readonly name: string;
  readonly iterations: number;
  /** Wall-clock microseconds per operation, one sample per round. */
  readonly perOpUs: Summary;
  /**
   * CPU microseconds per operation (process.cpuUsage: user + system, every thread of the process,
   * so thread-pool work counts too). Insensitive to time spent waiting for a core, which makes it
   * the steadier figure on a shared machine; it does not see a thread hop's latency.
   */
  readonly cpuPerOpUs: Summary;
  readonly failures: number;
}

async function batch(
  c: BenchCase,
  iterations: number,
): Promise<{ us: number; cpuUs: number; failures: number }> {
  let failures = 0;
  const concurrency = c.concurrency ?? 1;
  const perLane = Math.ceil(iterations / concurrency);
  const lane = async () => {
    for (let i = 0; i < perLane; i++) {
      const result = await c.run();
      if (c.check !== undefined && !c.check(result)) failures += 1;
    }
  };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const ops = perLane * concurrency;
  return { us: (elapsed * 1000) / ops, cpuUs: (cpu.user + cpu.system) / ops, failures };
}

export interface RoundsOptions {
  readonly rounds: number;
  /** Target duration of one timed batch. */
  readonly batchMs: number;
  readonly onProgress?: (round: number) => void;
}

/**
 * Runs every case once per round, in an order rotated each round, each as one timed batch sized to
 * about `batchMs` from a calibration run. Returns per-case samples (one per round).
 */
export async function runInterleaved(
  cases: readonly BenchCase[],
  options: RoundsOptions,
): Promise<CaseResult[]> {
  const iterations = new Map<string, number>();
  for (const c of cases) {
    // Warm-up and calibration: JIT, caches, first-call lazy init.
    await batch(c, 20);
    const probe = await batch(c, 30);
    iterations.set(c.name, Math.max(20, Math.min(20_000, Math.round((options.batchMs * 1000) / probe.us))));
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const cpuSamples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const failures = new Map<string, number>(cases.map((c) => [c.name, 0]));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length] as BenchCase;
      const { us, cpuUs, failures: failed } = await batch(c, iterations.get(c.name) ?? 20);
      samples.get(c.name)?.push(us);
      cpuSamples.get(c.name)?.push(cpuUs);
      failures.set(c.name, (failures.get(c.name) ?? 0) + failed);
    }
    options.onProgress?.(round + 1);
  }
  return cases.map((c) => ({
    name: c.name,
    iterations: iterations.get(c.name) ?? 0,
    perOpUs: summarise(samples.get(c.name) ?? []),
    cpuPerOpUs: summarise(cpuSamples.get(c.name) ?? []),
    failures: failures.get(c.name) ?? 0,
  }));
}

/** Per-round ratio of two cases measured in the same rounds (wall clock, or CPU time). */
export function ratio(
  numerator: CaseResult,
  denominator: CaseResult,
  clock: 'wall' | 'cpu' = 'wall',
): Summary {
  const pick = (c: CaseResult) => (clock === 'wall' ? c.perOpUs : c.cpuPerOpUs).samples;
  const d = pick(denominator);
  return summarise(pick(numerator).map((value, i) => value / (d[i] as number)));
}
