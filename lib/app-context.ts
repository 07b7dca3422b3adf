// CDK context (`cdk.json` or `-c key=value`) -> stack props. Every context key is the prop of the same
// name; `-c` values are strings, cdk.json values may be JSON types, both are accepted. All problems
// (unknown key, wrong type, invalid combination) are reported at once.
import { PATTERNS } from '../contract/patterns.ts';
import { type ContextKey, SETTINGS } from '../contract/settings.ts';
import {
  CONTEXT_SETTINGS,
  type ContextKind,
  contextKind,
  defaultText,
} from '../contract/settings-derived.ts';
import type { EnrollmentTokenApiProps } from './enrollment-token-props.ts';

export type { ContextKey };

/** Every deployment context key: its type, default and meaning (from contract/settings.ts). */
export const CONTEXT_KEYS = Object.fromEntries(
  Object.entries(CONTEXT_SETTINGS).map(([key, setting]) => [
    key,
    { kind: contextKind(setting), default: defaultText(setting, 'context'), doc: setting.doc },
  ]),
) as Readonly<
  Record<ContextKey, { readonly kind: ContextKind; readonly default: string; readonly doc: string }>
>;

export interface ParsedContext {
  readonly stackName: string;
  readonly props: EnrollmentTokenApiProps;
  readonly problems: readonly string[];
}

// Context keys that look like ours (plain camelCase). CDK's own keys contain ':' '@' or '-'.
const OWN_KEY_SHAPE = /^[a-z][A-Za-z0-9]*$/;

export function parseContext(context: Readonly<Record<string, unknown>>): ParsedContext {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const known = new Set<string>(Object.keys(CONTEXT_KEYS));

  for (const key of Object.keys(context)) {
    if (OWN_KEY_SHAPE.test(key) && !known.has(key)) {
      const hint = [...known].find((candidate) =>
        candidate.toLowerCase().startsWith(key.toLowerCase().slice(0, 6)),
      );
      problems.push(`unknown context key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }

  for (const [key, spec] of Object.entries(CONTEXT_KEYS) as [
    ContextKey,
    (typeof CONTEXT_KEYS)[ContextKey],
  ][]) {
    const raw = context[key];
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) continue;
    const parsed = parseValue(spec.kind, raw);
    if (parsed === undefined) {
      problems.push(`context ${key} must be ${describe(spec.kind)}, got ${JSON.stringify(raw)}`);
      continue;
    }
    if (Array.isArray(parsed) && parsed.length === 0) continue;
    values[key] = parsed;
  }

  const { stackName, ...props } = values;
  if (stackName !== undefined && !PATTERNS.stackName.test(String(stackName))) {
    problems.push(`context stackName ${PATTERNS.stackName.rule}, got "${stackName}"`);
  }
  return {
    stackName: typeof stackName === 'string' ? stackName : SETTINGS.stackName.default,
    props: props as EnrollmentTokenApiProps,
    problems,
  };
}

function parseValue(kind: ContextKind, raw: unknown): unknown {
  switch (kind) {
    case 'string':
      return typeof raw === 'string' ? raw.trim() : undefined;
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
      if (items === undefined || !items.every((item) => typeof item === 'string')) return undefined;
      return [...new Set(items.map((item: string) => item.trim()).filter((item) => item !== ''))];
    }
    case 'integer':
    case 'number': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value))) return undefined;
      return value;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return undefined;
  }
}

function describe(kind: ContextKind): string {
  switch (kind) {
    case 'string':
      return 'a string';
    case 'list':
      return 'a comma-separated list (or a JSON array in cdk.json)';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
  }
}
