// The one esbuild configuration: `npm run build` and the CDK stack both use it, so the stack
// deploys exactly the bundle that the tests and the benchmark load.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BuildOptions, Plugin } from 'esbuild';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const lambdaOutDir = join(projectRoot, 'dist/functions/generate-auth-token');
export const lambdaBundlePath = join(lambdaOutDir, 'index.mjs');
/** The bundle the stack deploys when its `tracing` prop is on: the same handler with X-Ray subsegments. */
export const tracedLambdaOutDir = join(projectRoot, 'dist/functions/generate-auth-token-traced');
export const tracedLambdaBundlePath = join(tracedLambdaOutDir, 'index.mjs');
// Inside the snippet's own npm package (web-snippet/package.json ships web-snippet/dist/ only).
export const webSnippetOutDir = join(projectRoot, 'web-snippet/dist');
/** The root npm package's construct: one ES module, and its declarations under dist/types/. */
export const libOutFile = join(projectRoot, 'dist/lib/index.js');

/**
 * Gzip budget of the minified web snippet IIFE: sites paste it into every page. 2 KB, and half a KB more
 * for the prompt policy (eligibility check, device memory, outcome reports).
 */
export const WEB_SNIPPET_GZIP_BUDGET_BYTES = 2560;

// node:http(s) through require(): an ESM import of node:http loads undici at cold start (see the
// shims). esbuild's alias does not apply to Node built-ins, hence a resolve plugin.
const httpThroughRequire: Plugin = {
  name: 'node-http-through-require',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?https?$/ }, (args) => ({
      path: join(projectRoot, `functions/generate-auth-token/sdk/node-${args.path.replace(/^node:/, '')}.ts`),
    }));
  },
};

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
  plugins: [httpThroughRequire],
};

export const tracedLambdaBuildOptions: BuildOptions = {
  ...lambdaBuildOptions,
  entryPoints: [join(projectRoot, 'functions/generate-auth-token/traced-handler.ts')],
  outfile: tracedLambdaBundlePath,
  // X-Ray's SDK is CommonJS and requires Node built-ins at run time; an ES module has no `require`.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

const webSnippetEntry = join(projectRoot, 'web-snippet/src/index.ts');

export const webSnippetBuildOptions: BuildOptions[] = [
  {
    // This entry sets the global `OwnIDEnroll` (smaller than esbuild's globalName).
    entryPoints: [join(projectRoot, 'web-snippet/src/global.ts')],
    outfile: join(webSnippetOutDir, 'ownid-enroll.min.js'),
    bundle: true,
    format: 'iife',
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

/**
 * Synchronous Lambda build for CDK synthesis (constructs are built synchronously): runs
 * `scripts/build.ts --lambda` in a child process, since esbuild's synchronous API takes no plugins.
 */
let lambdaBuiltInThisProcess = false;

export function buildLambdaSync(options: { readonly traced?: boolean } = {}): string {
  // One build per process (both bundles): every stack a test synthesizes deploys the same bundle.
  if (!lambdaBuiltInThisProcess) {
    lambdaBuiltInThisProcess = true;
    execFileSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'scripts/build.ts'), '--lambda'], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return options.traced ? tracedLambdaOutDir : lambdaOutDir;
}

/**
 * The construct and stack for the root npm package, imported by other CDK apps. npm packages stay
 * imports (aws-cdk-lib and constructs are the consumer's own); lib/, contract/ and this file are inlined.
 */
export const libBuildOptions: BuildOptions = {
  entryPoints: [join(projectRoot, 'lib/index.ts')],
  outfile: libOutFile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  // The consumer's CDK app runs on its own Node.js, not necessarily the Lambda's.
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
};

// esbuild is loaded on use: the compiled construct inlines this file (for buildLambdaSync), and a
// consumer's CDK app has no esbuild.
const esbuild = () => import('esbuild');

/** Both Lambda bundles: the default one and the traced one (`tracing` prop on). */
export async function buildLambda() {
  const { build } = await esbuild();
  const [plain, traced] = await Promise.all([build(lambdaBuildOptions), build(tracedLambdaBuildOptions)]);
  return { plain, traced };
}

export async function buildWebSnippet() {
  const { build } = await esbuild();
  await Promise.all(webSnippetBuildOptions.map((options) => build(options)));
}

/** The root npm package's entry: the construct's JS (esbuild) and its declarations (tsc, tsconfig.lib.json). */
export async function buildPackageEntry() {
  await (await esbuild()).build(libBuildOptions);
  execFileSync(join(projectRoot, 'node_modules/.bin/tsc'), ['-p', join(projectRoot, 'tsconfig.lib.json')], {
    stdio: 'inherit',
  });
}

export function gzipBytes(path: string): number {
  return gzipSync(readFileSync(path), { level: 9 }).length;
}
