// The configuration tables of docs/configuration.md, rendered from the settings table
// (contract/settings.ts). `npm run docs:settings` prints them; `-- --write` rewrites the blocks between
// the `<!-- settings:environment -->` and `<!-- settings:context -->` markers (the prose around stays).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Setting } from '../contract/settings.ts';
import {
  allowedText,
  CONTEXT_SETTINGS,
  type DocsTable,
  defaultText,
  ENV_SETTINGS,
} from '../contract/settings-derived.ts';

export const CONFIGURATION_DOC = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

const cell = (text: string) => text.replaceAll('|', '\\|');
const code = (name: string | undefined) => (name === undefined ? '-' : `\`${name}\``);

function renderTable(
  headings: readonly string[],
  rows: readonly [name: string, setting: Setting, other: string | undefined][],
  table: DocsTable,
): string {
  const lines = [`| ${headings.join(' | ')} |`, `|${headings.map(() => '---|').join('')}`];
  for (const [name, setting, other] of rows) {
    const cells = [
      code(name),
      setting.kind,
      defaultText(setting, table),
      allowedText(setting, table),
      setting.doc,
      code(other),
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Every variable the function reads (the local server reads the same names). */
export function renderEnvironmentTable(): string {
  const rows = Object.entries(ENV_SETTINGS).map(([env, setting]) => {
    const key = Object.entries(CONTEXT_SETTINGS).find(([, row]) => row === setting)?.[0];
    return [env, setting, key] as [string, Setting, string | undefined];
  });
  return renderTable(['variable', 'kind', 'default', 'allowed', 'meaning', 'CDK context key'], rows, 'env');
}

/** Every CDK context key (`-c key=value` or cdk.json), each also the EnrollmentTokenApi prop of that name. */
export function renderContextTable(): string {
  const rows = Object.entries(CONTEXT_SETTINGS).map(
    ([key, setting]) => [key, setting, setting.env] as [string, Setting, string | undefined],
  );
  return renderTable(['key', 'kind', 'default', 'allowed', 'meaning', 'Lambda variable'], rows, 'context');
}

const BLOCKS = { environment: renderEnvironmentTable, context: renderContextTable } as const;

/** `markdown` with each marker block's content replaced by the table it names. */
export function withSettingsTables(markdown: string): string {
  let result = markdown;
  for (const [name, render] of Object.entries(BLOCKS)) {
    const open = `<!-- settings:${name} -->`;
    const close = `<!-- /settings:${name} -->`;
    const start = result.indexOf(open);
    const end = result.indexOf(close);
    if (start < 0 || end < start) throw new Error(`docs/configuration.md has no ${open} ... ${close} block`);
    result = `${result.slice(0, start + open.length)}\n${render()}\n${result.slice(end)}`;
  }
  return result;
}

if (import.meta.main) {
  if (process.argv.includes('--write')) {
    const before = readFileSync(CONFIGURATION_DOC, 'utf8');
    const after = withSettingsTables(before);
    writeFileSync(CONFIGURATION_DOC, after);
    console.log(after === before ? 'docs/configuration.md is up to date' : 'docs/configuration.md rewritten');
  } else {
    console.log(`${renderEnvironmentTable()}\n\n${renderContextTable()}`);
  }
}
