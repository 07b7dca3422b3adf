// The one esbuild configuration: `npm run build` and the CDK stack both use it, so the stack
// deploys exactly the bundle that the tests and the benchmark load.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, buildSync } from 'esbuild';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const lambdaOutDir = join(projectRoot, 'dist/functions/generate-auth-token');
export const lambdaBundlePath = join(lambdaOutDir, 'index.mjs');
export const webSnippetOutDir = join(projectRoot, 'dist/web-snippet');

/** Gzip budget of the minified web snippet IIFE (issue 4). */
export const WEB_SNIPPET_GZIP_BUDGET_BYTES = 2048;

export const lambdaBuildOptions: BuildOptions = {
  entryPoints: [join(projectRoot, 'functions/generate-auth-token/handler.ts')],
  outfile: lambdaBundlePath,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Prefer ESM builds (the "module" field and export condition): the AWS SDK's "node" condition points at
  // CommonJS builds whose dynamic requires of node: built-ins fail in an .mjs bundle.
  mainFields: ['module', 'main'],
  conditions: ['module'],
  // Lambda's credentials are always in env vars: the SDK's default chain (SSO, STS, INI, IMDS) is left out.
  alias: {
    '@aws-sdk/credential-provider-node': join(
      projectRoot,
      'functions/generate-auth-token/sdk/credentials-from-env.ts',
    ),
  },
  minify: true,
  treeShaking: true,
  legalComments: 'none',
  // External map for debugging only: Lambda does not load it unless --enable-source-maps is set.
  sourcemap: 'external',
  metafile: true,
  logLevel: 'warning',
};

const webSnippetEntry = join(projectRoot, 'web-snippet/src/index.ts');

export const webSnippetBuildOptions: BuildOptions[] = [
  {
    entryPoints: [webSnippetEntry],
    outfile: join(webSnippetOutDir, 'ownid-enroll.min.js'),
    bundle: true,
    format: 'iife',
    globalName: 'OwnIDEnroll',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  },
  {
    entryPoints: [webSnippetEntry],
    outfile: join(webSnippetOutDir, 'ownid-enroll.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  },
];

/** Synchronous Lambda build for CDK synthesis (constructs are built synchronously). */
export function buildLambdaSync(): string {
  buildSync(lambdaBuildOptions);
  return lambdaOutDir;
}

export async function buildLambda() {
  return build(lambdaBuildOptions);
}

export async function buildWebSnippet() {
  await Promise.all(webSnippetBuildOptions.map((options) => build(options)));
}

export function gzipBytes(path: string): number {
  return gzipSync(readFileSync(path), { level: 9 }).length;
}
