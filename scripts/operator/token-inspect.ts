// npm run token:inspect -- <token|-> [--public-key <file>]: the token's header and claims in words,
// and what is wrong with it against the function's TOKEN_* settings (or the flags).
import { OperatorError, type OperatorIo, UsageError } from './io.ts';
import { parseOptions, tokenSettings } from './options.ts';
import { loadPublicKey } from './public-key.ts';
import { formatInspection, inspectToken, TokenFormatError } from './token-inspection.ts';

export const TOKEN_INSPECT_USAGE = `npm run token:inspect -- <token | -> [--public-key <file>] [--profile default|session-creation] [--issuer <iss>] [--audience <aud>] [--site-url <url>] [--email <email>]
  Expected values default to the TOKEN_* variables, as the function reads them. "-" reads the token from stdin.`;

export async function tokenInspect(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      'public-key': { type: 'string' },
      profile: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      'site-url': { type: 'string' },
      email: { type: 'string' },
    },
    1,
  );
  const given = positionals[0];
  if (given === undefined) throw new UsageError('pass the token (or "-" to read it from stdin)');
  const token = (given === '-' ? await io.readStdin() : given).trim().replace(/^Bearer\s+/i, '');

  const expected = expectationFrom(io.env, values);
  const publicKey = values['public-key'] === undefined ? undefined : loadPublicKey(values['public-key']);
  const now = Date.now() / 1000;
  let inspection: ReturnType<typeof inspectToken>;
  try {
    inspection = inspectToken(token, { ...expected, email: values.email }, now, publicKey);
  } catch (error) {
    if (error instanceof TokenFormatError) throw new OperatorError(`not a readable JWT: ${error.message}`);
    throw error;
  }
  io.out(
    `Expected: ${expected.profile} profile, iss "${expected.issuer}", aud "${expected.audience}" (${expected.source})`,
  );
  for (const line of formatInspection(inspection, now)) io.out(line);
  if (publicKey === undefined)
    io.out(
      '  - signature not checked: pass --public-key <file> (npm run key:check -- --public-key-out <file>)',
    );
  if (inspection.problems.length === 0) {
    io.out('✓ nothing wrong found');
    return 0;
  }
  io.err(`✗ ${inspection.problems.length} problem(s): ${inspection.problems.join('; ')}`);
  return 1;
}

/** The flags win over TOKEN_*; the function's parser applies the contract's defaults and checks. */
function expectationFrom(
  env: OperatorIo['env'],
  flags: {
    profile?: string | undefined;
    issuer?: string | undefined;
    audience?: string | undefined;
    'site-url'?: string | undefined;
  },
) {
  const overrides: Record<string, string | undefined> = {
    TOKEN_PROFILE: flags.profile,
    TOKEN_ISSUER: flags.issuer,
    TOKEN_AUDIENCE: flags.audience,
    TOKEN_SITE_URL: flags['site-url'],
  };
  const merged = { ...env };
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) merged[name] = value;
  const config = tokenSettings(merged);
  const fromFlags = Object.values(overrides).some((value) => value !== undefined);
  const fromEnv = Object.keys(overrides).some((name) => env[name]?.trim());
  const source = fromFlags ? 'flags' : fromEnv ? 'TOKEN_* variables' : "the contract's defaults";
  return { profile: config.profile, issuer: config.issuer, audience: config.audience, source };
}
