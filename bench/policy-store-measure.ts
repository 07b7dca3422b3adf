// A quick measurement, not part of `npm run bench` yet: `npx tsx bench/policy-store-measure.ts`.
// 1. countTokenRequest against dynalite on loopback (the real SDK client, keep-alive): median and
//    tail over many calls, the first-of-the-hour shape (one UpdateItem) and the repeat (two).
// 2. What @aws-sdk/client-dynamodb adds to the Lambda bundle, built with the one esbuild
//    configuration: the handler alone, and the handler plus the state store (raw and gzip bytes).
// 3. Cold import of the store's code in a fresh Node process, next to the Secrets Manager client.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DEFAULT_POLICY_SETTINGS } from '../functions/generate-auth-token/policy/prompt-policy.ts';
import { createPolicyStore } from '../functions/generate-auth-token/policy/state-store.ts';
import { lambdaBuildOptions, projectRoot } from '../scripts/esbuild-config.ts';
import { randomUserHash, startLocalDynamo } from '../test/support/dynalite.ts';

const CALLS = 200;

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

async function time(call: () => Promise<unknown>) {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

async function measureLatency() {
  const dynamo = await startLocalDynamo();
  try {
    const store = createPolicyStore({
      client: dynamo.directClient,
      tableName: dynamo.tableName,
      settings: DEFAULT_POLICY_SETTINGS,
      timeoutMs: 2000,
    });
    const firstCallMs = await time(() => store.countTokenRequest(randomUserHash(), Date.now()));
    for (let warm = 0; warm < 20; warm++) await store.countTokenRequest(randomUserHash(), Date.now());
    const firstOfHour: number[] = [];
    for (let call = 0; call < CALLS; call++) {
      const hash = randomUserHash();
      firstOfHour.push(await time(() => store.countTokenRequest(hash, Date.now())));
    }
    const repeat: number[] = [];
    const regular = randomUserHash();
    for (let call = 0; call < CALLS; call++) {
      repeat.push(await time(() => store.countTokenRequest(regular, Date.now())));
    }
    const outcomes: number[] = [];
    for (let call = 0; call < CALLS; call++) {
      outcomes.push(await time(() => store.recordOutcome(regular, randomUUID(), 'enrolled', Date.now())));
    }
    return {
      firstCallMs,
      firstOfHour: summary(firstOfHour),
      repeatInHour: summary(repeat),
      recordOutcome: summary(outcomes),
    };
  } finally {
    await dynamo.stop();
  }
}

async function bundleBytes(dir: string, name: string, source: string) {
  const entry = join(dir, `${name}.ts`);
  writeFileSync(entry, source);
  await build({
    ...lambdaBuildOptions,
    entryPoints: [entry],
    outfile: join(dir, `${name}.mjs`),
    sourcemap: false,
    metafile: false,
    logLevel: 'error',
  });
  const code = readFileSync(join(dir, `${name}.mjs`));
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length, file: join(dir, `${name}.mjs`) };
}

function coldImportMs(file: string, runs = 7) {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
    samples.push(
      Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })),
    );
  }
  return summary(samples).median;
}

async function measureBundles() {
  // Inside the project, so the entries resolve node_modules like the real build.
  mkdirSync(join(projectRoot, '.local'), { recursive: true });
  const dir = mkdtempSync(join(projectRoot, '.local/policy-bundle-'));
  const fn = join(projectRoot, 'functions/generate-auth-token');
  try {
    // The handler reads its env at import: these entries import the modules, never run them.
    const handler = await bundleBytes(
      dir,
      'handler',
      `export * from ${JSON.stringify(join(fn, 'handler.ts'))};`,
    );
    const withStore = await bundleBytes(
      dir,
      'handler-with-store',
      `export * from ${JSON.stringify(join(fn, 'handler.ts'))};\nexport { createDynamoDbClient, createPolicyStore } from ${JSON.stringify(join(fn, 'policy/state-store.ts'))};`,
    );
    const storeAlone = await bundleBytes(
      dir,
      'store-alone',
      `import { createDynamoDbClient, createPolicyStore } from ${JSON.stringify(join(fn, 'policy/state-store.ts'))};\nexport const client = createDynamoDbClient('us-east-1');\nexport { createPolicyStore };`,
    );
    const secretsAlone = await bundleBytes(
      dir,
      'secrets-alone',
      `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\nexport const client = new SecretsManagerClient({ region: 'us-east-1' });`,
    );
    const both = await bundleBytes(
      dir,
      'secrets-and-store',
      `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\nimport { createDynamoDbClient, createPolicyStore } from ${JSON.stringify(join(fn, 'policy/state-store.ts'))};\nexport const clients = [new SecretsManagerClient({ region: 'us-east-1' }), createDynamoDbClient('us-east-1')];\nexport { createPolicyStore };`,
    );
    return {
      handler: { raw: handler.raw, gzip: handler.gzip },
      handlerWithStore: { raw: withStore.raw, gzip: withStore.gzip },
      added: { raw: withStore.raw - handler.raw, gzip: withStore.gzip - handler.gzip },
      storeAlone: { raw: storeAlone.raw, gzip: storeAlone.gzip },
      coldImportMedianMs: {
        secretsManagerClient: coldImportMs(secretsAlone.file),
        secretsManagerAndStore: coldImportMs(both.file),
        storeAlone: coldImportMs(storeAlone.file),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (value: unknown): unknown =>
  typeof value === 'number'
    ? Math.round(value * 100) / 100
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, round(inner)]))
      : value;

const latency = await measureLatency();
const bundles = await measureBundles();
process.stdout.write(`${JSON.stringify(round({ calls: CALLS, latencyMs: latency, bundles }), null, 2)}\n`);
