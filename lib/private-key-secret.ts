// The OwnID private key's secret, and the IAM resource and region of any secret the function reads.
import { Arn, ArnFormat, Aws, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** The secret for the OwnID key, created empty in `scope` with id `PrivateKeySecret`, kept on stack deletion. */
export function createPrivateKeySecret(
  scope: Construct,
  kmsKeyArn: string | undefined,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'PrivateKeySecret', {
    description:
      'OwnID application private key (PEM from the OwnID console) that signs enrollment tokens. Created empty: fill it with put-secret-value.',
    encryptionKey: kmsKeyArn ? kms.Key.fromKeyArn(scope, 'PrivateKeySecretKmsKey', kmsKeyArn) : undefined,
    // OwnID lets you generate a key only once per app (a new one invalidates the old): keep it.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // Created without a value (no generated password that could be mistaken for a key): the function
  // fails with a key error (500, KeyFetchFailures alarm) until the PEM is stored.
  (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The OwnID signing key is generated and rotated in the OwnID console (Integration > Security), which has no API a rotation Lambda could call; rotation is put-secret-value, see the README runbook.',
  });
  return secret;
}

const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * The IAM resource for one secret. Secrets Manager appends `-` and 6 random characters to every secret
 * name, so a name or partial ARN needs exactly `-??????` (not `*`, which would also match `name-other`);
 * a complete ARN is used as is.
 */
export function secretPolicyArn(scope: Construct, secretId: string): string {
  if (Token.isUnresolved(secretId)) return secretId; // the stack's own secret: its Ref is the complete ARN
  if (secretId.startsWith('arn:')) {
    const name = Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '';
    return SECRET_SUFFIX.test(name) ? secretId : `${secretId}-??????`;
  }
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The region of a secret given by ARN; the stack's region for a name or the stack's own secret. */
export function secretRegion(secretId: string): string {
  if (!Token.isUnresolved(secretId) && secretId.startsWith('arn:')) {
    return Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME).region ?? Aws.REGION;
  }
  return Aws.REGION;
}
