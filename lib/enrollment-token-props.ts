// The props of EnrollmentTokenApi, each documented with its default. Their validation, from the rows of
// the settings table (contract/settings.ts), is in enrollment-token-props-validation.ts.
import type { AfterEnrolled, TokenProfile } from '../contract/settings.ts';

export { ORIGIN_PATTERN } from '../contract/patterns.ts';
export {
  type AfterEnrolled,
  LOG_RETENTION_DAYS,
  type TokenProfile,
  WAF_EVALUATION_WINDOWS,
} from '../contract/settings.ts';
export { PROP_DEFAULTS } from '../contract/settings-derived.ts';

export interface EnrollmentTokenApiProps {
  /**
   * Exact browser origins (`scheme://host[:port]`, lowercase, no path, no `*`) allowed to call the
   * endpoint with credentials. Each gets an exact-origin CORS answer; any other origin gets none.
   * @default - none: no CORS headers and no OPTIONS method (same-origin callers only)
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Resource path of the token endpoint.
   * @default '/generate-auth-token'
   */
  readonly path?: string;
  /**
   * API Gateway stage name (part of the execute-api URL).
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Cognito user pool whose ID tokens are accepted as sessions (e.g. `eu-west-1_AbC123`).
   * @default - no Cognito session source
   */
  readonly cognitoUserPoolId?: string;
  /**
   * App client ids of `cognitoUserPoolId` whose ID tokens are accepted. Required with the pool.
   * @default - none
   */
  readonly cognitoClientIds?: readonly string[];
  /**
   * Issuer (`iss`) of another OIDC/JWT session provider (Auth0, Okta, Keycloak, the app's own).
   * @default - no JWT issuer session source
   */
  readonly jwtIssuer?: string;
  /**
   * https URL of that issuer's JWKS. Required with `jwtIssuer`.
   * @default - none
   */
  readonly jwtJwksUrl?: string;
  /**
   * Audiences (`aud`) accepted from that issuer. Required with `jwtIssuer`.
   * @default - none
   */
  readonly jwtAudience?: readonly string[];
  /**
   * Claim holding the email in that issuer's tokens.
   * @default - the function's default, `email`
   */
  readonly jwtEmailClaim?: string;
  /**
   * Refuse a session from `jwtIssuer` unless it states `email_verified: true`. Set `false` only for an
   * issuer whose emails are verified by construction: with `false`, an issuer that lets users set or
   * edit their email unverified (the "nOAuth" class of account takeover) lets anyone enroll a passkey
   * for someone else's email. A stated `email_verified` other than `true` is refused either way.
   * @default true
   */
  readonly jwtRequireEmailVerified?: boolean;
  /**
   * Cookie names that may carry the session JWT (Cognito's Amplify cookies are recognised without listing).
   * @default - none: session JWTs come from `Authorization: Bearer` (and Amplify cookies with Cognito)
   */
  readonly sessionCookieNames?: readonly string[];

  /**
   * https URL of the application's session introspection endpoint (the function forwards the listed
   * cookies and reads the email from the answer).
   * @default - no introspection session source
   */
  readonly introspectionUrl?: string;
  /**
   * Cookie names forwarded to `introspectionUrl`. Required with it.
   * @default - none
   */
  readonly introspectionCookieNames?: readonly string[];
  /**
   * Existing Secrets Manager secret (name, or complete ARN with its 6-character suffix) holding a shared
   * token the function sends to `introspectionUrl`. The function gets `GetSecretValue` on it.
   * @default - no shared token
   */
  readonly introspectionSecret?: string;
  /**
   * Customer managed KMS key ARN encrypting `introspectionSecret`; the function gets `kms:Decrypt` on it
   * through Secrets Manager only.
   * @default - the secret uses the AWS managed key (no KMS grant needed)
   */
  readonly introspectionSecretKmsKeyArn?: string;
  /**
   * Seconds an introspection answer is reused (0..60).
   * @default 0 (off)
   */
  readonly introspectionCacheSeconds?: number;

  /**
   * Existing secret (name, or complete ARN with its 6-character suffix) whose SecretString is the OwnID
   * private key PEM, or JSON `{"privateKey": "<PEM>", "kid": "..."}`.
   * @default - the stack creates an empty secret; fill it with the `PutPrivateKeyCommand` output
   */
  readonly privateKeySecret?: string;
  /**
   * Customer managed KMS key ARN for the private key secret: the created secret is encrypted with it,
   * and the function gets `kms:Decrypt` on it through Secrets Manager only.
   * @default - the AWS managed key `aws/secretsmanager`
   */
  readonly privateKeySecretKmsKeyArn?: string;
  /**
   * Seconds a fetched key is reused before the secret is read again (0..86400); a rotated key takes
   * effect within this time.
   * @default 300
   */
  readonly keyCacheTtlSeconds?: number;

  /**
   * Lifetime of the issued OwnID token in seconds (10..300).
   * @default 60
   */
  readonly tokenTtlSeconds?: number;
  /**
   * `iss` of the issued token.
   * @default - `OwnID` (profile `default`) or `tokenSiteUrl` (profile `session-creation`)
   */
  readonly tokenIssuer?: string;
  /**
   * `aud` of the issued token.
   * @default - `OwnID` (profile `default`) or `tokenSiteUrl` (profile `session-creation`)
   */
  readonly tokenAudience?: string;
  /**
   * Claim profile of the issued token.
   * @default 'default'
   */
  readonly tokenProfile?: TokenProfile;
  /**
   * https URL of the site, required with `tokenProfile: 'session-creation'`.
   * @default - none
   */
  readonly tokenSiteUrl?: string;

  /**
   * Days the token route skips a user (`snoozed`) after they cancelled the prompt (0..365; 0: no snooze).
   * @default 14
   */
  readonly policySnoozeDays?: number;
  /**
   * Cancels after which a user is no longer asked (`declined`) until an operator resets them (1..100).
   * @default 3
   */
  readonly policyMaxDeclines?: number;
  /**
   * Percentage of users asked at all (0..100), by a stable bucket of their keyed hash: raising it only
   * adds users, lowering it only removes them.
   * @default 100
   */
  readonly policyRolloutPercent?: number;
  /**
   * Token requests per user per hour (1..1000); more are answered 429 with `Retry-After`.
   * @default 20
   */
  readonly policyMaxTokensPerHour?: number;
  /**
   * `failed` outcomes in a row (1..100) after which the user is not asked for one day (`failing`).
   * @default 3
   */
  readonly policyMaxFailures?: number;
  /**
   * After `enrolled`: `other-devices` keeps asking on the user's other devices (the enrolling device
   * remembers itself), `stop` stops asking everywhere (`enrolled`).
   * @default 'other-devices'
   */
  readonly policyAfterEnrolled?: AfterEnrolled;
  /**
   * Deadline of one call to the policy state table, in milliseconds (50..2000); a slower store fails
   * open on the token route (the token is issued) and answers 503 on the outcome route.
   * @default 300
   */
  readonly policyStoreTimeoutMs?: number;

  /**
   * Stage-wide steady-state request rate limit (requests per second).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Stage-wide burst limit (requests).
   * @default 100
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Requests per client IP per `wafEvaluationWindowSeconds` before AWS WAF answers 429 (minimum 10).
   * Setting it creates a regional web ACL with one rate-based rule on the stage.
   * @default - no web ACL
   */
  readonly wafRateLimit?: number;
  /**
   * Evaluation window of the WAF rate-based rule: 60, 120, 300 or 600 seconds.
   * @default 300
   */
  readonly wafEvaluationWindowSeconds?: number;

  /**
   * Custom domain name for the API (e.g. `auth.example.com`), mapped at its root.
   * @default - the execute-api URL only
   */
  readonly domainName?: string;
  /**
   * ARN of an ACM certificate for `domainName` in the stack's region. Required with `domainName`.
   * @default - none
   */
  readonly certificateArn?: string;
  /**
   * Route 53 hosted zone id in which to create the alias A record for `domainName`.
   * @default - no DNS record (create it yourself from the `CustomDomainTarget` output)
   */
  readonly hostedZoneId?: string;
  /**
   * Name of that hosted zone (e.g. `example.com`). Required with `hostedZoneId`.
   * @default - none
   */
  readonly hostedZoneName?: string;
  /**
   * Turn the default execute-api endpoint off so the custom domain is the only way in.
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * Retention of the function, access and execution log groups, in days (a CloudWatch Logs value).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Existing SNS topic ARN that receives alarm notifications.
   * @default - a topic is created only when `alarmEmail` is set
   */
  readonly alarmTopicArn?: string;
  /**
   * Email address subscribed to the alarm topic (created if `alarmTopicArn` is not set).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * p99 API latency, in milliseconds, above which the latency alarm fires (3 periods of 5 minutes).
   * @default 2000
   */
  readonly latencyAlarmThresholdMs?: number;
  /**
   * An EventBridge `Passkey Enrolled` event on the default bus for every recorded `enrolled` outcome (the
   * user's keyed hash, the time, the platform family; never the email). False: no event and no
   * `events:PutEvents` permission.
   * @default true
   */
  readonly enrollmentEvents?: boolean;

  /**
   * Lambda memory in MB; Lambda CPU scales with memory and RS256 signing and the cold start are CPU bound.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency of the function (a hard cap that also reserves account capacity).
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Instances of the function kept initialized on a `live` alias that the API invokes (no cold start for
   * them; billed while deployed). 0 means none: the API invokes the function itself.
   * @default 0
   */
  readonly provisionedConcurrentExecutions?: number;
  /**
   * X-Ray tracing on the stage and the function. The function then deploys the traced bundle: a subsegment
   * for each Secrets Manager, DynamoDB, EventBridge, JWKS and session-endpoint call (costs: docs/deploy.md).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Create the account-wide role API Gateway uses to write logs, and set it as the region's API Gateway
   * setting (one per account and region, shared by every REST API there). Off by default: the stack never
   * changes an account-wide setting unasked; set it once per account (see docs/deploy.md).
   * @default false
   */
  readonly apiGatewayCloudWatchRole?: boolean;
}
