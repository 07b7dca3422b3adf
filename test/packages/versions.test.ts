// One version for both packages, so a site knows which snippet matches which endpoint contract; the
// changelog says what that version holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../scripts/esbuild-config.ts';

const manifest = (path: string) =>
  JSON.parse(readFileSync(join(projectRoot, path), 'utf8')) as { name: string; version: string };
const construct = manifest('package.json');
const snippet = manifest('web-snippet/package.json');

it('gives the construct package and the snippet package the same version', () => {
  expect(snippet.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(construct.version).toBe(snippet.version);
});

it('has a CHANGELOG.md section for that version', () => {
  const changelog = readFileSync(join(projectRoot, 'CHANGELOG.md'), 'utf8');
  expect(changelog).toMatch(new RegExp(`^## \\[${snippet.version.replaceAll('.', '\\.')}\\]`, 'm'));
});
