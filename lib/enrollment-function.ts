// The Lambda function with its own role and log group (the Powertools examples' FunctionWithLogGroup
// shape): each bind call (`bindPrivateKeySecret()`, `bindStateTable()`) grants and sets its variable in one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, Arn, type Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { buildLambdaSync } from '../scripts/esbuild-config.ts';
import { STATE_TABLE_FUNCTION_ACTIONS } from './enrollment-state.ts';
import { secretPolicyArn, secretRegion } from './private-key-secret.ts';

/** Build outputs beside index.mjs that are for debugging, not for Lambda. */
export const LAMBDA_ASSET_EXCLUDES = ['*.map', 'meta.json'] as const;

// In the npm package the compiled construct (dist/lib/index.js) sits beside the prebuilt bundles
// (dist/functions/generate-auth-token[-traced]/index.mjs); from the sources those folders hold no index.mjs.
const prebuiltLambdaDir = (traced: boolean) =>
  fileURLToPath(new URL(`../functions/generate-auth-token${traced ? '-traced' : ''}/`, import.meta.url));

/**
 * The prebuilt bundle when present (no esbuild in a consumer's app), else a fresh `npm run build --lambda`.
 * With tracing, the traced bundle: X-Ray's SDK costs cold start, so only a traced function carries it.
 */
function lambdaAssetDir(traced: boolean): string {
  const prebuilt = prebuiltLambdaDir(traced);
  return existsSync(`${prebuilt}index.mjs`) ? prebuilt : buildLambdaSync({ traced });
}

/** Above this, a synth warning: a reservation this size fails on accounts with the starting quota. */
const RESERVED_CONCURRENCY_WARNING_ABOVE = 10;

export interface EnrollmentFunctionProps {
  /** The function's settings, secret ids excepted (the bind calls set those). */
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** X-Ray active tracing. @default false */
  readonly tracing?: boolean;
}

/**
 * The bundle `npm run build` makes, on Node.js 24 arm64 with JSON logs. Its role and log group are
 * created beside it in `scope` (ids `FunctionRole`, `FunctionLogs`), so their logical ids do not depend
 * on this class.
 */
export class EnrollmentFunction extends lambda.Function {
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EnrollmentFunctionProps) {
    const logGroup = new logs.LogGroup(scope, 'FunctionLogs', { retention: props.logRetention });
    // Its own role with inline statements only: write to its log group, read the one or two secrets,
    // read and write the policy state table.
    const role = new iam.Role(scope, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'generate-auth-token: writes its log group, reads the OwnID key secret, keeps policy state',
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      description: 'OwnID passkey enrollment: verifies the session and returns {email, token}',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      // Exactly the bundle `npm run build` makes (scripts/esbuild-config.ts): no second build config.
      // The bundle alone: the source map and esbuild's metafile stay in dist/ for debugging.
      code: lambda.Code.fromAsset(lambdaAssetDir(props.tracing ?? false), {
        exclude: [...LAMBDA_ASSET_EXCLUDES],
      }),
      handler: 'index.handler',
      memorySize: props.memorySize,
      timeout: props.timeout,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      // INFO keeps the platform START and REPORT lines (Init Duration, Max Memory Used, Billed Duration).
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: props.environment,
    });
    this.functionLogGroup = logGroup;
    const reserved = props.reservedConcurrentExecutions;
    if (reserved !== undefined && reserved > RESERVED_CONCURRENCY_WARNING_ABOVE) {
      Annotations.of(this).addWarningV2(
        'ownid:reservedConcurrency',
        `reservedConcurrentExecutions=${reserved}: Lambda keeps 100 of the account's concurrency unreserved, so the deploy fails unless the account's concurrency quota is at least ${reserved + 100} (new accounts start at 10; check with aws lambda get-account-settings).`,
      );
    }
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (tracing prop on).',
      });
    }
  }

  /**
   * A `live` alias on the current version with `instances` kept initialized (no cold start for those),
   * for the API to invoke instead of $LATEST.
   */
  addProvisionedAlias(instances: number): lambda.Alias {
    return new lambda.Alias(this, 'LiveAlias', {
      aliasName: 'live',
      version: this.currentVersion,
      provisionedConcurrentExecutions: instances,
    });
  }

  /** Reads the OwnID private key from this secret (name or ARN): grants it and sets OWNID_PRIVATE_KEY_SECRET_ID. */
  bindPrivateKeySecret(secretId: string, kmsKeyArn?: string): void {
    this.grantSecretRead(secretId, kmsKeyArn);
    this.addEnvironment('OWNID_PRIVATE_KEY_SECRET_ID', secretId);
  }

  /** Sends this secret's value to the introspection endpoint: grants it and sets SESSION_INTROSPECTION_SECRET_ID. */
  bindIntrospectionSecret(secretId: string, kmsKeyArn?: string): void {
    this.grantSecretRead(secretId, kmsKeyArn);
    this.addEnvironment('SESSION_INTROSPECTION_SECRET_ID', secretId);
  }

  /**
   * Keeps the prompt policy's state in this table: the item calls it makes on this table alone (no
   * Scan, Query, DeleteItem or index), and ENROLLMENT_STATE_TABLE set to its name.
   */
  bindStateTable(table: dynamodb.ITable): void {
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...STATE_TABLE_FUNCTION_ACTIONS], resources: [table.tableArn] }),
    );
    this.addEnvironment('ENROLLMENT_STATE_TABLE', table.tableName);
  }

  /**
   * The funnel's outputs: METRICS_NAMESPACE for the metric lines, and, when `enrollmentEvents` is on,
   * events:PutEvents on this account's default bus only (the function names no other bus).
   */
  bindEnrollmentFunnel(metricsNamespace: string, enrollmentEvents: boolean): void {
    this.addEnvironment('METRICS_NAMESPACE', metricsNamespace);
    if (!enrollmentEvents) return;
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [
          Arn.format({ service: 'events', resource: 'event-bus', resourceName: 'default' }, Stack.of(this)),
        ],
      }),
    );
  }

  /** GetSecretValue on exactly one secret (DescribeSecret is not needed), plus kms:Decrypt via Secrets Manager. */
  private grantSecretRead(secretId: string, kmsKeyArn: string | undefined): void {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretPolicyArn(this, secretId)],
      }),
    );
    if (kmsKeyArn !== undefined) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [kmsKeyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${secretRegion(secretId)}.amazonaws.com` },
          },
        }),
      );
    }
  }
}
