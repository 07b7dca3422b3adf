// Where the key text comes from: Secrets Manager (the deployed stack) or a PEM file (local server).
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretMisconfiguredError, SecretUnavailableError } from './errors.ts';
import type { ReadSecret } from './signing-key.ts';

// Errors that retrying cannot fix: the configuration or the secret itself is wrong.
const MISCONFIGURATION_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidParameterException',
  'InvalidRequestException',
  'ValidationException',
]);

/** The region in a secret ARN (arn:aws:secretsmanager:<region>:...), or undefined for a name. */
export function secretArnRegion(secretId: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:/.exec(secretId)?.[1];
}

/** Hard bound on one secret read, retries included: well inside the 5 s Lambda timeout. */
export const SECRET_READ_BUDGET_MS = 3000;

export function secretsManagerSecret(client: SecretsManagerClient, secretId: string): ReadSecret {
  return async () => {
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
        abortSignal: AbortSignal.timeout(SECRET_READ_BUDGET_MS),
      }));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      if (MISCONFIGURATION_ERRORS.has(name)) {
        const hint =
          name === 'ResourceNotFoundException'
            ? ' (the secret or its value does not exist yet: store the OwnID key with put-secret-value)'
            : '';
        throw new SecretMisconfiguredError(`GetSecretValue failed with ${name}${hint}`);
      }
      throw new SecretUnavailableError(`GetSecretValue failed with ${name}`);
    }
    if (secretString === undefined || secretString.trim() === '') {
      throw new SecretMisconfiguredError(
        'the secret has no SecretString (store the PEM as text, not binary)',
      );
    }
    return secretString;
  };
}

export function pemFile(path: string): ReadSecret {
  return async () => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretMisconfiguredError(`OWNID_PRIVATE_KEY_FILE could not be read (${code})`);
    }
  };
}
