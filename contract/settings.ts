// Every setting, once: the Lambda environment variable the function reads, the CDK context key (the
// EnrollmentTokenApi prop of the same name), the kind, the default, what is allowed and a one-line doc.
// functions/generate-auth-token/config.ts, lib/ (props validation, context keys, function environment) and
// the tables in docs/configuration.md (`npm run docs:settings`) are derived from it. Imports nothing but
// the contract's own patterns.
import type { PatternName } from './patterns.ts';

/** Claim profiles of the issued token (docs/contract.md): OwnID's default, or session creation. */
export const TOKEN_PROFILES = ['default', 'session-creation'] as const;
export type TokenProfile = (typeof TOKEN_PROFILES)[number];
export const isTokenProfile = (value: string): value is TokenProfile =>
  (TOKEN_PROFILES as readonly string[]).includes(value);

/** After `enrolled`: keep asking on the user's other devices, or stop asking everywhere. */
export const AFTER_ENROLLED = ['other-devices', 'stop'] as const;
export type AfterEnrolled = (typeof AFTER_ENROLLED)[number];
export const isAfterEnrolled = (value: string): value is AfterEnrolled =>
  (AFTER_ENROLLED as readonly string[]).includes(value);

/** Lifetime of an issued token in seconds; a session-creation grant lives no longer than the cap. */
export const TOKEN_TTL_SECONDS = { min: 10, max: 300, default: 60 } as const;

/** The windows AWS WAF accepts for a rate-based rule, in seconds. */
export const WAF_EVALUATION_WINDOWS = [60, 120, 300, 600] as const;

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What a value is: `url` and `enum` are strings (or integers, for an enum of numbers) with a rule. */
export type Kind = 'string' | 'list' | 'integer' | 'number' | 'boolean' | 'enum' | 'url';

export interface Setting {
  readonly kind: Kind;
  /** The Lambda environment variable the function reads. */
  readonly env?: string;
  /** `prop`: a CDK context key and the EnrollmentTokenApi prop of the same name; `context`: the app's only. */
  readonly cdk?: 'prop' | 'context';
  /** The value used when the setting is absent. */
  readonly default?: string | number | boolean;
  /** What happens when absent, where that is behaviour rather than a value (per table when they differ). */
  readonly unset?: string | { readonly env: string; readonly context: string };
  /** integer: inclusive bounds; number: above `min`, at most `max`. */
  readonly min?: number;
  readonly max?: number;
  /** number: what it counts, in its refusal. */
  readonly unit?: string;
  /** enum: the allowed values. */
  readonly values?: readonly (string | number)[];
  /** enum: the refusal's rule, when "must be one of" says too little. */
  readonly valuesRule?: string;
  /** url: the function also accepts http on loopback (local stand-ins); the stack always wants https. */
  readonly loopbackHttp?: true;
  /** string: the pattern of the value; list: of each item. */
  readonly pattern?: PatternName;
  /** string: an empty value is refused (omitting it gives the default). */
  readonly nonEmpty?: true;
  /** Appended to the stack's refusal: why the range is what it is. */
  readonly hint?: string;
  readonly doc: string;
}

export const SETTINGS = {
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

  cognitoUserPoolId: {
    env: 'SESSION_COGNITO_USER_POOL_ID',
    cdk: 'prop',
    kind: 'string',
    pattern: 'cognitoUserPoolId',
    doc: 'Cognito user pool whose ID tokens are sessions',
  },
  cognitoClientIds: {
    env: 'SESSION_COGNITO_CLIENT_IDS',
    cdk: 'prop',
    kind: 'list',
    doc: 'its app client ids (required with the pool)',
  },
  cognitoJwksEndpoint: {
    env: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
    kind: 'url',
    loopbackHttp: true,
    doc: 'base URL replacing `https://cognito-idp.<region>.amazonaws.com` for JWKS downloads (stand-ins)',
  },
  jwtIssuer: {
    env: 'SESSION_JWT_ISSUER',
    cdk: 'prop',
    kind: 'string',
    doc: 'issuer (`iss`) of another OIDC/JWT session provider (Auth0, Okta, Keycloak, your own)',
  },
  jwtJwksUrl: {
    env: 'SESSION_JWT_JWKS_URL',
    cdk: 'prop',
    kind: 'url',
    loopbackHttp: true,
    doc: "that issuer's JWKS URL (required with the issuer)",
  },
  jwtAudience: {
    env: 'SESSION_JWT_AUDIENCE',
    cdk: 'prop',
    kind: 'list',
    doc: 'audiences (`aud`) accepted from that issuer (required with the issuer)',
  },
  jwtEmailClaim: {
    env: 'SESSION_JWT_EMAIL_CLAIM',
    cdk: 'prop',
    kind: 'string',
    default: 'email',
    doc: "claim holding the email in that issuer's tokens",
  },
  jwtRequireEmailVerified: {
    env: 'SESSION_JWT_REQUIRE_EMAIL_VERIFIED',
    cdk: 'prop',
    kind: 'boolean',
    default: true,
    doc: 'refuse an issuer session unless it states `email_verified: true`; `false` only for an issuer whose emails are verified by construction (see docs/configuration.md)',
  },
  sessionCookieNames: {
    env: 'SESSION_COOKIE_NAMES',
    cdk: 'prop',
    kind: 'list',
    pattern: 'cookieName',
    doc: 'cookies that may carry the session JWT (needs Cognito or a JWT issuer)',
  },
  introspectionUrl: {
    env: 'SESSION_INTROSPECTION_URL',
    cdk: 'prop',
    kind: 'url',
    loopbackHttp: true,
    doc: "the site's session introspection endpoint (the function forwards the listed cookies)",
  },
  introspectionCookieNames: {
    env: 'SESSION_INTROSPECTION_COOKIES',
    cdk: 'prop',
    kind: 'list',
    pattern: 'cookieName',
    doc: 'cookies forwarded to it (required with the URL)',
  },
  introspectionSecret: {
    env: 'SESSION_INTROSPECTION_SECRET_ID',
    cdk: 'prop',
    kind: 'string',
    pattern: 'secretId',
    doc: 'secret holding a shared token sent to it as `X-OwnID-Enrollment-Token`',
  },
  introspectionSecretKmsKeyArn: {
    cdk: 'prop',
    kind: 'string',
    pattern: 'kmsKeyArn',
    doc: 'customer managed KMS key of that secret',
  },
  introspectionCacheSeconds: {
    env: 'SESSION_INTROSPECTION_CACHE_SECONDS',
    cdk: 'prop',
    kind: 'integer',
    min: 0,
    max: 60,
    default: 0,
    doc: 'seconds a positive answer is reused, keyed by a hash of the forwarded cookies (0: off)',
  },
  introspectionTimeoutMs: {
    env: 'SESSION_INTROSPECTION_TIMEOUT_MS',
    kind: 'integer',
    min: 100,
    max: 3000,
    default: 1500,
    doc: 'timeout of one call to the session endpoint, in milliseconds',
  },

  privateKeySecret: {
    env: 'OWNID_PRIVATE_KEY_SECRET_ID',
    cdk: 'prop',
    kind: 'string',
    pattern: 'secretId',
    unset: { env: 'required (or `OWNID_PRIVATE_KEY_FILE`)', context: '(created, empty)' },
    doc: 'secret whose value is the OwnID private key PEM, or JSON `{"privateKey": "<PEM>", "kid": "..."}`',
  },
  privateKeyFile: {
    env: 'OWNID_PRIVATE_KEY_FILE',
    kind: 'string',
    doc: 'local alternative to the secret: a PEM file (never used by the deployed stack)',
  },
  privateKeySecretKmsKeyArn: {
    cdk: 'prop',
    kind: 'string',
    pattern: 'kmsKeyArn',
    doc: 'customer managed KMS key of the key secret (the function decrypts through Secrets Manager only)',
  },
  keyCacheTtlSeconds: {
    env: 'KEY_CACHE_TTL_SECONDS',
    cdk: 'prop',
    kind: 'integer',
    min: 0,
    max: 86_400,
    default: 300,
    doc: 'seconds a fetched key is reused before the secret is read again (a rotation takes this long)',
  },

  tokenTtlSeconds: {
    env: 'TOKEN_TTL_SECONDS',
    cdk: 'prop',
    kind: 'integer',
    ...TOKEN_TTL_SECONDS,
    hint: ' (OwnID tokens are short-lived; 60 is the guide default)',
    doc: 'lifetime of the issued OwnID token, in seconds',
  },
  tokenIssuer: {
    env: 'TOKEN_ISSUER',
    cdk: 'prop',
    kind: 'string',
    nonEmpty: true,
    default: 'OwnID',
    unset: '`OwnID` (the site URL with `session-creation`)',
    doc: '`iss` of the issued token',
  },
  tokenAudience: {
    env: 'TOKEN_AUDIENCE',
    cdk: 'prop',
    kind: 'string',
    nonEmpty: true,
    default: 'OwnID',
    unset: '`OwnID` (the site URL with `session-creation`)',
    doc: '`aud` of the issued token',
  },
  tokenProfile: {
    env: 'TOKEN_PROFILE',
    cdk: 'prop',
    kind: 'enum',
    values: TOKEN_PROFILES,
    default: 'default',
    doc: 'claim profile of the issued token',
  },
  tokenSiteUrl: {
    env: 'TOKEN_SITE_URL',
    cdk: 'prop',
    kind: 'url',
    doc: 'URL of the site: `iss`, `aud` and the grant with `session-creation` (required with it)',
  },

  enrollmentStateTable: {
    env: 'ENROLLMENT_STATE_TABLE',
    kind: 'string',
    unset: '(no policy: the token route applies the rollout only, the outcome route verifies and logs)',
    doc: 'DynamoDB table of the prompt policy state (the stack creates it and sets this)',
  },
  policySnoozeDays: {
    env: 'POLICY_SNOOZE_DAYS',
    cdk: 'prop',
    kind: 'integer',
    min: 0,
    max: 365,
    default: 14,
    doc: 'after a `cancelled`, the token route skips that user (`snoozed`) for this many days',
  },
  policyMaxDeclines: {
    env: 'POLICY_MAX_DECLINES',
    cdk: 'prop',
    kind: 'integer',
    min: 1,
    max: 100,
    default: 3,
    doc: 'after this many `cancelled`, the user is skipped (`declined`) until an operator resets them',
  },
  policyRolloutPercent: {
    env: 'POLICY_ROLLOUT_PERCENT',
    cdk: 'prop',
    kind: 'integer',
    min: 0,
    max: 100,
    default: 100,
    doc: 'share of users asked at all, by a stable bucket of their keyed hash (applies without a table too)',
  },
  policyMaxTokensPerHour: {
    env: 'POLICY_MAX_TOKENS_PER_HOUR',
    cdk: 'prop',
    kind: 'integer',
    min: 1,
    max: 1000,
    default: 20,
    doc: 'token requests per user per hour; more are answered 429 with `Retry-After`',
  },
  policyMaxFailures: {
    env: 'POLICY_MAX_FAILURES',
    cdk: 'prop',
    kind: 'integer',
    min: 1,
    max: 100,
    default: 3,
    doc: 'this many `failed` in a row pause the user for one day (`failing`)',
  },
  policyAfterEnrolled: {
    env: 'POLICY_AFTER_ENROLLED',
    cdk: 'prop',
    kind: 'enum',
    values: AFTER_ENROLLED,
    default: 'other-devices',
    doc: 'after `enrolled`: keep asking on other devices (the enrolling device remembers itself), or `stop` asking everywhere (`enrolled`)',
  },
  policyStoreTimeoutMs: {
    env: 'POLICY_STORE_TIMEOUT_MS',
    cdk: 'prop',
    kind: 'integer',
    min: 50,
    max: 2000,
    default: 300,
    doc: 'deadline of one policy store operation, in milliseconds; slower fails open on the token route',
  },

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
    doc: 'X-Ray tracing on the stage and the function',
  },
  apiGatewayCloudWatchRole: {
    cdk: 'prop',
    kind: 'boolean',
    default: false,
    doc: "create the account-wide API Gateway logging role and set it as the region's setting (once per account; see docs/deploy.md)",
  },
} as const satisfies Record<string, Setting>;

type Table = typeof SETTINGS;
export type SettingId = keyof Table;
/** Every environment variable the function reads. */
export type EnvName = {
  [I in SettingId]: Table[I] extends { env: infer E extends string } ? E : never;
}[SettingId];
/** The environment variables of one kind. */
export type EnvNameOf<K extends Kind> = {
  [I in SettingId]: Table[I] extends { env: infer E extends string; kind: K } ? E : never;
}[SettingId];
/** Every CDK context key. */
export type ContextKey = { [I in SettingId]: Table[I] extends { cdk: string } ? I : never }[SettingId];
/** Every EnrollmentTokenApi prop. */
export type PropKey = { [I in SettingId]: Table[I] extends { cdk: 'prop' } ? I : never }[SettingId];
