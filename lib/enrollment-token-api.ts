// The token endpoint as one construct: API Gateway (REST, regional) -> the Lambda bundle that
// `npm run build` makes, the OwnID key secret, the policy state table, edge protection, logs, metrics,
// alarms and a dashboard.
// The parts live in their own files; the stack outputs what a user needs (lib/enrollment-token-stack.ts).
import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { checkArnRegions } from './deploy-checks.ts';
import { EnrollmentApi, routePathProblems } from './enrollment-api-methods.ts';
import { addCustomDomain, addRateLimitWebAcl } from './enrollment-edge.ts';
import { EnrollmentFunction } from './enrollment-function.ts';
import { EnrollmentObservability } from './enrollment-observability.ts';
import { EnrollmentStateTable } from './enrollment-state.ts';
import { type EnrollmentTokenApiProps, PROP_DEFAULTS } from './enrollment-token-props.ts';
import {
  EnrollmentTokenApiPropsError,
  validateEnrollmentTokenApiProps,
} from './enrollment-token-props-validation.ts';
import { functionEnvironment } from './function-environment.ts';
import { createPrivateKeySecret } from './private-key-secret.ts';

export * from './enrollment-token-props.ts';
export * from './enrollment-token-props-validation.ts';

/** The table's defaults, and the one value that is not a setting. */
export const DEFAULTS = { ...PROP_DEFAULTS, timeoutSeconds: 5 } as const;

/**
 * `POST <path>` on a regional REST API, backed by the shared Lambda bundle, which verifies the caller's
 * session and returns `{email, token}` signed with the OwnID private key kept in Secrets Manager, or
 * skips the prompt as the policy says; `POST <outcome path>` beside it records how the prompt ended.
 */
export class EnrollmentTokenApi extends Construct {
  readonly api: EnrollmentApi;
  readonly function: EnrollmentFunction;
  /** The alias the API invokes when provisioned concurrency is on. */
  readonly liveAlias: lambda.Alias | undefined;
  readonly functionLogGroup: logs.LogGroup;
  readonly accessLogGroup: logs.LogGroup;
  /** The secret the stack created, when `privateKeySecret` was not given. */
  readonly privateKeySecret: secretsmanager.Secret | undefined;
  /** What the function reads: the created secret's ARN, or the given name/ARN. */
  readonly privateKeySecretId: string;
  /** The URL to call: execute-api, or the custom domain URL when the execute-api endpoint is disabled. */
  readonly endpointUrl: string;
  /** Where the snippet reports outcomes: the token URL with its last segment `enrollment-outcome`. */
  readonly outcomeUrl: string;
  /** The prompt policy's state (DynamoDB), kept when the stack is deleted. */
  readonly stateTable: EnrollmentStateTable;
  /** The custom domain, when `domainName` is configured. */
  readonly customDomain: apigw.DomainName | undefined;
  /** `https://<domainName><path>` when a custom domain is configured. */
  readonly customDomainUrl: string | undefined;
  /** True when the custom domain has no hosted zone here: its DNS record is the user's to create. */
  readonly customDomainNeedsDnsRecord: boolean;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly alarmTopic: sns.ITopic | undefined;
  /** The alarm topic this construct created (for `alarmEmail`), if any. */
  readonly createdAlarmTopic: sns.Topic | undefined;
  readonly dashboard: cloudwatch.Dashboard;
  readonly webAcl: wafv2.CfnWebACL | undefined;
  readonly metricNamespace: string;
  /** What is left to configure, one sentence each (the stack's ConfigurationNote output). */
  readonly configurationNotes: readonly string[];

  constructor(scope: Construct, id: string, props: EnrollmentTokenApiProps = {}) {
    super(scope, id);
    const path = props.path ?? DEFAULTS.path;
    const problems = [...validateEnrollmentTokenApiProps(props), ...routePathProblems(path)];
    if (problems.length > 0) throw new EnrollmentTokenApiPropsError(problems);
    const allowedOrigins = [...new Set(props.allowedOrigins ?? [])];
    const logRetention = (props.logRetentionDays ?? DEFAULTS.logRetentionDays) as logs.RetentionDays;
    this.metricNamespace = `OwnIdEnrollment/${Stack.of(this).stackName}`;
    checkArnRegions(this, props);

    this.privateKeySecret =
      props.privateKeySecret === undefined
        ? createPrivateKeySecret(this, props.privateKeySecretKmsKeyArn)
        : undefined;
    this.privateKeySecretId = this.privateKeySecret?.secretArn ?? props.privateKeySecret ?? '';

    this.function = new EnrollmentFunction(this, 'Function', {
      environment: functionEnvironment(props, allowedOrigins),
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      // The function's own dependency timeouts are ~2-3 s; API Gateway gives up at 29 s.
      timeout: Duration.seconds(DEFAULTS.timeoutSeconds),
      logRetention,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: props.tracing,
    });
    this.functionLogGroup = this.function.functionLogGroup;
    this.function.bindPrivateKeySecret(this.privateKeySecretId, props.privateKeySecretKmsKeyArn);
    this.function.bindEnrollmentFunnel(
      this.metricNamespace,
      props.enrollmentEvents ?? DEFAULTS.enrollmentEvents,
    );
    if (props.introspectionSecret !== undefined) {
      this.function.bindIntrospectionSecret(props.introspectionSecret, props.introspectionSecretKmsKeyArn);
    }

    this.stateTable = new EnrollmentStateTable(this, 'StateTable');
    this.function.bindStateTable(this.stateTable);

    const provisioned = props.provisionedConcurrentExecutions ?? 0;
    this.liveAlias = provisioned > 0 ? this.function.addProvisionedAlias(provisioned) : undefined;

    this.api = new EnrollmentApi(this, 'Api', {
      handler: this.liveAlias ?? this.function,
      path,
      stageName: props.stageName ?? DEFAULTS.stageName,
      allowedOrigins,
      throttlingRateLimit: props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit,
      logRetention,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
      // Off unless asked: the account's logging role is one region-wide setting (see whatIsLeftToConfigure).
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? false,
      tracing: props.tracing ?? false,
    });
    this.accessLogGroup = this.api.accessLogGroup;

    this.webAcl =
      props.wafRateLimit === undefined
        ? undefined
        : addRateLimitWebAcl(
            this,
            this.api.deploymentStage,
            props.wafRateLimit,
            props.wafEvaluationWindowSeconds ?? DEFAULTS.wafEvaluationWindowSeconds,
          );
    if (this.webAcl === undefined) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is opt-in (wafRateLimit) because a web ACL costs at least $6/month; without it the stage throttling (throttlingRateLimit/BurstLimit) bounds abuse, and the endpoint issues nothing without a verified session.',
      });
    }
    const custom =
      props.domainName !== undefined && props.certificateArn !== undefined
        ? addCustomDomain(this, this.api, {
            ...props,
            domainName: props.domainName,
            certificateArn: props.certificateArn,
          })
        : undefined;
    this.customDomain = custom?.domain;
    this.customDomainNeedsDnsRecord = custom?.needsDnsRecord ?? false;
    this.customDomainUrl = custom === undefined ? undefined : `https://${props.domainName}${path}`;
    // Validation guarantees a custom domain whenever the execute-api endpoint is disabled.
    const urlFor = (routePath: string) =>
      props.disableExecuteApiEndpoint && custom !== undefined
        ? `https://${props.domainName}${routePath}`
        : this.api.urlForPath(routePath);
    this.endpointUrl = urlFor(path);
    this.outcomeUrl = urlFor(this.api.outcomePath);

    // 'Default' is left out of logical ids: the observability resources keep the ids they had when they
    // were created directly in this construct.
    const observability = new EnrollmentObservability(this, 'Default', {
      function: this.function,
      functionLogGroup: this.functionLogGroup,
      accessLogGroup: this.accessLogGroup,
      stage: this.api.deploymentStage,
      postMethod: this.api.postMethod,
      metricNamespace: this.metricNamespace,
      latencyAlarmThresholdMs: props.latencyAlarmThresholdMs ?? DEFAULTS.latencyAlarmThresholdMs,
      webAcl: this.webAcl,
      alarmTopicArn: props.alarmTopicArn,
      alarmEmail: props.alarmEmail,
    });
    this.alarms = observability.alarms;
    this.alarmTopic = observability.alarmTopic;
    this.createdAlarmTopic = observability.createdAlarmTopic;
    this.dashboard = observability.dashboard;
    this.configurationNotes = this.whatIsLeftToConfigure(props, allowedOrigins);
  }

  private whatIsLeftToConfigure(props: EnrollmentTokenApiProps, allowedOrigins: readonly string[]): string[] {
    const notes: string[] = [];
    const hasSessionSource =
      props.cognitoUserPoolId !== undefined ||
      props.jwtIssuer !== undefined ||
      props.introspectionUrl !== undefined;
    if (!hasSessionSource) {
      notes.push(
        'NO SESSION SOURCE: the function fails its cold start (502) until you deploy with -c cognitoUserPoolId=... -c cognitoClientIds=..., or -c jwtIssuer=... -c jwtJwksUrl=... -c jwtAudience=..., or -c introspectionUrl=... -c introspectionCookieNames=...',
      );
      Annotations.of(this).addWarningV2(
        'ownid:noSessionSource',
        'No session source is configured (cognitoUserPoolId, jwtIssuer or introspectionUrl): the stack synthesizes, but the function refuses to start until one is set. See the ConfigurationNote output.',
      );
    }
    if (allowedOrigins.length === 0) {
      notes.push(
        'No allowedOrigins: no CORS, so only same-origin callers (custom domain on the site) can use the endpoint; set -c allowedOrigins=https://app.example.com for a browser on another origin.',
      );
    }
    if (this.privateKeySecret !== undefined) {
      notes.push(
        'Store the OwnID private key with the PutPrivateKeyCommand output (until then the endpoint answers 500 and the KeyFetchFailures alarm fires).',
      );
    }
    if (!(props.apiGatewayCloudWatchRole ?? false)) {
      notes.push(
        "API Gateway logs need the account's CloudWatch Logs role, set once per account and region: check with aws apigateway get-account --query cloudwatchRoleArn; if empty, deploy once with -c apiGatewayCloudWatchRole=true (or set it with aws apigateway update-account).",
      );
    }
    if (this.alarmTopic === undefined) {
      const names = this.alarms.map((alarm) => alarm.node.id).join(', ');
      notes.push(
        `Alarms with no action (${names}): set -c alarmEmail=... or -c alarmTopicArn=... to be notified.`,
      );
    } else if (props.alarmEmail !== undefined) {
      notes.push(
        'Confirm the SNS subscription e-mail sent to the alarmEmail address: alarms reach nobody until it is confirmed.',
      );
    }
    return notes;
  }
}
