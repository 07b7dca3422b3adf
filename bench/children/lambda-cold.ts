// A Lambda cold start in a fresh process: import the built bundle (config, SDK client, key fetch
// and JWKS download in its top-level await), then serve the first request. Prints its phase times
// as one JSON line and exits. Compiled to plain JS by the bench; the bundle path and the event come
// from the environment (the bundle reads its own settings from there too).
import { performance } from 'node:perf_hooks';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

// performance.now() counts from the process's time origin: this is the boot up to user code.
const scriptStart = performance.now();
const { BENCH_BUNDLE_URL, BENCH_EVENT } = process.env;
if (!BENCH_BUNDLE_URL || !BENCH_EVENT) throw new Error('BENCH_BUNDLE_URL and BENCH_EVENT are required');
const event = JSON.parse(BENCH_EVENT);
// The function logs one JSON line per request on stdout; keep the result line easy to find.
const write = process.stdout.write.bind(process.stdout);
let logLines = 0;
process.stdout.write = (() => {
  logLines += 1;
  return true;
}) as typeof process.stdout.write;

const beforeImport = performance.now();
const { handler } = (await import(BENCH_BUNDLE_URL)) as { handler: Handler };
const imported = performance.now();
const result = await handler(event, {
  awsRequestId: 'cold-start',
  functionName: 'generate-auth-token',
  getRemainingTimeInMillis: () => 5000,
});
const answered = performance.now();
write(
  `RESULT ${JSON.stringify({
    bootMs: scriptStart,
    importMs: imported - beforeImport,
    firstInvokeMs: answered - imported,
    sinceOriginMs: answered,
    status: result.statusCode,
    logLines,
  })}\n`,
  () => process.exit(0),
);
