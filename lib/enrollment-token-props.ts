// The props of EnrollmentTokenApi and their validation. Validation collects every problem at once and
// says what to change; the construct throws them, bin/ reports them next to context parse errors.
import { Token } from 'aws-cdk-lib';

export type TokenProfile = 'default' | 'session-creation';

/** The windows AWS WAF accepts for a rate-based rule, in seconds. */
export const WAF_EVALUATION_WINDOWS = [60, 120, 300, 600] as const;

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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
   * X-Ray tracing on the stage and the function.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Create the account-wide role API Gateway uses to write execution logs. Set false when the account's
   * API Gateway settings already have one (another stack manages it).
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
}

export const ORIGIN_PATTERN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;
const COGNITO_USER_POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+$/;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PATH = /^(?:\/[A-Za-z0-9._-]+)+$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

const isSet = <T>(value: T | undefined): value is T => value !== undefined;
const concrete = (value: string | undefined): value is string =>
  value !== undefined && !Token.isUnresolved(value);
const concreteNumber = (value: number | undefined): value is number =>
  value !== undefined && !Token.isUnresolved(value);

/** Every problem with `props`, each naming the prop and what to do; empty when the props are valid. */
export function validateEnrollmentTokenApiProps(props: EnrollmentTokenApiProps): string[] {
  const problems: string[] = [];
  const integerIn = (name: string, value: number | undefined, min: number, max: number, hint = '') => {
    if (concreteNumber(value) && (!Number.isInteger(value) || value < min || value > max)) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${value}${hint}`);
    }
  };
  const httpsUrl = (name: string, value: string | undefined) => {
    if (!concrete(value)) return;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') problems.push(`${name} must be an absolute https URL, got "${value}"`);
  };
  const secretId = (name: string, value: string | undefined) => {
    if (concrete(value) && !SECRET_ARN.test(value) && !SECRET_NAME.test(value)) {
      problems.push(`${name} must be a Secrets Manager secret name or ARN, got "${value}"`);
    }
  };
  const kmsKeyArn = (name: string, value: string | undefined) => {
    if (concrete(value) && !KMS_KEY_ARN.test(value)) {
      problems.push(
        `${name} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; an alias ARN cannot be granted), got "${value}"`,
      );
    }
  };
  const cookieNames = (name: string, values: readonly string[] | undefined) => {
    for (const cookie of values ?? []) {
      if (concrete(cookie) && !COOKIE_NAME.test(cookie))
        problems.push(`${name}: "${cookie}" is not a valid cookie name`);
    }
  };

  for (const origin of props.allowedOrigins ?? []) {
    if (!concrete(origin)) continue;
    if (origin.includes('*')) {
      problems.push(
        `allowedOrigins: "${origin}" contains "*"; list every exact origin instead (credentials forbid wildcards)`,
      );
    } else if (!ORIGIN_PATTERN.test(origin)) {
      const hint =
        /^https?:\/\/[^/]+\/./.test(origin) || origin.endsWith('/')
          ? ' (remove the path and trailing slash)'
          : '';
      problems.push(
        `allowedOrigins: "${origin}" is not an exact origin scheme://host[:port] in lowercase${hint}`,
      );
    }
  }
  if (concrete(props.path) && !PATH.test(props.path)) {
    problems.push(
      `path must look like "/generate-auth-token" (segments of letters, digits, ".", "_", "-"), got "${props.path}"`,
    );
  }
  if (concrete(props.stageName) && !STAGE_NAME.test(props.stageName)) {
    problems.push(`stageName may contain only letters, digits, "_" and "-", got "${props.stageName}"`);
  }

  // Session sources.
  const clientIds = props.cognitoClientIds ?? [];
  if (isSet(props.cognitoUserPoolId)) {
    if (concrete(props.cognitoUserPoolId) && !COGNITO_USER_POOL_ID.test(props.cognitoUserPoolId)) {
      problems.push(`cognitoUserPoolId must look like "eu-west-1_AbC123", got "${props.cognitoUserPoolId}"`);
    }
    if (clientIds.length === 0) {
      problems.push(
        'cognitoClientIds is required with cognitoUserPoolId: list the app client ids whose ID tokens are accepted',
      );
    }
  } else if (clientIds.length > 0) {
    problems.push('cognitoClientIds is set without cognitoUserPoolId: set the user pool id too');
  }
  const jwtAudience = props.jwtAudience ?? [];
  if (isSet(props.jwtIssuer)) {
    if (!isSet(props.jwtJwksUrl))
      problems.push('jwtJwksUrl is required with jwtIssuer: set the https URL of the issuer JWKS');
    if (jwtAudience.length === 0)
      problems.push('jwtAudience is required with jwtIssuer: audience checks are not optional');
  } else if (isSet(props.jwtJwksUrl) || jwtAudience.length > 0 || isSet(props.jwtEmailClaim)) {
    problems.push('jwtJwksUrl/jwtAudience/jwtEmailClaim are set without jwtIssuer: set the issuer too');
  }
  httpsUrl('jwtJwksUrl', props.jwtJwksUrl);
  cookieNames('sessionCookieNames', props.sessionCookieNames);
  if (
    (props.sessionCookieNames ?? []).length > 0 &&
    !isSet(props.cognitoUserPoolId) &&
    !isSet(props.jwtIssuer)
  ) {
    problems.push(
      'sessionCookieNames needs a JWT session source to verify the cookie: set jwtIssuer or cognitoUserPoolId',
    );
  }
  const introspectionCookieNames = props.introspectionCookieNames ?? [];
  if (isSet(props.introspectionUrl)) {
    httpsUrl('introspectionUrl', props.introspectionUrl);
    if (introspectionCookieNames.length === 0) {
      problems.push(
        'introspectionCookieNames is required with introspectionUrl: list the session cookies to forward',
      );
    }
  } else if (
    introspectionCookieNames.length > 0 ||
    isSet(props.introspectionSecret) ||
    isSet(props.introspectionCacheSeconds)
  ) {
    problems.push(
      'introspectionCookieNames/introspectionSecret/introspectionCacheSeconds need introspectionUrl: set it too',
    );
  }
  cookieNames('introspectionCookieNames', introspectionCookieNames);
  secretId('introspectionSecret', props.introspectionSecret);
  kmsKeyArn('introspectionSecretKmsKeyArn', props.introspectionSecretKmsKeyArn);
  if (isSet(props.introspectionSecretKmsKeyArn) && !isSet(props.introspectionSecret)) {
    problems.push(
      'introspectionSecretKmsKeyArn is set without introspectionSecret: set the secret or remove the key',
    );
  }
  integerIn('introspectionCacheSeconds', props.introspectionCacheSeconds, 0, 60);

  // The key.
  secretId('privateKeySecret', props.privateKeySecret);
  kmsKeyArn('privateKeySecretKmsKeyArn', props.privateKeySecretKmsKeyArn);
  integerIn('keyCacheTtlSeconds', props.keyCacheTtlSeconds, 0, 86_400);

  // The token.
  integerIn(
    'tokenTtlSeconds',
    props.tokenTtlSeconds,
    10,
    300,
    ' (OwnID tokens are short-lived; 60 is the guide default)',
  );
  if (
    concrete(props.tokenProfile) &&
    props.tokenProfile !== 'default' &&
    props.tokenProfile !== 'session-creation'
  ) {
    problems.push(`tokenProfile must be "default" or "session-creation", got "${props.tokenProfile}"`);
  }
  httpsUrl('tokenSiteUrl', props.tokenSiteUrl);
  if (props.tokenProfile === 'session-creation' && !isSet(props.tokenSiteUrl)) {
    problems.push(
      'tokenSiteUrl is required with tokenProfile "session-creation": set the https URL of the site',
    );
  }
  for (const [name, value] of [
    ['tokenIssuer', props.tokenIssuer],
    ['tokenAudience', props.tokenAudience],
  ] as const) {
    if (concrete(value) && value.trim() === '')
      problems.push(`${name} must not be empty (omit it for the default)`);
  }

  // Edge protection.
  if (
    concreteNumber(props.throttlingRateLimit) &&
    !(props.throttlingRateLimit > 0 && props.throttlingRateLimit <= 10_000)
  ) {
    problems.push(
      `throttlingRateLimit must be a number of requests per second above 0 and at most 10000, got ${props.throttlingRateLimit}`,
    );
  }
  integerIn('throttlingBurstLimit', props.throttlingBurstLimit, 1, 5_000);
  if (isSet(props.wafRateLimit)) {
    integerIn(
      'wafRateLimit',
      props.wafRateLimit,
      10,
      2_000_000_000,
      ' (AWS WAF rate-based rules start at 10)',
    );
  }
  if (concreteNumber(props.wafEvaluationWindowSeconds)) {
    if (!(WAF_EVALUATION_WINDOWS as readonly number[]).includes(props.wafEvaluationWindowSeconds)) {
      problems.push(
        `wafEvaluationWindowSeconds must be one of ${WAF_EVALUATION_WINDOWS.join(', ')}, got ${props.wafEvaluationWindowSeconds}`,
      );
    }
    if (!isSet(props.wafRateLimit))
      problems.push('wafEvaluationWindowSeconds is set without wafRateLimit: set the limit to enable WAF');
  }

  // Custom domain.
  if (isSet(props.domainName)) {
    if (concrete(props.domainName) && !DOMAIN_NAME.test(props.domainName)) {
      problems.push(
        `domainName must be a lowercase DNS name like "auth.example.com", got "${props.domainName}"`,
      );
    }
    if (!isSet(props.certificateArn)) {
      problems.push(
        'certificateArn is required with domainName: an ACM certificate for it in the stack region',
      );
    }
  } else {
    if (isSet(props.certificateArn))
      problems.push('certificateArn is set without domainName: set the domain name too');
    if (isSet(props.hostedZoneId))
      problems.push('hostedZoneId is set without domainName: set the domain name too');
    if (props.disableExecuteApiEndpoint === true) {
      problems.push(
        'disableExecuteApiEndpoint needs domainName: without a custom domain the API would be unreachable',
      );
    }
  }
  if (concrete(props.certificateArn) && !ACM_CERTIFICATE_ARN.test(props.certificateArn)) {
    problems.push(`certificateArn must be an ACM certificate ARN, got "${props.certificateArn}"`);
  }
  if (isSet(props.hostedZoneId) !== isSet(props.hostedZoneName)) {
    problems.push(
      'hostedZoneId and hostedZoneName go together: set both to create the DNS record, or neither',
    );
  }
  if (
    concrete(props.domainName) &&
    concrete(props.hostedZoneName) &&
    props.domainName !== props.hostedZoneName.replace(/\.$/, '') &&
    !props.domainName.endsWith(`.${props.hostedZoneName.replace(/\.$/, '')}`)
  ) {
    problems.push(`domainName "${props.domainName}" is not inside hostedZoneName "${props.hostedZoneName}"`);
  }

  // Operations.
  if (
    concreteNumber(props.logRetentionDays) &&
    !(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)
  ) {
    problems.push(
      `logRetentionDays must be a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(', ')}), got ${props.logRetentionDays}`,
    );
  }
  if (concrete(props.alarmTopicArn) && !SNS_TOPIC_ARN.test(props.alarmTopicArn)) {
    problems.push(`alarmTopicArn must be an SNS topic ARN, got "${props.alarmTopicArn}"`);
  }
  if (concrete(props.alarmEmail) && !EMAIL.test(props.alarmEmail)) {
    problems.push(`alarmEmail must be an email address, got "${props.alarmEmail}"`);
  }
  integerIn('latencyAlarmThresholdMs', props.latencyAlarmThresholdMs, 50, 29_000);
  integerIn('memorySize', props.memorySize, 128, 10_240);
  integerIn(
    'reservedConcurrentExecutions',
    props.reservedConcurrentExecutions,
    1,
    10_000,
    ' (0 would stop the function; omit it for unreserved)',
  );
  return problems;
}

/** Thrown when props are invalid; `problems` lists every one. */
export class EnrollmentTokenApiPropsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid EnrollmentTokenApi configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnrollmentTokenApiPropsError';
  }
}
