// The validation of EnrollmentTokenApi's props. Each prop's range, values and pattern come from its row
// of the settings table (contract/settings.ts); only the rules between props are written here.
// Every problem is collected, saying what to change; the construct throws them, bin/ reports them.
import { Token } from 'aws-cdk-lib';
import { PATTERNS } from '../contract/patterns.ts';
import type { PropKey, Setting } from '../contract/settings.ts';
import { brokenRule, PROP_SETTINGS } from '../contract/settings-derived.ts';
import type { EnrollmentTokenApiProps } from './enrollment-token-props.ts';

const isSet = <T>(value: T | undefined): value is T => value !== undefined;
const concrete = <T extends string | number>(value: T | undefined): value is T =>
  value !== undefined && !Token.isUnresolved(value);

/** Every problem with `props`, each naming the prop and what to do; empty when the props are valid. */
export function validateEnrollmentTokenApiProps(props: EnrollmentTokenApiProps): string[] {
  return [...valueProblems(props), ...crossPropProblems(props)];
}

/** Each set prop against its row: range, allowed values, pattern (of each item, for a list). */
function valueProblems(props: EnrollmentTokenApiProps): string[] {
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(PROP_SETTINGS) as [PropKey, Setting][]) {
    const value: unknown = props[name];
    if (value === undefined || typeof value === 'boolean') continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly string[]) {
        if (!concrete(item)) continue;
        const rule = name === 'allowedOrigins' ? originRule(item) : brokenRule(setting, item);
        if (rule !== undefined) problems.push(`${name}: "${item}" ${rule}`);
      }
      continue;
    }
    if ((typeof value !== 'string' && typeof value !== 'number') || Token.isUnresolved(value)) continue;
    const rule = brokenRule(setting, value);
    if (rule === undefined) continue;
    // An empty value has nothing to show.
    const got = typeof value === 'number' ? `, got ${value}` : value.trim() === '' ? '' : `, got "${value}"`;
    problems.push(`${name} ${rule}${got}${setting.hint ?? ''}`);
  }
  return problems;
}

/** The origin pattern's rule, with what to do for the two usual mistakes. */
function originRule(origin: string): string | undefined {
  if (origin.includes('*'))
    return 'contains "*"; list every exact origin instead (credentials forbid wildcards)';
  if (PATTERNS.origin.test(origin)) return undefined;
  const hasPath = /^https?:\/\/[^/]+\/./.test(origin) || origin.endsWith('/');
  return `${PATTERNS.origin.rule}${hasPath ? ' (remove the path and trailing slash)' : ''}`;
}

/** The rules between props: what goes together, what needs what. */
function crossPropProblems(props: EnrollmentTokenApiProps): string[] {
  const problems: string[] = [];

  // Session sources.
  const clientIds = props.cognitoClientIds ?? [];
  if (isSet(props.cognitoUserPoolId)) {
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
  if (
    (props.sessionCookieNames ?? []).length > 0 &&
    !isSet(props.cognitoUserPoolId) &&
    !isSet(props.jwtIssuer)
  ) {
    problems.push(
      'sessionCookieNames needs a JWT session source to verify the cookie: set jwtIssuer or cognitoUserPoolId',
    );
  }
  if (isSet(props.introspectionUrl)) {
    if ((props.introspectionCookieNames ?? []).length === 0) {
      problems.push(
        'introspectionCookieNames is required with introspectionUrl: list the session cookies to forward',
      );
    }
  } else if (
    (props.introspectionCookieNames ?? []).length > 0 ||
    isSet(props.introspectionSecret) ||
    isSet(props.introspectionCacheSeconds)
  ) {
    problems.push(
      'introspectionCookieNames/introspectionSecret/introspectionCacheSeconds need introspectionUrl: set it too',
    );
  }
  if (isSet(props.introspectionSecretKmsKeyArn) && !isSet(props.introspectionSecret)) {
    problems.push(
      'introspectionSecretKmsKeyArn is set without introspectionSecret: set the secret or remove the key',
    );
  }

  // The token.
  if (props.tokenProfile === 'session-creation' && !isSet(props.tokenSiteUrl)) {
    problems.push(
      'tokenSiteUrl is required with tokenProfile "session-creation": set the https URL of the site',
    );
  }

  // Edge protection.
  if (isSet(props.wafEvaluationWindowSeconds) && !Token.isUnresolved(props.wafEvaluationWindowSeconds)) {
    if (!isSet(props.wafRateLimit))
      problems.push('wafEvaluationWindowSeconds is set without wafRateLimit: set the limit to enable WAF');
  }

  // Custom domain.
  if (isSet(props.domainName)) {
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
  const provisioned = props.provisionedConcurrentExecutions;
  const reserved = props.reservedConcurrentExecutions;
  if (concrete(provisioned) && concrete(reserved) && provisioned > reserved) {
    problems.push(
      `provisionedConcurrentExecutions (${provisioned}) is above reservedConcurrentExecutions (${reserved}): Lambda cannot keep more instances than it reserves; lower it or raise the reservation`,
    );
  }
  return problems;
}

/** Thrown when props are invalid; `problems` lists every one. */
export class EnrollmentTokenApiPropsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid EnrollmentTokenApi configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnrollmentTokenApiPropsError';
  }
}
