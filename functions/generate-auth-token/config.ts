// Every setting the function reads, parsed once at cold start into a frozen object. Names, defaults,
// ranges and patterns come from the settings table (contract/settings.ts); the rules between settings
// are here. A missing or malformed value throws ConfigError naming the variable(s); nothing is guessed.
import {
  COGNITO_USER_POOL_ID_PATTERN,
  COOKIE_NAME_PATTERN,
  ORIGIN_PATTERN,
  PATTERNS,
} from '../../contract/patterns.ts';
import {
  type AfterEnrolled,
  type EnvName,
  type EnvNameOf,
  isAfterEnrolled,
  isTokenProfile,
  SETTINGS,
  type TokenProfile,
} from '../../contract/settings.ts';
import { brokenRule, ENV_SETTINGS } from '../../contract/settings-derived.ts';
import { ConfigError } from './errors.ts';
import type { PolicySettings } from './policy/prompt-policy.ts';

export type { TokenProfile };

export interface CognitoSessionConfig {
  readonly userPoolId: string;
  readonly region: string;
  readonly clientIds: readonly string[];
}

export interface JwtIssuerSessionConfig {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: readonly string[];
  readonly emailClaim: string;
  /** Refuse a session without `email_verified: true` (SESSION_JWT_REQUIRE_EMAIL_VERIFIED, default true). */
  readonly requireEmailVerified: boolean;
}

export interface IntrospectionSessionConfig {
  readonly url: string;
  readonly cookieNames: readonly string[];
  readonly sharedSecretId: string | undefined;
  readonly cacheSeconds: number;
  readonly timeoutMs: number;
}

export interface TokenConfig {
  readonly profile: TokenProfile;
  readonly ttlSeconds: number;
  readonly issuer: string;
  readonly audience: string;
  readonly siteUrl: string | undefined;
}

/** The prompt policy (docs/configuration.md): its knobs, and the state table when there is one. */
export interface PolicyConfig extends PolicySettings {
  /** ENROLLMENT_STATE_TABLE; unset: no state, only the rollout applies. */
  readonly tableName: string | undefined;
  readonly storeTimeoutMs: number;
}

export type KeySourceConfig =
  | { readonly kind: 'secrets-manager'; readonly secretId: string }
  | { readonly kind: 'file'; readonly path: string };

export interface Config {
  readonly keySource: KeySourceConfig;
  readonly keyCacheTtlSeconds: number;
  readonly cognito: CognitoSessionConfig | undefined;
  /** Base URL replacing https://cognito-idp.<region>.amazonaws.com for JWKS downloads (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
  readonly cognitoJwksEndpoint: string | undefined;
  readonly jwtIssuer: JwtIssuerSessionConfig | undefined;
  readonly sessionCookieNames: readonly string[];
  readonly introspection: IntrospectionSessionConfig | undefined;
  readonly allowedOrigins: readonly string[];
  readonly token: TokenConfig;
  readonly policy: PolicyConfig;
  readonly funnel: FunnelConfig;
}

/** The enrollment funnel's outputs: metric lines and the Passkey Enrolled event. */
export interface FunnelConfig {
  /** CloudWatch namespace of the EMF metrics (METRICS_NAMESPACE). */
  readonly metricsNamespace: string;
  /** Put a Passkey Enrolled event on the default bus per `enrolled` (ENROLLMENT_EVENTS, default true). */
  readonly enrollmentEvents: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function envReader(env: Env) {
  const problems: { name: string; problem: string }[] = [];
  const fail = (name: string, problem: string) => {
    problems.push({ name, problem });
    return undefined;
  };
  const text = (name: EnvName): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const list = (name: EnvNameOf<'list'>): string[] =>
    (text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  /** An integer within the row's range, or the row's default when unset (and when refused). */
  const integer = (name: EnvNameOf<'integer'>): number => {
    const setting = ENV_SETTINGS[name];
    const fallback = Number(setting.default);
    const raw = text(name);
    if (raw === undefined) return fallback;
    const rule = brokenRule(setting, /^\d+$/.test(raw) ? Number(raw) : Number.NaN);
    if (rule !== undefined) {
      fail(name, `${rule}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  };
  /** https, or, where the row allows it (local stand-ins), http on loopback. */
  const url = (name: EnvNameOf<'url'>): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    const httpsOnly = ENV_SETTINGS[name].loopbackHttp !== true;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return fail(name, `must be an absolute URL, got "${raw}"`);
    }
    const loopback =
      parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback && !httpsOnly)) {
      return fail(name, 'must be an https URL (http is accepted only for 127.0.0.1 or localhost)');
    }
    return raw;
  };
  const configError = () => {
    const names = [...new Set(problems.map((p) => p.name))];
    return new ConfigError(names, problems.map((p) => `${p.name} ${p.problem}`).join('; '));
  };
  return { problems, fail, text, list, integer, url, configError };
}

type EnvReader = ReturnType<typeof envReader>;

/** CloudWatch's namespace rule (no `AWS/` prefix: that is reserved for AWS services). */
const METRICS_NAMESPACE_PATTERN = /^(?!AWS\/)[\w.\-/#:]{1,255}$/;

function readFunnelConfig({ text, fail }: EnvReader): FunnelConfig {
  const metricsNamespace = text('METRICS_NAMESPACE') ?? SETTINGS.metricsNamespace.default;
  if (!METRICS_NAMESPACE_PATTERN.test(metricsNamespace)) {
    fail(
      'METRICS_NAMESPACE',
      `must be a CloudWatch namespace (letters, digits, . - _ / # :, not AWS/), got "${metricsNamespace}"`,
    );
  }
  const events = text('ENROLLMENT_EVENTS') ?? String(SETTINGS.enrollmentEvents.default);
  if (events !== 'true' && events !== 'false')
    fail('ENROLLMENT_EVENTS', `must be "true" or "false", got "${events}"`);
  return { metricsNamespace, enrollmentEvents: events !== 'false' };
}

function readTokenConfig({ text, integer, url, fail }: EnvReader): TokenConfig {
  const profileRaw = text('TOKEN_PROFILE') ?? SETTINGS.tokenProfile.default;
  let profile: TokenProfile = SETTINGS.tokenProfile.default;
  if (isTokenProfile(profileRaw)) profile = profileRaw;
  else fail('TOKEN_PROFILE', `${brokenRule(SETTINGS.tokenProfile, profileRaw)}, got "${profileRaw}"`);
  const ttlSeconds = integer('TOKEN_TTL_SECONDS');
  const siteUrl = url('TOKEN_SITE_URL');
  if (profile === 'session-creation' && text('TOKEN_SITE_URL') === undefined) {
    fail('TOKEN_SITE_URL', 'is required with TOKEN_PROFILE=session-creation (an https URL of the site)');
  }
  const sessionCreation = profile === 'session-creation';
  return {
    profile,
    ttlSeconds,
    issuer: text('TOKEN_ISSUER') ?? (sessionCreation ? (siteUrl ?? '') : SETTINGS.tokenIssuer.default),
    audience: text('TOKEN_AUDIENCE') ?? (sessionCreation ? (siteUrl ?? '') : SETTINGS.tokenAudience.default),
    siteUrl,
  };
}

function readPolicyConfig({ text, integer, fail }: EnvReader): PolicyConfig {
  const fallback = SETTINGS.policyAfterEnrolled.default;
  const afterEnrolledRaw = text('POLICY_AFTER_ENROLLED') ?? fallback;
  let afterEnrolled: AfterEnrolled = fallback;
  if (isAfterEnrolled(afterEnrolledRaw)) afterEnrolled = afterEnrolledRaw;
  else
    fail(
      'POLICY_AFTER_ENROLLED',
      `${brokenRule(SETTINGS.policyAfterEnrolled, afterEnrolledRaw)}, got "${afterEnrolledRaw}"`,
    );
  return {
    tableName: text('ENROLLMENT_STATE_TABLE'),
    storeTimeoutMs: integer('POLICY_STORE_TIMEOUT_MS'),
    snoozeDays: integer('POLICY_SNOOZE_DAYS'),
    maxDeclines: integer('POLICY_MAX_DECLINES'),
    rolloutPercent: integer('POLICY_ROLLOUT_PERCENT'),
    maxTokensPerHour: integer('POLICY_MAX_TOKENS_PER_HOUR'),
    maxFailures: integer('POLICY_MAX_FAILURES'),
    afterEnrolled,
  };
}

/** The TOKEN_* settings alone: operator tools check a token against them without a session source. */
export function parseTokenConfig(env: Env): TokenConfig {
  const reader = envReader(env);
  const token = readTokenConfig(reader);
  if (reader.problems.length > 0) throw reader.configError();
  return Object.freeze(token);
}

/** The POLICY_* settings and the table alone: operator tools show a user's state under them. */
export function parsePolicyConfig(env: Env): PolicyConfig {
  const reader = envReader(env);
  const policy = readPolicyConfig(reader);
  if (reader.problems.length > 0) throw reader.configError();
  return Object.freeze(policy);
}

export function parseConfig(env: Env): Config {
  const reader = envReader(env);
  const { problems, fail, text, list, integer, url } = reader;

  // The key.
  const secretId = text('OWNID_PRIVATE_KEY_SECRET_ID');
  const keyFile = text('OWNID_PRIVATE_KEY_FILE');
  let keySource: KeySourceConfig | undefined;
  if (secretId !== undefined && keyFile !== undefined) {
    fail(
      'OWNID_PRIVATE_KEY_FILE',
      'set either OWNID_PRIVATE_KEY_SECRET_ID or OWNID_PRIVATE_KEY_FILE, not both',
    );
  } else if (secretId !== undefined) {
    keySource = { kind: 'secrets-manager', secretId };
  } else if (keyFile !== undefined) {
    keySource = { kind: 'file', path: keyFile };
  } else {
    fail(
      'OWNID_PRIVATE_KEY_SECRET_ID',
      'is required (the Secrets Manager secret holding the OwnID private key)',
    );
  }
  const keyCacheTtlSeconds = integer('KEY_CACHE_TTL_SECONDS');

  // Session sources.
  let cognito: CognitoSessionConfig | undefined;
  const userPoolId = text('SESSION_COGNITO_USER_POOL_ID');
  const clientIds = list('SESSION_COGNITO_CLIENT_IDS');
  if (userPoolId !== undefined) {
    const region = COGNITO_USER_POOL_ID_PATTERN.exec(userPoolId)?.groups?.region;
    if (region === undefined)
      fail('SESSION_COGNITO_USER_POOL_ID', `${PATTERNS.cognitoUserPoolId.rule}, got "${userPoolId}"`);
    if (clientIds.length === 0)
      fail('SESSION_COGNITO_CLIENT_IDS', 'is required with SESSION_COGNITO_USER_POOL_ID');
    if (region !== undefined) cognito = { userPoolId, region, clientIds };
  } else if (clientIds.length > 0) {
    fail('SESSION_COGNITO_USER_POOL_ID', 'is required with SESSION_COGNITO_CLIENT_IDS');
  }
  const cognitoJwksEndpoint = url('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER')?.replace(/\/+$/, '');

  let jwtIssuer: JwtIssuerSessionConfig | undefined;
  const issuer = text('SESSION_JWT_ISSUER');
  const jwksUrl = url('SESSION_JWT_JWKS_URL');
  const audience = list('SESSION_JWT_AUDIENCE');
  const anyJwtSetting =
    issuer !== undefined || text('SESSION_JWT_JWKS_URL') !== undefined || audience.length > 0;
  if (anyJwtSetting) {
    if (issuer === undefined)
      fail('SESSION_JWT_ISSUER', 'is required with SESSION_JWT_JWKS_URL / SESSION_JWT_AUDIENCE');
    if (text('SESSION_JWT_JWKS_URL') === undefined)
      fail('SESSION_JWT_JWKS_URL', 'is required with SESSION_JWT_ISSUER');
    if (audience.length === 0)
      fail('SESSION_JWT_AUDIENCE', 'is required with SESSION_JWT_ISSUER (audience checks are not optional)');
    const requireVerified = text('SESSION_JWT_REQUIRE_EMAIL_VERIFIED') ?? 'true';
    if (requireVerified !== 'true' && requireVerified !== 'false')
      fail('SESSION_JWT_REQUIRE_EMAIL_VERIFIED', `must be "true" or "false", got "${requireVerified}"`);
    if (issuer !== undefined && jwksUrl !== undefined && audience.length > 0) {
      const emailClaim = text('SESSION_JWT_EMAIL_CLAIM') ?? SETTINGS.jwtEmailClaim.default;
      jwtIssuer = {
        issuer,
        jwksUrl,
        audience,
        emailClaim,
        requireEmailVerified: requireVerified !== 'false',
      };
    }
  }

  const sessionCookieNames = list('SESSION_COOKIE_NAMES');
  for (const name of sessionCookieNames) {
    if (!COOKIE_NAME_PATTERN.test(name))
      fail('SESSION_COOKIE_NAMES', `"${name}" ${PATTERNS.cookieName.rule}`);
  }
  if (sessionCookieNames.length > 0 && cognito === undefined && jwtIssuer === undefined) {
    fail(
      'SESSION_COOKIE_NAMES',
      'needs a JWT session issuer (SESSION_JWT_*) or Cognito (SESSION_COGNITO_*) to verify the cookie',
    );
  }

  let introspection: IntrospectionSessionConfig | undefined;
  const introspectionUrl = url('SESSION_INTROSPECTION_URL');
  const introspectionCookies = list('SESSION_INTROSPECTION_COOKIES');
  if (text('SESSION_INTROSPECTION_URL') !== undefined || introspectionCookies.length > 0) {
    if (text('SESSION_INTROSPECTION_URL') === undefined)
      fail('SESSION_INTROSPECTION_URL', 'is required with SESSION_INTROSPECTION_COOKIES');
    if (introspectionCookies.length === 0)
      fail(
        'SESSION_INTROSPECTION_COOKIES',
        'is required with SESSION_INTROSPECTION_URL (the cookie names to forward)',
      );
    for (const name of introspectionCookies) {
      if (!COOKIE_NAME_PATTERN.test(name))
        fail('SESSION_INTROSPECTION_COOKIES', `"${name}" ${PATTERNS.cookieName.rule}`);
    }
    if (introspectionUrl !== undefined && introspectionCookies.length > 0) {
      introspection = {
        url: introspectionUrl,
        cookieNames: introspectionCookies,
        sharedSecretId: text('SESSION_INTROSPECTION_SECRET_ID'),
        cacheSeconds: integer('SESSION_INTROSPECTION_CACHE_SECONDS'),
        timeoutMs: integer('SESSION_INTROSPECTION_TIMEOUT_MS'),
      };
    }
  }

  if (
    cognito === undefined &&
    jwtIssuer === undefined &&
    introspection === undefined &&
    problems.length === 0
  ) {
    fail(
      'SESSION_COGNITO_USER_POOL_ID',
      'no session source is configured: set SESSION_COGNITO_USER_POOL_ID + SESSION_COGNITO_CLIENT_IDS, or SESSION_JWT_ISSUER + SESSION_JWT_JWKS_URL + SESSION_JWT_AUDIENCE, or SESSION_INTROSPECTION_URL + SESSION_INTROSPECTION_COOKIES',
    );
  }

  const allowedOrigins = list('ALLOWED_ORIGINS');
  for (const origin of allowedOrigins) {
    if (!ORIGIN_PATTERN.test(origin))
      fail(
        'ALLOWED_ORIGINS',
        `"${origin}" is not an exact origin (scheme://host[:port], lowercase, no path, no "*")`,
      );
  }

  const token = readTokenConfig(reader);
  const policy = readPolicyConfig(reader);
  const funnel = readFunnelConfig(reader);

  if (problems.length > 0 || keySource === undefined) throw reader.configError();
  return deepFreeze({
    keySource,
    keyCacheTtlSeconds,
    cognito,
    cognitoJwksEndpoint,
    jwtIssuer,
    sessionCookieNames,
    introspection,
    allowedOrigins,
    token,
    policy,
    funnel,
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
