// docs/configuration.md's tables are the settings table rendered: editing one without the other fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_SETTINGS, ENV_SETTINGS } from '../../contract/settings-derived.ts';
import {
  CONFIGURATION_DOC,
  renderContextTable,
  renderEnvironmentTable,
  withSettingsTables,
} from '../../scripts/settings-docs.ts';

const doc = readFileSync(CONFIGURATION_DOC, 'utf8');

describe('docs/configuration.md', () => {
  it('holds exactly the tables the settings table renders (fix: npm run docs:settings)', () => {
    expect(doc).toBe(withSettingsTables(doc));
  });

  it('keeps both marker blocks, each with its table inside', () => {
    expect(doc).toContain(
      `<!-- settings:environment -->\n${renderEnvironmentTable()}\n<!-- /settings:environment -->`,
    );
    expect(doc).toContain(`<!-- settings:context -->\n${renderContextTable()}\n<!-- /settings:context -->`);
  });

  it('lists every variable the function reads and every context key, one row each', () => {
    const rowNames = (table: string) => [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]);
    expect(rowNames(renderEnvironmentTable())).toEqual(Object.keys(ENV_SETTINGS));
    expect(rowNames(renderContextTable())).toEqual(Object.keys(CONTEXT_SETTINGS));
  });

  it('notices a hand edit of a generated row', () => {
    const edited = doc.replace('| 10..300 |', '| 10..600 |');
    expect(edited).not.toBe(doc);
    expect(withSettingsTables(edited)).toBe(doc);
  });
});
