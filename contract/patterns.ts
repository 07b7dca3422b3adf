// The value patterns of the settings, shared by the function's config, the stack's props validation and
// the docs tables. Each has the rule a refusal states ("<name> <rule>, got ...") and a short doc.

/** An exact origin: scheme://host[:port], lowercase, no path, no "*"; IPv6 literals such as [::1] too. */
export const ORIGIN_PATTERN = /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:]+\])(?::\d{1,5})?$/;

/** An RFC 6265 cookie name (an HTTP token). */
export const COOKIE_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A Cognito user pool id; the `region` group is the pool's region. */
export const COGNITO_USER_POOL_ID_PATTERN = /^(?<region>[a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

export interface ValuePattern {
  /** Whether a (trimmed, non-empty) value is allowed. */
  readonly test: (value: string) => boolean;
  /** The predicate of a refusal: `<name> <rule>, got "<value>"` (list items: `<name>: "<item>" <rule>`). */
  readonly rule: string;
  /** What is allowed, for the docs tables. */
  readonly doc: string;
}

const matching = (pattern: RegExp) => (value: string) => pattern.test(value);

export const PATTERNS = {
  origin: {
    test: matching(ORIGIN_PATTERN),
    rule: 'is not an exact origin scheme://host[:port] in lowercase',
    doc: 'exact origins `scheme://host[:port]`, lowercase, no path, never `*`',
  },
  cookieName: {
    test: matching(COOKIE_NAME_PATTERN),
    rule: 'is not a valid cookie name',
    doc: 'cookie names',
  },
  cognitoUserPoolId: {
    test: matching(COGNITO_USER_POOL_ID_PATTERN),
    rule: 'must look like "eu-west-1_AbC123"',
    doc: '`<region>_<id>`, e.g. `eu-west-1_AbC123`',
  },
  secretId: {
    test: (value) => SECRET_ARN.test(value) || SECRET_NAME.test(value),
    rule: 'must be a Secrets Manager secret name or ARN',
    doc: 'secret name, or complete ARN',
  },
  kmsKeyArn: {
    test: matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/),
    rule: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; an alias ARN cannot be granted)',
    doc: 'KMS key ARN (not an alias)',
  },
  acmCertificateArn: {
    test: matching(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/),
    rule: 'must be an ACM certificate ARN',
    doc: 'ACM certificate ARN',
  },
  snsTopicArn: {
    test: matching(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/),
    rule: 'must be an SNS topic ARN',
    doc: 'SNS topic ARN',
  },
  domainName: {
    test: matching(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/),
    rule: 'must be a lowercase DNS name like "auth.example.com"',
    doc: 'lowercase DNS name',
  },
  email: {
    test: matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/),
    rule: 'must be an email address',
    doc: 'email address',
  },
  resourcePath: {
    test: matching(/^(?:\/[A-Za-z0-9._-]+)+$/),
    rule: 'must look like "/generate-auth-token" (segments of letters, digits, ".", "_", "-")',
    doc: '`/segment[/segment...]` of letters, digits, `.`, `_`, `-`',
  },
  stageName: {
    test: matching(/^[A-Za-z0-9_-]{1,128}$/),
    rule: 'may contain only letters, digits, "_" and "-"',
    doc: 'letters, digits, `_`, `-`',
  },
  stackName: {
    test: matching(/^[A-Za-z][A-Za-z0-9-]{0,127}$/),
    rule: 'must start with a letter and hold only letters, digits and "-"',
    doc: 'a letter, then letters, digits, `-`',
  },
} as const satisfies Record<string, ValuePattern>;

export type PatternName = keyof typeof PATTERNS;
