// Command-line options through node:util parseArgs (strict): an unknown or malformed flag is a usage error.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
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
