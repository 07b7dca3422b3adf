// The function's environment, derived from the props through the settings table: each prop with a
// Lambda variable in its row sets that variable (lists comma-joined); unset props set nothing, so the
// function applies the same table's defaults.
import type { Setting } from '../contract/settings.ts';
import { PROP_DEFAULTS, PROP_SETTINGS } from '../contract/settings-derived.ts';
import type { EnrollmentTokenApiProps } from './enrollment-token-props.ts';

/** Set by the function's bind calls, which grant the secret and set its variable together. */
const BOUND_WITH_GRANT = new Set(['privateKeySecret', 'introspectionSecret']);

/** Written even when the prop is unset, so the console shows the lifetime, key cache and profile in force. */
const ALWAYS_WRITTEN = ['keyCacheTtlSeconds', 'tokenTtlSeconds', 'tokenProfile'] as const;

/**
 * `allowedOrigins` is the deduplicated list; secret ids are left to the bind calls. The introspection
 * cache is written only with an introspection URL (the function reads it only then).
 */
export function functionEnvironment(
  props: EnrollmentTokenApiProps,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const values: Record<string, unknown> = {
    ...props,
    allowedOrigins,
    introspectionCacheSeconds:
      props.introspectionUrl === undefined
        ? undefined
        : (props.introspectionCacheSeconds ?? PROP_DEFAULTS.introspectionCacheSeconds),
  };
  for (const name of ALWAYS_WRITTEN) values[name] ??= PROP_DEFAULTS[name];
  const env: Record<string, string> = {};
  for (const [name, setting] of Object.entries(PROP_SETTINGS) as [string, Setting][]) {
    if (BOUND_WITH_GRANT.has(name)) continue;
    const value = environmentValue(values[name]);
    if (setting.env !== undefined && value !== undefined) env[setting.env] = value;
  }
  return env;
}

function environmentValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return String(value);
  return value.length > 0 ? value.join(',') : undefined;
}
