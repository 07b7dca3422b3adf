// The deployed key, read the way the function reads it (GetSecretValue on the stack's secret) and
// examined with the function's checks. Shared by key:check and smoke.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PrivateKeyFormatError } from '../../functions/generate-auth-token/operator-api.ts';
import { awsFailure, locateKeySecret, regionOf, type SecretLookup, secretsManagerFor } from './aws.ts';
import { OperatorError, type OperatorIo } from './io.ts';
import { examineKeyText, type KeyReport } from './key-report.ts';

export interface DeployedKey {
  readonly report: KeyReport;
  /** "read <arn> (from <source>), version <id>, stored <date>" */
  readonly readLine: string;
}

export async function readDeployedKey(lookup: SecretLookup, io: OperatorIo): Promise<DeployedKey> {
  const { secretId, source } = await locateKeySecret(lookup, io);
  const client = secretsManagerFor(secretId);
  let secret: {
    SecretString?: string | undefined;
    ARN?: string | undefined;
    VersionId?: string | undefined;
    CreatedDate?: Date | undefined;
  };
  try {
    secret = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      throw new OperatorError(
        `secret ${secretId} (from ${source}) has no value yet, or does not exist in ${await regionOf(client)}: store the key with npm run key:put -- --file <pem>`,
      );
    }
    throw awsFailure('Secrets Manager GetSecretValue', error);
  } finally {
    client.destroy();
  }
  const stored = secret.CreatedDate === undefined ? '' : `, stored ${secret.CreatedDate.toISOString()}`;
  const readLine = `read ${secret.ARN ?? secretId} (from ${source}), version ${secret.VersionId ?? '?'}${stored}`;
  if (secret.SecretString === undefined || secret.SecretString.trim() === '') {
    throw new OperatorError(
      `${readLine}, but it holds no text (binary or empty): store the PEM with npm run key:put -- --file <pem>`,
    );
  }
  try {
    return { report: await examineKeyText(secret.SecretString), readLine };
  } catch (error) {
    if (error instanceof PrivateKeyFormatError) {
      throw new OperatorError(
        `${readLine}, but it is not usable, so the endpoint answers 500 (key_invalid): ${error.message}. Fix it with npm run key:put -- --file <pem>`,
      );
    }
    throw error;
  }
}
