// Artifact sizes: the Lambda bundle (raw, gzip) with a per-package breakdown from esbuild's
// metafile, and the web snippet's gzip size. Gzip at level 9, as `npm run build` reports it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { projectRoot } from '../support/processes.ts';

export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
  /** Only reachable through the SDK's default credential chain (SSO, STS, INI, IMDS, process, login). */
  readonly credentialChain: boolean;
}

export interface SizesResult {
  readonly bundleRawBytes: number;
  readonly bundleGzipBytes: number;
  readonly sourceMapBytes: number | undefined;
  readonly packages: PackageShare[];
  readonly credentialChainBytes: number;
  readonly snippetRawBytes: number | undefined;
  readonly snippetGzipBytes: number | undefined;
}

// Providers Lambda never needs: it hands the function its credentials in environment variables.
const CREDENTIAL_CHAIN =
  /^@aws-sdk\/(?:nested-clients|credential-provider-(?!env$)[a-z-]+|token-providers)$|^@smithy\/credential-provider-imds$/;

const gzip = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

export function measureSizes(): SizesResult {
  const bundle = join(projectRoot, 'dist/functions/generate-auth-token/index.mjs');
  const raw = readFileSync(bundle);
  const meta = JSON.parse(
    readFileSync(join(projectRoot, 'dist/functions/generate-auth-token/meta.json'), 'utf8'),
  ) as {
    outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const output = Object.entries(meta.outputs).find(([path]) => path.endsWith('index.mjs'))?.[1];
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ??
      (path.startsWith('functions/') ? 'functions/ (own code)' : path);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  const packages = [...byPackage]
    .map(([name, bytes]) => ({ name, bytes, credentialChain: CREDENTIAL_CHAIN.test(name) }))
    .sort((a, b) => b.bytes - a.bytes);
  const snippet = join(projectRoot, 'web-snippet/dist/ownid-enroll.min.js');
  const map = `${bundle}.map`;
  return {
    bundleRawBytes: raw.length,
    bundleGzipBytes: gzip(raw),
    sourceMapBytes: existsSync(map) ? statSync(map).size : undefined,
    packages,
    credentialChainBytes: packages.filter((p) => p.credentialChain).reduce((sum, p) => sum + p.bytes, 0),
    snippetRawBytes: existsSync(snippet) ? statSync(snippet).size : undefined,
    snippetGzipBytes: existsSync(snippet) ? gzip(readFileSync(snippet)) : undefined,
  };
}
