// npm run key:check [-- --secret-id <id>]: reads the deployed secret as the function does, runs the
// same checks, signs a test token with the TOKEN_* profile and verifies it with the public half.
import { writeFileSync } from 'node:fs';
import { jwtVerify } from 'jose';
import { signEnrollmentToken } from '../../functions/generate-auth-token/operator-api.ts';
import { readDeployedKey } from './deployed-key.ts';
import { OperatorError, type OperatorIo } from './io.ts';
import { describeKey, publicKeyLines } from './key-report.ts';
import { DEPLOYED_SECRET_OPTIONS, deployedSecretLookup, parseOptions, tokenSettings } from './options.ts';

export const KEY_CHECK_USAGE = `npm run key:check [-- --secret-id <id>] [--stack <name>] [--outputs-file <path>] [--public-key-out <file>]`;

/** A placeholder subject: the test token is never sent anywhere. */
const TEST_EMAIL = 'key-check@example.invalid';

export async function keyCheck(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values } = parseOptions(args, {
    ...DEPLOYED_SECRET_OPTIONS,
    'public-key-out': { type: 'string' },
  });
  const tokenConfig = tokenSettings(io.env);

  const { report, readLine } = await readDeployedKey(deployedSecretLookup(values), io);
  io.out(`✓ ${readLine}`);
  io.out(`✓ ${describeKey(report)}`);
  if (report.repairs.length > 0) {
    io.out(
      `! the stored text needed repair (${report.repairs.join('; ')}); the function repairs it too, and npm run key:put stores it clean`,
    );
  }

  const token = signEnrollmentToken(TEST_EMAIL, report.key, tokenConfig, Date.now() / 1000);
  try {
    await jwtVerify(token, report.publicKey, {
      algorithms: ['RS256'],
      issuer: tokenConfig.issuer,
      audience: tokenConfig.audience,
    });
  } catch (error) {
    throw new OperatorError(
      `a test token did not verify with the key's public half: ${(error as Error).message}`,
    );
  }
  io.out(
    `✓ test token signed (RS256, ${tokenConfig.profile} profile, iss "${tokenConfig.issuer}", aud "${tokenConfig.audience}", ${tokenConfig.ttlSeconds} s) and verified with the public key`,
  );
  for (const line of publicKeyLines(report)) io.out(line);
  if (values['public-key-out'] !== undefined) {
    writeFileSync(values['public-key-out'], report.publicKeyPem);
    io.out(`✓ public key written to ${values['public-key-out']}`);
  }
  return 0;
}
