// `npm run bench` (after `npm run build`): one run on this machine, every section measured against
// its floor or its peer in the same run. Writes bench/results/latest.{md,json} and the chart.
// Options: --only=warm,cold,throughput,sizes,metrics,tracing (a subset, for tuning); BENCH_QUICK=1 shortens every section.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { lambdaBundlePath as bundlePath, tracedLambdaBundlePath } from '../scripts/esbuild-config.ts';
import type { BenchReport } from './report/bench-report.ts';
import { renderChart } from './report/chart.ts';
import { renderMarkdown } from './report/markdown.ts';
import { type ColdResult, measureCold } from './sections/cold.ts';
import { type MetricLinesResult, measureMetricLines } from './sections/metric-lines.ts';
import { measureSizes } from './sections/sizes.ts';
import { measureThroughput, type ThroughputResult } from './sections/throughput.ts';
import { measureTracing, type TracingResult } from './sections/tracing.ts';
import { measureWarm, type WarmResult } from './sections/warm.ts';
import { childBuildDir, projectRoot } from './support/processes.ts';
import { startBenchStand } from './support/stand.ts';

const quick = process.env.BENCH_QUICK === '1';
const onlyArg = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const sections = new Set((onlyArg ?? 'sizes,warm,cold,throughput,metrics,tracing').split(','));
const log = (line: string) => process.stderr.write(`${line}\n`);

if (!existsSync(bundlePath))
  throw new Error('dist/functions/generate-auth-token/index.mjs is missing: run `npm run build` first');

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: projectRoot,
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

const startedAt = performance.now();
const loadAtStart = loadavg()[0] ?? 0;
const stand = await startBenchStand();
let report: BenchReport;
try {
  const sizes = sections.has('sizes') ? measureSizes() : undefined;
  let warm: WarmResult | undefined;
  if (sections.has('warm')) {
    log('warm per-request cost (in process, interleaved rounds)');
    warm = await measureWarm(stand, bundlePath, { rounds: quick ? 3 : 7, batchMs: quick ? 40 : 120, log });
  }
  let cold: ColdResult | undefined;
  if (sections.has('cold')) {
    log('cold start (fresh processes)');
    cold = await measureCold(stand, bundlePath, { runs: quick ? 5 : 21, log });
  }
  let throughput: ThroughputResult | undefined;
  if (sections.has('throughput')) {
    log('throughput (autocannon against 127.0.0.1)');
    throughput = await measureThroughput(stand, { durationSeconds: quick ? 3 : 10, connections: 32, log });
  }
  let metricLines: MetricLinesResult | undefined;
  if (sections.has('metrics')) {
    log('metric lines (small EMF writer vs Powertools Metrics)');
    metricLines = await measureMetricLines({ runs: quick ? 5 : 15, quick, log });
  }
  let tracing: TracingResult | undefined;
  if (sections.has('tracing')) {
    log('tracing on vs off (fresh processes)');
    tracing = await measureTracing(
      stand,
      { untraced: bundlePath, traced: tracedLambdaBundlePath },
      { runs: quick ? 5 : 15, warmInvocations: quick ? 50 : 300, log },
    );
  }
  const cpu = cpus();
  report = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      openssl: process.versions.openssl ?? 'unknown',
      platform: `${process.platform} ${process.arch}`,
      commit: gitCommit(),
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    },
    durationSeconds: Math.round((performance.now() - startedAt) / 100) / 10,
    warm,
    cold,
    throughput,
    sizes,
    metricLines,
    tracing,
  };
} finally {
  await stand.close();
}

// A partial or quick run is for tuning: it goes next to the compiled children, never over the report.
const partial = onlyArg !== undefined || quick;
const resultsDir = partial ? childBuildDir : join(projectRoot, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(resultsDir, 'per-request.svg'), renderChart(report));
writeFileSync(join(resultsDir, 'latest.md'), renderMarkdown(report, 'per-request.svg'));
log(`wrote ${join(resultsDir, 'latest.md')}, latest.json and per-request.svg in ${report.durationSeconds} s`);
