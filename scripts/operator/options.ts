// Command-line options through node:util parseArgs (strict): an unknown or malformed flag is a usage error.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import {
  ConfigError,
  parseTokenConfig,
  type TokenConfig,
} from '../../functions/generate-auth-token/operator-api.ts';
import { UsageError } from './io.ts';

export function parseOptions<T extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: T,
  maxPositionals = 0,
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  return parsed;
}

/** The function's TOKEN_* settings, parsed by the function's own rules; a bad value is a usage error. */
export function tokenSettings(env: Readonly<Record<string, string | undefined>>): TokenConfig {
  try {
    return parseTokenConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
