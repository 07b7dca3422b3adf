// The cost of the funnel's metrics, the two ways to write them: the small EMF writer the function
// uses (functions/generate-auth-token/metrics.ts, members of the one log line) and Powertools for AWS
// Lambda's Metrics (its own line per publish). Each is bundled alone with the function's esbuild
// options (bytes it adds), imported in fresh processes (cold-start cost), and timed per request.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { lambdaBuildOptions } from '../../scripts/esbuild-config.ts';
import { childBuildDir, compileChild, projectRoot } from '../support/processes.ts';
import { type Summary, summarise } from '../support/stats.ts';

export interface MetricWriterFigures {
  readonly bundleRawBytes: number;
  readonly bundleGzipBytes: number;
  /** Fresh process: import() of the bundle and, for Powertools, its Metrics instance. */
  readonly importMs: Summary;
  /** Per request, above writing the log line alone. */
  readonly extraNsPerRequest: Summary;
  readonly linesPerRequest: number;
}

export interface MetricLinesResult {
  readonly logLineOnlyNs: Summary;
  /** Fresh process: import() of an empty bundle (the floor of importMs). */
  readonly emptyImportMs: Summary;
  readonly smallWriter: MetricWriterFigures;
  readonly powertools: MetricWriterFigures;
}

const ENTRIES = {
  /** An empty module: what any import() costs, to read the others against. */
  emptyModule: 'export {};',
  smallWriter: `export { funnelMetrics } from ${JSON.stringify(join(projectRoot, 'functions/generate-auth-token/metrics.ts'))};`,
  powertools: [
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    "export const createPowertoolsMetrics = (namespace) => new Metrics({ namespace, serviceName: 'enrollment' });",
  ].join('\n'),
} as const;
type Writer = keyof typeof ENTRIES;

async function bundle(name: Writer): Promise<string> {
  const dir = join(childBuildDir, 'metric-writers');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${name}.mjs`);
  await build({
    ...lambdaBuildOptions,
    entryPoints: undefined,
    stdin: { contents: ENTRIES[name], resolveDir: projectRoot, loader: 'ts' },
    outfile,
    sourcemap: false,
    metafile: false,
  });
  return outfile;
}

function timeImport(path: string, construct: boolean): Promise<number> {
  const script = [
    "const { performance } = await import('node:perf_hooks');",
    'const start = performance.now();',
    `const m = await import(${JSON.stringify(pathToFileURL(path).href)});`,
    construct ? "m.createPowertoolsMetrics('bench');" : '',
    'process.stdout.write(String(performance.now() - start));',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', () => resolve(Number(out)));
  });
}

function perRequest(childPath: string, bundles: Record<Writer, string>, quick: boolean) {
  return new Promise<Record<string, number[]>>((resolve, reject) => {
    const child = spawn(process.execPath, [childPath, bundles.smallWriter, bundles.powertools], {
      env: { PATH: process.env.PATH, ROUNDS: quick ? '3' : '9', PER_BATCH: quick ? '5000' : '20000' },
      // stdout is /dev/null: every line is really written, as Lambda's stdout would take it.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(err.trim().split('\n').at(-1) ?? '{}')) : reject(new Error(err)),
    );
  });
}

export async function measureMetricLines(options: {
  runs: number;
  quick: boolean;
  log: (line: string) => void;
}): Promise<MetricLinesResult> {
  const bundles = {
    emptyModule: await bundle('emptyModule'),
    smallWriter: await bundle('smallWriter'),
    powertools: await bundle('powertools'),
  };
  const imports: Record<Writer, number[]> = { emptyModule: [], smallWriter: [], powertools: [] };
  for (let run = 0; run < options.runs; run += 1) {
    imports.emptyModule.push(await timeImport(bundles.emptyModule, false));
    imports.smallWriter.push(await timeImport(bundles.smallWriter, false));
    imports.powertools.push(await timeImport(bundles.powertools, true));
  }
  options.log('  metric lines: per request');
  const childPath = await compileChild('bench/children/metric-lines.ts', 'metric-lines');
  const samples = await perRequest(childPath, bundles, options.quick);
  const base = samples.logLineOnly ?? [];
  const extra = (name: Exclude<Writer, 'emptyModule'>) =>
    (samples[name] ?? []).map((ns, round) => ns - (base[round] ?? 0));
  const figures = (name: Exclude<Writer, 'emptyModule'>, linesPerRequest: number): MetricWriterFigures => {
    const raw = readFileSync(bundles[name]);
    return {
      bundleRawBytes: raw.length,
      bundleGzipBytes: gzipSync(raw, { level: 9 }).length,
      importMs: summarise(imports[name]),
      extraNsPerRequest: summarise(extra(name)),
      linesPerRequest,
    };
  };
  return {
    logLineOnlyNs: summarise(base),
    emptyImportMs: summarise(imports.emptyModule),
    smallWriter: figures('smallWriter', 1),
    powertools: figures('powertools', 2),
  };
}

// `npx tsx bench/sections/metric-lines.ts`: this section alone, printed.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const result = await measureMetricLines({ runs: 15, quick: false, log: console.error });
  console.log(JSON.stringify(result, null, 2));
  console.error(`in ${Math.round(performance.now() - started)} ms`);
}
