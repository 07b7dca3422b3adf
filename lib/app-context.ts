// CDK context (`cdk.json` or `-c key=value`) -> stack props. Every context key is the prop of the same
// name; `-c` values are strings, cdk.json values may be JSON types, both are accepted. All problems
// (unknown key, wrong type, invalid combination) are reported at once.
import type { EnrollmentTokenApiProps } from './enrollment-token-props.ts';

type Kind = 'string' | 'list' | 'integer' | 'number' | 'boolean';

/** Every deployment context key, its type, default and meaning (the README table is written from this). */
export const CONTEXT_KEYS = {
  stackName: { kind: 'string', default: 'OwnIdEnrollmentToken', doc: 'CloudFormation stack name' },
  allowedOrigins: {
    kind: 'list',
    default: '(none: no CORS)',
    doc: 'exact browser origins allowed with credentials',
  },
  path: { kind: 'string', default: '/generate-auth-token', doc: 'resource path' },
  stageName: { kind: 'string', default: 'prod', doc: 'API Gateway stage' },
  cognitoUserPoolId: { kind: 'string', default: '-', doc: 'Cognito user pool whose ID tokens are sessions' },
  cognitoClientIds: { kind: 'list', default: '-', doc: 'its app client ids (required with the pool)' },
  jwtIssuer: { kind: 'string', default: '-', doc: 'another OIDC/JWT session issuer (iss)' },
  jwtJwksUrl: { kind: 'string', default: '-', doc: 'its https JWKS URL (required with jwtIssuer)' },
  jwtAudience: { kind: 'list', default: '-', doc: 'accepted audiences (required with jwtIssuer)' },
  jwtEmailClaim: { kind: 'string', default: 'email', doc: 'claim holding the email' },
  sessionCookieNames: { kind: 'list', default: '-', doc: 'cookies that may carry the session JWT' },
  introspectionUrl: { kind: 'string', default: '-', doc: 'https session introspection endpoint' },
  introspectionCookieNames: {
    kind: 'list',
    default: '-',
    doc: 'cookies forwarded to it (required with the URL)',
  },
  introspectionSecret: { kind: 'string', default: '-', doc: 'secret name/ARN of a shared token sent to it' },
  introspectionSecretKmsKeyArn: { kind: 'string', default: '-', doc: 'customer KMS key of that secret' },
  introspectionCacheSeconds: {
    kind: 'integer',
    default: '0',
    doc: 'reuse an introspection answer (0..60 s)',
  },
  privateKeySecret: {
    kind: 'string',
    default: '(created, empty)',
    doc: 'existing secret name/ARN with the OwnID key',
  },
  privateKeySecretKmsKeyArn: { kind: 'string', default: '-', doc: 'customer KMS key of the key secret' },
  keyCacheTtlSeconds: { kind: 'integer', default: '300', doc: 'key reuse before re-reading the secret' },
  tokenTtlSeconds: { kind: 'integer', default: '60', doc: 'OwnID token lifetime (10..300 s)' },
  tokenIssuer: { kind: 'string', default: 'OwnID', doc: 'token iss' },
  tokenAudience: { kind: 'string', default: 'OwnID', doc: 'token aud' },
  tokenProfile: { kind: 'string', default: 'default', doc: '`default` or `session-creation`' },
  tokenSiteUrl: { kind: 'string', default: '-', doc: 'https site URL (required with session-creation)' },
  throttlingRateLimit: { kind: 'number', default: '50', doc: 'stage requests per second' },
  throttlingBurstLimit: { kind: 'integer', default: '100', doc: 'stage burst' },
  wafRateLimit: {
    kind: 'integer',
    default: '(no WAF)',
    doc: 'requests per IP per window; enables WAF (min 10)',
  },
  wafEvaluationWindowSeconds: { kind: 'integer', default: '300', doc: 'WAF window: 60, 120, 300 or 600' },
  domainName: { kind: 'string', default: '-', doc: 'custom domain for the API' },
  certificateArn: {
    kind: 'string',
    default: '-',
    doc: 'ACM certificate in the stack region (required with domainName)',
  },
  hostedZoneId: { kind: 'string', default: '-', doc: 'Route 53 zone for the alias record' },
  hostedZoneName: { kind: 'string', default: '-', doc: 'that zone name (required with hostedZoneId)' },
  disableExecuteApiEndpoint: { kind: 'boolean', default: 'false', doc: 'custom domain only' },
  logRetentionDays: { kind: 'integer', default: '30', doc: 'retention of all log groups' },
  alarmTopicArn: { kind: 'string', default: '-', doc: 'existing SNS topic for alarms' },
  alarmEmail: { kind: 'string', default: '-', doc: 'email subscribed to the alarm topic' },
  latencyAlarmThresholdMs: { kind: 'integer', default: '2000', doc: 'p99 latency alarm threshold' },
  memorySize: { kind: 'integer', default: '1024', doc: 'Lambda memory (MB)' },
  reservedConcurrentExecutions: {
    kind: 'integer',
    default: '(unreserved)',
    doc: 'Lambda reserved concurrency',
  },
  tracing: { kind: 'boolean', default: 'false', doc: 'X-Ray on stage and function' },
  apiGatewayCloudWatchRole: {
    kind: 'boolean',
    default: 'true',
    doc: 'create the account API Gateway logging role',
  },
} as const satisfies Record<string, { kind: Kind; default: string; doc: string }>;

export type ContextKey = keyof typeof CONTEXT_KEYS;

export interface ParsedContext {
  readonly stackName: string;
  readonly props: EnrollmentTokenApiProps;
  readonly problems: readonly string[];
}

// Context keys that look like ours (plain camelCase). CDK's own keys contain ':' '@' or '-'.
const OWN_KEY_SHAPE = /^[a-z][A-Za-z0-9]*$/;

export function parseContext(context: Readonly<Record<string, unknown>>): ParsedContext {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const known = new Set<string>(Object.keys(CONTEXT_KEYS));

  for (const key of Object.keys(context)) {
    if (OWN_KEY_SHAPE.test(key) && !known.has(key)) {
      const hint = [...known].find((candidate) =>
        candidate.toLowerCase().startsWith(key.toLowerCase().slice(0, 6)),
      );
      problems.push(`unknown context key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }

  for (const [key, spec] of Object.entries(CONTEXT_KEYS) as [
    ContextKey,
    (typeof CONTEXT_KEYS)[ContextKey],
  ][]) {
    const raw = context[key];
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) continue;
    const parsed = parseValue(spec.kind, raw);
    if (parsed === undefined) {
      problems.push(`context ${key} must be ${describe(spec.kind)}, got ${JSON.stringify(raw)}`);
      continue;
    }
    if (Array.isArray(parsed) && parsed.length === 0) continue;
    values[key] = parsed;
  }

  const { stackName, ...props } = values;
  if (stackName !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(String(stackName))) {
    problems.push(
      `context stackName must start with a letter and hold only letters, digits and "-", got "${stackName}"`,
    );
  }
  return {
    stackName: typeof stackName === 'string' ? stackName : CONTEXT_KEYS.stackName.default,
    props: props as EnrollmentTokenApiProps,
    problems,
  };
}

function parseValue(kind: Kind, raw: unknown): unknown {
  switch (kind) {
    case 'string':
      return typeof raw === 'string' ? raw.trim() : undefined;
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
      if (items === undefined || !items.every((item) => typeof item === 'string')) return undefined;
      return [...new Set(items.map((item: string) => item.trim()).filter((item) => item !== ''))];
    }
    case 'integer':
    case 'number': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value))) return undefined;
      return value;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return undefined;
  }
}

function describe(kind: Kind): string {
  switch (kind) {
    case 'string':
      return 'a string';
    case 'list':
      return 'a comma-separated list (or a JSON array in cdk.json)';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
  }
}
