// Per-request cost of the funnel's metric lines, in a child whose stdout is /dev/null (the line is
// written, as in Lambda): the request's log line alone, the same line carrying the EMF members (the
// small writer), and the log line plus Powertools Metrics' own line. Argv: the two measured bundles.
// Writes one JSON result to stderr.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

interface SmallWriter {
  funnelMetrics(namespace: string, facts: unknown, timestampMs: number): Record<string, unknown>;
}
interface PowertoolsModule {
  createPowertoolsMetrics(namespace: string): {
    addDimensions(dimensions: Record<string, string>): void;
    addMetric(name: string, unit: 'Count', value: number): void;
    publishStoredMetrics(): void;
  };
}

const [smallPath = '', powertoolsPath = ''] = process.argv.slice(2);
const small = (await import(pathToFileURL(smallPath).href)) as SmallWriter;
const powertools = (await import(pathToFileURL(powertoolsPath).href)) as PowertoolsModule;
const namespace = 'OwnIdEnrollment/bench';
const metrics = powertools.createPowertoolsMetrics(namespace);

// The request log line as the boundary writes it for an issued token.
const logLine = () => ({
  timestamp: new Date().toISOString(),
  level: 'INFO',
  message: 'generate-auth-token',
  requestId: '8f4c1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f',
  outcome: 'issued',
  status: 200,
  source: 'cookie',
  coldStart: false,
  durationMs: 1.23,
  emailHash: 'q1w2e3r4t5y6u7i8o9p0as',
  policy: 'applied',
});
const write = (line: string) => process.stdout.write(`${line}\n`);

const variants: Record<string, () => void> = {
  logLineOnly: () => write(JSON.stringify(logLine())),
  smallWriter: () =>
    write(
      JSON.stringify({
        ...logLine(),
        PlatformFamily: 'iOS',
        ...small.funnelMetrics(namespace, { funnel: { step: 'issued' }, platform: 'iOS' }, Date.now()),
      }),
    ),
  powertools: () => {
    write(JSON.stringify(logLine()));
    metrics.addDimensions({ PlatformFamily: 'iOS' });
    metrics.addMetric('TokenRequests', 'Count', 1);
    metrics.addMetric('TokensIssued', 'Count', 1);
    metrics.publishStoredMetrics();
  },
};

const rounds = Number(process.env.ROUNDS ?? 7);
const perBatch = Number(process.env.PER_BATCH ?? 20_000);
const samples: Record<string, number[]> = { logLineOnly: [], smallWriter: [], powertools: [] };
for (const run of Object.values(variants)) for (let i = 0; i < 2_000; i += 1) run();
for (let round = 0; round < rounds; round += 1) {
  // Interleaved: each round measures every variant once, so machine noise hits all alike.
  for (const [name, run] of Object.entries(variants)) {
    const start = performance.now();
    for (let i = 0; i < perBatch; i += 1) run();
    samples[name]?.push(((performance.now() - start) * 1e6) / perBatch);
  }
}
process.stderr.write(`${JSON.stringify(samples)}\n`);
