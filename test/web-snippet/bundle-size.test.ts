// The IIFE is what sites paste into every page: it must stay within its gzip budget of 2,560 bytes
// (scripts/esbuild-config.ts: 2 KB, and half a KB more for the prompt policy).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEB_SNIPPET_GZIP_BUDGET_BYTES, webSnippetOutDir } from '../../scripts/esbuild-config.ts';

describe('web-snippet/dist', () => {
  const iife = join(webSnippetOutDir, 'ownid-enroll.min.js');

  it(`keeps the minified IIFE within ${WEB_SNIPPET_GZIP_BUDGET_BYTES} bytes gzipped`, () => {
    expect(existsSync(iife), `${iife} is missing: run \`npm run build\` first`).toBe(true);
    const gzipped = gzipSync(readFileSync(iife), { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(WEB_SNIPPET_GZIP_BUDGET_BYTES);
  });

  it('ships the ESM build and its type declarations', () => {
    for (const file of ['ownid-enroll.mjs', 'index.d.ts', 'ownid-enroll.d.mts']) {
      expect(existsSync(join(webSnippetOutDir, file)), `${file} is missing: run \`npm run build\``).toBe(
        true,
      );
    }
    const esm = readFileSync(join(webSnippetOutDir, 'ownid-enroll.mjs'), 'utf8');
    expect(esm).toMatch(/export\s*\{/);
  });
});
