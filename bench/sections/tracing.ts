// Tracing on against tracing off: the traced bundle (what a stack with `tracing: true` deploys) and
// the default one, in fresh processes interleaved run by run, each with Lambda's tracing environment.
// Per run: process start to the first token, then the mean of warm invocations in the same process. The X-Ray
// daemon is a UDP socket in this process that counts what arrives.
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { gzipBytes } from '../../scripts/esbuild-config.ts';
import { LAMBDA_TRACING_ENV, startXRayDaemonStandIn } from '../../test/support/xray-daemon-stand-in.ts';
import { compileChild } from '../support/processes.ts';
import { type BenchStand, bearerHeaders, proxyEvent } from '../support/stand.ts';
import { type Summary, summarise } from '../support/stats.ts';
import { type LambdaRun, timeLambda } from './cold.ts';

export interface TracingCase {
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** Process start to the first token, on the child's own clock (the warm invocations come after). */
  readonly firstTokenMs: Summary;
  readonly importMs: Summary;
  readonly firstInvokeMs: Summary;
  /** Mean per warm invocation within a run, in microseconds. */
  readonly warmUs: Summary;
}

export interface TracingResult {
  readonly runs: number;
  readonly warmInvocations: number;
  readonly untraced: TracingCase;
  readonly traced: TracingCase;
  /** The traced bundle with every invocation unsampled (most requests under X-Ray's default rule). */
  readonly tracedUnsampled: TracingCase;
  /** Datagrams the daemon stand-in received per traced invocation (the first included; the untraced bundle sends none). */
  readonly datagramsPerInvocation: number;
  /** Datagrams that arrived while the unsampled runs ran (expected: none). */
  readonly unsampledDatagrams: number;
}

function caseOf(bundlePath: string, runs: LambdaRun[]): TracingCase {
  return {
    rawBytes: statSync(bundlePath).size,
    gzipBytes: gzipBytes(bundlePath),
    firstTokenMs: summarise(runs.map((r) => r.sinceOriginMs)),
    importMs: summarise(runs.map((r) => r.importMs)),
    firstInvokeMs: summarise(runs.map((r) => r.firstInvokeMs)),
    warmUs: summarise(runs.map((r) => (r.warmPerInvokeMs ?? 0) * 1000)),
  };
}

export async function measureTracing(
  stand: BenchStand,
  bundles: { readonly untraced: string; readonly traced: string },
  options: { runs: number; warmInvocations: number; log: (line: string) => void },
): Promise<TracingResult> {
  const child = await compileChild('bench/children/lambda-cold.ts', 'lambda-cold');
  const daemon = await startXRayDaemonStandIn();
  const datagramCount = () => daemon.received.length;
  try {
    const env = (bundlePath: string) => ({
      PATH: process.env.PATH ?? '',
      ...stand.env,
      // Both bundles get Lambda's tracing environment; only the traced one acts on it.
      ...LAMBDA_TRACING_ENV,
      BENCH_TRACE: '1',
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      BENCH_BUNDLE_URL: pathToFileURL(bundlePath).href,
      BENCH_EVENT: JSON.stringify(proxyEvent(bearerHeaders(stand))),
      BENCH_WARM_INVOCATIONS: String(options.warmInvocations),
    });
    const untracedEnv = env(bundles.untraced);
    const tracedEnv = env(bundles.traced);
    const unsampledEnv = { ...tracedEnv, BENCH_SAMPLED: '0' };
    // One unrecorded pass of each: the OS file cache, not the process, should be warm.
    await timeLambda(child, untracedEnv);
    await timeLambda(child, tracedEnv);

    const untraced: LambdaRun[] = [];
    const traced: LambdaRun[] = [];
    const unsampled: LambdaRun[] = [];
    daemon.received.length = 0;
    let unsampledDatagrams = 0;
    for (let run = 0; run < options.runs; run++) {
      const steps = [
        async () => untraced.push(await timeLambda(child, untracedEnv)),
        async () => traced.push(await timeLambda(child, tracedEnv)),
        async () => {
          // Unsampled invocations send nothing: keep their (absent) datagrams out of the count.
          const before = datagramCount();
          unsampled.push(await timeLambda(child, unsampledEnv));
          unsampledDatagrams += datagramCount() - before;
        },
      ];
      for (let k = 0; k < steps.length; k++)
        await (steps[(k + run) % steps.length] as () => Promise<unknown>)();
      if ((run + 1) % 5 === 0) options.log(`  tracing run ${run + 1}/${options.runs}`);
    }
    // UDP on loopback: give the last datagrams a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return {
      runs: options.runs,
      warmInvocations: options.warmInvocations,
      untraced: caseOf(bundles.untraced, untraced),
      traced: caseOf(bundles.traced, traced),
      tracedUnsampled: caseOf(bundles.traced, unsampled),
      datagramsPerInvocation:
        (datagramCount() - unsampledDatagrams) / (options.runs * (options.warmInvocations + 1)),
      unsampledDatagrams,
    };
  } finally {
    await daemon.close();
  }
}
