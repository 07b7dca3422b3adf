// The settings table's rows of the deployment (contract/settings.ts composes the table): the API in front
// of the function, then edge protection, the custom domain, logs and alarms, events and sizing.
import { LOG_RETENTION_DAYS, type Setting, WAF_EVALUATION_WINDOWS } from './settings-kinds.ts';

/** The stack and the API: its name, origins, path and stage (first in the table). */
export const API_SETTINGS = {
  stackName: {
    cdk: 'context',
    kind: 'string',
    pattern: 'stackName',
    default: 'OwnIdEnrollmentToken',
    doc: 'CloudFormation stack name (also the REST API name, which keys its API Gateway metrics)',
  },
  allowedOrigins: {
    env: 'ALLOWED_ORIGINS',
    cdk: 'prop',
    kind: 'list',
    pattern: 'origin',
    unset: '(none: no CORS)',
    doc: 'exact browser origins allowed to call with credentials',
  },
  path: {
    cdk: 'prop',
    kind: 'string',
    pattern: 'resourcePath',
    default: '/generate-auth-token',
    doc: 'resource path of the token endpoint',
  },
  stageName: { cdk: 'prop', kind: 'string', pattern: 'stageName', default: 'prod', doc: 'API Gateway stage' },
} as const satisfies Record<string, Setting>;

/** Throttling, WAF, domain, logs, alarms, events and sizing (last in the table). */
export const DEPLOYMENT_SETTINGS = {
  throttlingRateLimit: {
    cdk: 'prop',
    kind: 'number',
    min: 0,
    max: 10_000,
    unit: 'requests per second',
    default: 50,
    doc: 'stage-wide steady-state rate limit, requests per second',
  },
  throttlingBurstLimit: {
    cdk: 'prop',
    kind: 'integer',
    min: 1,
    max: 5_000,
    default: 100,
    doc: 'stage-wide burst limit, requests',
  },
  wafRateLimit: {
    cdk: 'prop',
    kind: 'integer',
    min: 10,
    max: 2_000_000_000,
    hint: ' (AWS WAF rate-based rules start at 10)',
    unset: '(no WAF)',
    doc: 'requests per client IP per window before AWS WAF answers 429; setting it creates the web ACL',
  },
  wafEvaluationWindowSeconds: {
    cdk: 'prop',
    kind: 'enum',
    values: WAF_EVALUATION_WINDOWS,
    default: 300,
    doc: 'evaluation window of the WAF rate-based rule, in seconds',
  },

  domainName: { cdk: 'prop', kind: 'string', pattern: 'domainName', doc: 'custom domain for the API' },
  certificateArn: {
    cdk: 'prop',
    kind: 'string',
    pattern: 'acmCertificateArn',
    doc: 'ACM certificate for it in the stack region (required with `domainName`)',
  },
  hostedZoneId: { cdk: 'prop', kind: 'string', doc: 'Route 53 zone in which to create the alias A record' },
  hostedZoneName: {
    cdk: 'prop',
    kind: 'string',
    doc: "that zone's name (required with `hostedZoneId`)",
  },
  disableExecuteApiEndpoint: {
    cdk: 'prop',
    kind: 'boolean',
    default: false,
    doc: 'serve only on the custom domain (`EndpointUrl` is then the custom domain URL)',
  },

  logRetentionDays: {
    cdk: 'prop',
    kind: 'enum',
    values: LOG_RETENTION_DAYS,
    valuesRule: 'must be a CloudWatch Logs retention',
    default: 30,
    doc: 'retention of the function, access and execution log groups, in days',
  },
  alarmTopicArn: {
    cdk: 'prop',
    kind: 'string',
    pattern: 'snsTopicArn',
    doc: 'existing SNS topic for alarms',
  },
  alarmEmail: {
    cdk: 'prop',
    kind: 'string',
    pattern: 'email',
    doc: 'email subscribed to the alarm topic (a topic is created if `alarmTopicArn` is not set)',
  },
  latencyAlarmThresholdMs: {
    cdk: 'prop',
    kind: 'integer',
    min: 50,
    max: 29_000,
    default: 2000,
    doc: 'p99 API latency above which the latency alarm fires, in milliseconds',
  },
  enrollmentEvents: {
    env: 'ENROLLMENT_EVENTS',
    cdk: 'prop',
    kind: 'boolean',
    default: true,
    doc: 'an EventBridge `Passkey Enrolled` event on the default bus for every recorded `enrolled` outcome (docs/contract.md); false: none, and no events:PutEvents grant',
  },
  metricsNamespace: {
    env: 'METRICS_NAMESPACE',
    kind: 'string',
    default: 'OwnIdEnrollment/local',
    doc: 'CloudWatch namespace of the funnel metrics in the log lines (the stack sets `OwnIdEnrollment/<stack name>`)',
  },
  memorySize: {
    cdk: 'prop',
    kind: 'integer',
    min: 128,
    max: 10_240,
    default: 1024,
    doc: 'Lambda memory in MB (CPU scales with it; signing and the cold start are CPU bound)',
  },
  reservedConcurrentExecutions: {
    cdk: 'prop',
    kind: 'integer',
    min: 1,
    max: 10_000,
    hint: ' (0 would stop the function; omit it for unreserved)',
    unset: '(unreserved)',
    doc: 'reserved concurrency of the function (a hard cap; a new account has a quota of 10 and Lambda keeps 100 unreserved, see docs/deploy.md)',
  },
  provisionedConcurrentExecutions: {
    cdk: 'prop',
    kind: 'integer',
    min: 0,
    max: 10_000,
    default: 0,
    doc: 'instances kept initialized on a `live` alias the API invokes (no cold start; billed while deployed)',
  },
  tracing: {
    cdk: 'prop',
    kind: 'boolean',
    default: false,
    doc: 'X-Ray tracing on the stage and the function, which then deploys the traced bundle (subsegments per outbound call)',
  },
  apiGatewayCloudWatchRole: {
    cdk: 'prop',
    kind: 'boolean',
    default: false,
    doc: "create the account-wide API Gateway logging role and set it as the region's setting (once per account; see docs/deploy.md)",
  },
} as const satisfies Record<string, Setting>;
