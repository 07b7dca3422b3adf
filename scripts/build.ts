// `npm run build`: the Lambda bundle, the web snippet (IIFE + ESM + .d.ts), with their sizes.
// `--package` (npm run build:package, npm pack's prepack): also the construct's entry for the root npm package.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildLambda,
  buildPackageEntry,
  buildWebSnippet,
  gzipBytes,
  lambdaBundlePath,
  lambdaOutDir,
  libOutFile,
  projectRoot,
  tracedLambdaBundlePath,
  tracedLambdaOutDir,
  WEB_SNIPPET_GZIP_BUDGET_BYTES,
  webSnippetOutDir,
} from './esbuild-config.ts';

const lambda = await buildLambda();
writeFileSync(join(lambdaOutDir, 'meta.json'), JSON.stringify(lambda.plain.metafile));
writeFileSync(join(tracedLambdaOutDir, 'meta.json'), JSON.stringify(lambda.traced.metafile));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
for (const bundle of [lambdaBundlePath, tracedLambdaBundlePath]) {
  console.log(
    `lambda  ${bundle.slice(projectRoot.length + 1)}  ${kb(statSync(bundle).size)} raw, ${kb(gzipBytes(bundle))} gzip`,
  );
}

// `--lambda`: the Lambda bundle only (what the CDK stack asks for while it synthesizes).
if (!process.argv.includes('--lambda') && existsSync(join(projectRoot, 'web-snippet/src/index.ts'))) {
  await buildWebSnippet();
  execFileSync(
    join(projectRoot, 'node_modules/.bin/tsc'),
    ['-p', join(projectRoot, 'web-snippet/tsconfig.json')],
    {
      stdio: 'inherit',
    },
  );
  const iife = join(webSnippetOutDir, 'ownid-enroll.min.js');
  const gz = gzipBytes(iife);
  const verdict = gz <= WEB_SNIPPET_GZIP_BUDGET_BYTES ? 'within' : 'OVER';
  console.log(
    `snippet ${iife.slice(projectRoot.length + 1)}  ${readFileSync(iife).length} B raw, ${gz} B gzip (${verdict} the ${WEB_SNIPPET_GZIP_BUDGET_BYTES} B budget)`,
  );
}

if (process.argv.includes('--package')) {
  await buildPackageEntry();
  console.log(`package ${libOutFile.slice(projectRoot.length + 1)}  ${kb(statSync(libOutFile).size)} raw`);
}
