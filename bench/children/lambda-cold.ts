// A Lambda cold start in a fresh process: import the built bundle (config, SDK client, key fetch
// and JWKS download in its top-level await), then serve the first request (and, when asked, more). Prints its phase times
// as one JSON line and exits. Compiled to plain JS by the bench; the bundle path and the event come
// from the environment (the bundle reads its own settings from there too).
import { performance } from 'node:perf_hooks';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

// performance.now() counts from the process's time origin: this is the boot up to user code.
const scriptStart = performance.now();
const { BENCH_BUNDLE_URL, BENCH_EVENT, BENCH_TRACE, BENCH_SAMPLED, BENCH_WARM_INVOCATIONS } = process.env;
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
let invocations = 0;
function invoke() {
  invocations += 1;
  // With tracing, Lambda's runtime sets a fresh trace header for each invocation (sampled unless BENCH_SAMPLED=0).
  if (BENCH_TRACE === '1') {
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${invocations.toString(16).padStart(24, '0')}`;
    process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=53995c3f42cd8ad8;Sampled=${BENCH_SAMPLED ?? '1'}`;
  }
  return handler(event, {
    awsRequestId: `cold-start-${invocations}`,
    functionName: 'generate-auth-token',
    getRemainingTimeInMillis: () => 5000,
  });
}
const result = await invoke();
const answered = performance.now();
// Optionally, warm invocations in the same process after the first (the tracing section's per-request cost).
const warmInvocations = Number(BENCH_WARM_INVOCATIONS ?? '0');
// Between invocations Lambda's runtime waits on its API: the event loop turns (X-Ray sends its UDP then).
const nextEvent = () => new Promise((resolve) => setImmediate(resolve));
for (let i = 0; i < warmInvocations; i++) {
  await nextEvent();
  await invoke();
}
await nextEvent();
const warmMs = performance.now() - answered;
write(
  `RESULT ${JSON.stringify({
    bootMs: scriptStart,
    importMs: imported - beforeImport,
    firstInvokeMs: answered - imported,
    warmPerInvokeMs: warmInvocations > 0 ? warmMs / warmInvocations : undefined,
    sinceOriginMs: answered,
    status: result.statusCode,
    logLines,
  })}\n`,
  () => process.exit(0),
);
