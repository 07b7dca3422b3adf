// What is derived from the settings table: lookups by environment variable, context key and prop, the
// props' defaults, the rule a value breaks (checked by both the function and the stack) and the text
// of the docs tables' cells. Dependency-free like the rest of the contract.
import { PATTERNS } from './patterns.ts';
import {
  type ContextKey,
  type EnvName,
  type PropKey,
  SETTINGS,
  type Setting,
  type SettingId,
} from './settings.ts';

type Table = typeof SETTINGS;
const ROWS = Object.entries(SETTINGS) as [SettingId, Setting][];

/** The settings with an environment variable, by it. */
export const ENV_SETTINGS = Object.fromEntries(
  ROWS.filter(([, setting]) => setting.env !== undefined).map(([, setting]) => [setting.env, setting]),
) as Readonly<Record<EnvName, Setting>>;

/** The settings with a CDK context key, in table order, by key. */
export const CONTEXT_SETTINGS = Object.fromEntries(
  ROWS.filter(([, setting]) => setting.cdk !== undefined),
) as Readonly<Record<ContextKey, Setting>>;

/** The EnrollmentTokenApi props, in table order, by name. */
export const PROP_SETTINGS = Object.fromEntries(
  ROWS.filter(([, setting]) => setting.cdk === 'prop'),
) as Readonly<Record<PropKey, Setting>>;

type DefaultedProp = { [K in PropKey]: Table[K] extends { default: unknown } ? K : never }[PropKey];

/** The default of each prop that has one: what the construct uses when the prop is omitted. */
export const PROP_DEFAULTS = Object.fromEntries(
  Object.entries(PROP_SETTINGS)
    .filter(([, setting]) => setting.default !== undefined)
    .map(([name, setting]) => [name, setting.default]),
) as { readonly [K in DefaultedProp]: Table[K]['default'] };

/** The value types of CDK context: what `-c key=value` is parsed as before any rule applies. */
export type ContextKind = 'string' | 'list' | 'integer' | 'number' | 'boolean';

export function contextKind(setting: Setting): ContextKind {
  if (setting.kind === 'url') return 'string';
  if (setting.kind === 'enum') return typeof setting.values?.[0] === 'number' ? 'integer' : 'string';
  return setting.kind;
}

/** The refusal of an empty value where one is not allowed (it says no "got": there is nothing to show). */
export const NON_EMPTY_RULE = 'must not be empty (omit it for the default)';

/**
 * The rule one value breaks, or undefined when the row allows it. A list is checked item by item; a url
 * here must be https (the function's loopback exception is its own). Kinds without a rule allow anything.
 */
export function brokenRule(setting: Setting, value: string | number): string | undefined {
  const { kind, min = -Infinity, max = Infinity } = setting;
  switch (kind) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
        ? undefined
        : `must be an integer from ${min} to ${max}`;
    case 'number':
      return typeof value === 'number' && value > min && value <= max
        ? undefined
        : `must be a number of ${setting.unit ?? 'units'} above ${min} and at most ${max}`;
    case 'enum':
      return setting.values?.includes(value) ? undefined : enumRule(setting);
    case 'url':
      return isHttpsUrl(String(value)) ? undefined : 'must be an absolute https URL';
    case 'string':
    case 'list': {
      const text = String(value);
      if (setting.nonEmpty && text.trim() === '') return NON_EMPTY_RULE;
      const pattern = setting.pattern === undefined ? undefined : PATTERNS[setting.pattern];
      return pattern === undefined || pattern.test(text) ? undefined : pattern.rule;
    }
    default:
      return undefined;
  }
}

function enumRule({ values = [], valuesRule }: Setting): string {
  if (valuesRule !== undefined) return `${valuesRule} (${values.join(', ')})`;
  if (values.every((value) => typeof value === 'string'))
    return `must be ${values.map((value) => `"${value}"`).join(' or ')}`;
  return `must be one of ${values.join(', ')}`;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

export type DocsTable = 'env' | 'context';

/** The "default" cell: the value, or what happens when the setting is absent. */
export function defaultText(setting: Setting, table: DocsTable): string {
  const { unset } = setting;
  if (typeof unset === 'string') return unset;
  if (unset !== undefined) return unset[table];
  return setting.default === undefined ? '-' : `\`${setting.default}\``;
}

/** The "allowed" cell. */
export function allowedText(setting: Setting, table: DocsTable): string {
  const pattern = setting.pattern === undefined ? undefined : PATTERNS[setting.pattern].doc;
  switch (setting.kind) {
    case 'integer':
      return `${setting.min}..${setting.max}`;
    case 'number':
      return `above ${setting.min}, at most ${setting.max}`;
    case 'enum':
      return (setting.values ?? []).map((value) => `\`${value}\``).join(', ');
    case 'url':
      return table === 'env' && setting.loopbackHttp
        ? 'https URL (http for 127.0.0.1, localhost, [::1])'
        : 'https URL';
    case 'boolean':
      return '`true`, `false`';
    case 'list':
      return pattern === undefined ? 'comma-separated' : `comma-separated ${pattern}`;
    case 'string':
      return pattern ?? (setting.nonEmpty ? 'not empty' : 'any');
  }
}
