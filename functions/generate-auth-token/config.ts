// Every setting of the contract's section 3, parsed once at cold start into a frozen object.
// A missing or malformed value throws ConfigError naming the variable(s); nothing is guessed.

export type TokenProfile = 'default' | 'session-creation';

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
}

export class ConfigError extends Error {
  constructor(
    readonly variables: readonly string[],
    detail: string,
  ) {
    super(`Invalid configuration: ${detail}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const COGNITO_USER_POOL_ID = /^(?<region>[a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;
const ORIGIN = /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:]+\])(?::\d{1,5})?$/;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function envReader(env: Env) {
  const problems: { name: string; problem: string }[] = [];
  const fail = (name: string, problem: string) => {
    problems.push({ name, problem });
    return undefined;
  };
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const list = (name: string): string[] =>
    (text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      fail(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, { httpsOnly }: { httpsOnly: boolean }): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
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

function readTokenConfig({ text, integer, url, fail }: EnvReader): TokenConfig {
  const profileRaw = text('TOKEN_PROFILE') ?? 'default';
  let profile: TokenProfile = 'default';
  if (profileRaw === 'default' || profileRaw === 'session-creation') profile = profileRaw;
  else fail('TOKEN_PROFILE', `must be "default" or "session-creation", got "${profileRaw}"`);
  const ttlSeconds = integer('TOKEN_TTL_SECONDS', 60, 10, 300);
  const siteUrl = url('TOKEN_SITE_URL', { httpsOnly: true });
  if (profile === 'session-creation' && text('TOKEN_SITE_URL') === undefined) {
    fail('TOKEN_SITE_URL', 'is required with TOKEN_PROFILE=session-creation (an https URL of the site)');
  }
  return {
    profile,
    ttlSeconds,
    issuer: text('TOKEN_ISSUER') ?? (profile === 'session-creation' ? (siteUrl ?? '') : 'OwnID'),
    audience: text('TOKEN_AUDIENCE') ?? (profile === 'session-creation' ? (siteUrl ?? '') : 'OwnID'),
    siteUrl,
  };
}

/** The TOKEN_* settings alone: operator tools check a token against them without a session source. */
export function parseTokenConfig(env: Env): TokenConfig {
  const reader = envReader(env);
  const token = readTokenConfig(reader);
  if (reader.problems.length > 0) throw reader.configError();
  return Object.freeze(token);
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
  const keyCacheTtlSeconds = integer('KEY_CACHE_TTL_SECONDS', 300, 0, 86_400);

  // Session sources.
  let cognito: CognitoSessionConfig | undefined;
  const userPoolId = text('SESSION_COGNITO_USER_POOL_ID');
  const clientIds = list('SESSION_COGNITO_CLIENT_IDS');
  if (userPoolId !== undefined) {
    const region = COGNITO_USER_POOL_ID.exec(userPoolId)?.groups?.region;
    if (region === undefined)
      fail('SESSION_COGNITO_USER_POOL_ID', `must look like "eu-west-1_AbC123", got "${userPoolId}"`);
    if (clientIds.length === 0)
      fail('SESSION_COGNITO_CLIENT_IDS', 'is required with SESSION_COGNITO_USER_POOL_ID');
    if (region !== undefined) cognito = { userPoolId, region, clientIds };
  } else if (clientIds.length > 0) {
    fail('SESSION_COGNITO_USER_POOL_ID', 'is required with SESSION_COGNITO_CLIENT_IDS');
  }
  const cognitoJwksEndpoint = url('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', {
    httpsOnly: false,
  })?.replace(/\/+$/, '');

  let jwtIssuer: JwtIssuerSessionConfig | undefined;
  const issuer = text('SESSION_JWT_ISSUER');
  const jwksUrl = url('SESSION_JWT_JWKS_URL', { httpsOnly: false });
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
      const emailClaim = text('SESSION_JWT_EMAIL_CLAIM') ?? 'email';
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
    if (!COOKIE_NAME.test(name)) fail('SESSION_COOKIE_NAMES', `"${name}" is not a valid cookie name`);
  }
  if (sessionCookieNames.length > 0 && cognito === undefined && jwtIssuer === undefined) {
    fail(
      'SESSION_COOKIE_NAMES',
      'needs a JWT session issuer (SESSION_JWT_*) or Cognito (SESSION_COGNITO_*) to verify the cookie',
    );
  }

  let introspection: IntrospectionSessionConfig | undefined;
  const introspectionUrl = url('SESSION_INTROSPECTION_URL', { httpsOnly: false });
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
      if (!COOKIE_NAME.test(name))
        fail('SESSION_INTROSPECTION_COOKIES', `"${name}" is not a valid cookie name`);
    }
    if (introspectionUrl !== undefined && introspectionCookies.length > 0) {
      introspection = {
        url: introspectionUrl,
        cookieNames: introspectionCookies,
        sharedSecretId: text('SESSION_INTROSPECTION_SECRET_ID'),
        cacheSeconds: integer('SESSION_INTROSPECTION_CACHE_SECONDS', 0, 0, 60),
        timeoutMs: integer('SESSION_INTROSPECTION_TIMEOUT_MS', 1500, 100, 3000),
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
    if (!ORIGIN.test(origin))
      fail(
        'ALLOWED_ORIGINS',
        `"${origin}" is not an exact origin (scheme://host[:port], lowercase, no path, no "*")`,
      );
  }

  const token = readTokenConfig(reader);

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
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
