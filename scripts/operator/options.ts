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

/** The flags that find the deployed stack's key secret: by id, or through the stack's outputs. */
export const DEPLOYED_SECRET_OPTIONS = {
  'secret-id': { type: 'string' },
  stack: { type: 'string' },
  'outputs-file': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Those flags' values as the lookups (readDeployedKey, locateKeySecret, stackOutput) take them. */
export function deployedSecretLookup(values: {
  readonly 'secret-id'?: string | undefined;
  readonly stack?: string | undefined;
  readonly 'outputs-file'?: string | undefined;
}) {
  return { secretId: values['secret-id'], stack: values.stack, outputsFile: values['outputs-file'] };
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
