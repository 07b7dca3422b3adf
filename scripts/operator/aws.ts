// Where the stack's key secret is, and the SDK clients that reach it. The operator's own credential
// chain applies (profiles, SSO, env): these tools run unbundled, outside the Lambda's env-only build.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretArnRegion } from '../../functions/generate-auth-token/operator-api.ts';
import { OperatorError, type OperatorIo } from './io.ts';

/** The stack name bin/app.ts uses without `-c stackName=...`. */
export const DEFAULT_STACK_NAME = 'OwnIdEnrollmentToken';
/** The file `npx cdk deploy --outputs-file cdk-outputs.json` writes. */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';
const SECRET_OUTPUT = 'PrivateKeySecretId';

const CLIENT_SETTINGS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 3000, requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const;

export interface SecretLookup {
  readonly secretId?: string | undefined;
  readonly stack?: string | undefined;
  readonly outputsFile?: string | undefined;
}

export interface LocatedSecret {
  readonly secretId: string;
  /** Where the id came from, for the operator to see. */
  readonly source: string;
}

/** --secret-id, then OWNID_PRIVATE_KEY_SECRET_ID, then cdk-outputs.json, then the stack's outputs. */
export async function locateKeySecret(lookup: SecretLookup, io: OperatorIo): Promise<LocatedSecret> {
  if (lookup.secretId !== undefined) return { secretId: lookup.secretId, source: '--secret-id' };
  const fromEnv = io.env.OWNID_PRIVATE_KEY_SECRET_ID?.trim();
  if (fromEnv) return { secretId: fromEnv, source: 'OWNID_PRIVATE_KEY_SECRET_ID' };

  const { value, source } = await stackOutput(SECRET_OUTPUT, '--secret-id <id>', lookup, io);
  return { secretId: value, source };
}

/**
 * One output of the deployed stack: from cdk-outputs.json when present (or named), else from
 * CloudFormation. `flag` is the option that bypasses the lookup, for the operator's next step.
 */
export async function stackOutput(
  outputKey: string,
  flag: string,
  lookup: Pick<SecretLookup, 'stack' | 'outputsFile'>,
  io: OperatorIo,
): Promise<{ readonly value: string; readonly source: string }> {
  const outputsPath = resolve(io.cwd, lookup.outputsFile ?? DEFAULT_OUTPUTS_FILE);
  if (lookup.outputsFile !== undefined || existsSync(outputsPath)) {
    return { value: outputFromFile(outputsPath, outputKey, flag, lookup.stack), source: outputsPath };
  }

  const stack = lookup.stack ?? DEFAULT_STACK_NAME;
  const client = new CloudFormationClient(CLIENT_SETTINGS);
  let outputs: { OutputKey?: string | undefined; OutputValue?: string | undefined }[] = [];
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) {
      throw new OperatorError(
        `stack "${stack}" was not found in ${await regionOf(client)}: pass ${flag} (the ${outputKey} output), --stack <name>, or set AWS_REGION`,
      );
    }
    throw awsFailure('CloudFormation DescribeStacks', error);
  } finally {
    client.destroy();
  }
  const value = outputs.find((output) => output.OutputKey === outputKey)?.OutputValue;
  if (value === undefined) {
    throw new OperatorError(
      `stack "${stack}" has no ${outputKey} output: is it this project's stack? Pass ${flag}`,
    );
  }
  return { value, source: `stack ${stack}` };
}

function outputFromFile(path: string, outputKey: string, flag: string, stack: string | undefined): string {
  let outputs: unknown;
  try {
    outputs = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new OperatorError(`cannot read the stack outputs in ${path} (missing or not JSON)`);
  }
  const stacks = Object.entries(typeof outputs === 'object' && outputs !== null ? outputs : {}).filter(
    ([, values]) => typeof values === 'object' && values !== null && typeof values[outputKey] === 'string',
  ) as [string, Record<string, string>][];
  const chosen =
    stack !== undefined
      ? stacks.find(([name]) => name === stack)
      : stacks.length === 1
        ? stacks[0]
        : stacks.find(([name]) => name === DEFAULT_STACK_NAME);
  if (chosen === undefined) {
    const names = stacks.map(([name]) => name).join(', ') || 'none';
    throw new OperatorError(
      `${path} has no ${outputKey} output${stack === undefined ? '' : ` for stack "${stack}"`} (stacks with one: ${names}); pass --stack <name> or ${flag}`,
    );
  }
  return chosen[1][outputKey] as string;
}

/** A client for the secret's own region when the id is an ARN (Secrets Manager answers only there). */
export function secretsManagerFor(secretId: string): SecretsManagerClient {
  const region = secretArnRegion(secretId);
  return new SecretsManagerClient({ ...CLIENT_SETTINGS, ...(region === undefined ? {} : { region }) });
}

export async function regionOf(client: { config: { region: () => Promise<string> } }): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return 'no region';
  }
}

/** SDK failures in words an operator can act on; AWS error messages never carry secret values. */
export function awsFailure(operation: string, error: unknown): OperatorError {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new OperatorError(
      `${operation}: no usable AWS credentials (run aws configure or aws sso login, or set AWS_PROFILE)`,
    );
  }
  if (/region is missing/i.test(message)) {
    return new OperatorError(`${operation}: no AWS region (set AWS_REGION, or pass the secret's full ARN)`);
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new OperatorError(`${operation}: access denied: ${message}`);
  }
  return new OperatorError(`${operation} failed: ${name}: ${message}`);
}
