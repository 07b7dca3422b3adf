// npm run key:put -- --file <pem> [--secret-id <id>] [--kid <kid>] [--dry-run]: checks the OwnID
// console's key with the function's own rules, repairs paste damage, stores it, and shows the public
// half to compare with the console. The private key is never printed.
import { writeFileSync } from 'node:fs';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PrivateKeyFormatError } from '../../functions/generate-auth-token/operator-api.ts';
import { awsFailure, locateKeySecret, regionOf, secretsManagerFor } from './aws.ts';
import { OperatorError, type OperatorIo, readTextInput, UsageError } from './io.ts';
import { describeKey, examineKeyText, publicKeyLines } from './key-report.ts';
import { DEPLOYED_SECRET_OPTIONS, deployedSecretLookup, parseOptions } from './options.ts';

export const KEY_PUT_USAGE = `npm run key:put -- --file <pem> [--secret-id <id>] [--stack <name>] [--outputs-file <path>] [--kid <kid>] [--dry-run] [--public-key-out <file>]
  Reads the OwnID private key (PEM) from --file, or stdin when --file is omitted or "-".`;

const KID = /^[\x21-\x7e]{1,256}$/;

export async function keyPut(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values } = parseOptions(args, {
    file: { type: 'string' },
    ...DEPLOYED_SECRET_OPTIONS,
    kid: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'public-key-out': { type: 'string' },
  });
  if (values.kid !== undefined && !KID.test(values.kid)) {
    throw new UsageError('--kid must be 1 to 256 printable characters without spaces');
  }

  const text = await readTextInput(values.file, io, 'the key');
  if (text.trim() === '') {
    throw new OperatorError(
      `no key given: ${values.file ?? 'stdin'} is empty (pass --file <pem>, or pipe the PEM in)`,
    );
  }
  let report: Awaited<ReturnType<typeof examineKeyText>>;
  try {
    report = await examineKeyText(text);
  } catch (error) {
    if (error instanceof PrivateKeyFormatError) {
      throw new OperatorError(`not the OwnID RSA private key, nothing stored: ${error.message}`);
    }
    throw error;
  }
  io.out(`✓ ${describeKey(report)}`);
  for (const repair of report.repairs) io.out(`✓ repaired: ${repair}`);

  const kid = values.kid ?? report.key.kid;
  const secretString = kid === undefined ? report.pem : JSON.stringify({ privateKey: report.pem, kid });

  if (values['dry-run']) {
    io.out(
      `✓ dry run: checked only, nothing stored${kid === undefined ? '' : ` (would store kid "${kid}")`}`,
    );
  } else {
    const { secretId, source } = await locateKeySecret(deployedSecretLookup(values), io);
    const client = secretsManagerFor(secretId);
    try {
      const stored = await client.send(
        new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString }),
      );
      io.out(
        `✓ stored in ${stored.ARN ?? secretId} (from ${source}), version ${stored.VersionId ?? '?'}${kid === undefined ? '' : `, kid "${kid}"`}`,
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new OperatorError(
          `secret ${secretId} (from ${source}) does not exist in ${await regionOf(client)}: check the stack's PrivateKeySecretId output and AWS_REGION`,
        );
      }
      throw awsFailure('Secrets Manager PutSecretValue', error);
    } finally {
      client.destroy();
    }
  }

  for (const line of publicKeyLines(report)) io.out(line);
  if (values['public-key-out'] !== undefined) {
    writeFileSync(values['public-key-out'], report.publicKeyPem);
    io.out(`✓ public key written to ${values['public-key-out']}`);
  }
  if (!values['dry-run']) {
    io.out(
      'Next: npm run key:check (the function re-reads the secret within KEY_CACHE_TTL_SECONDS, 300 s by default)',
    );
  }
  return 0;
}
