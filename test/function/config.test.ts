import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import { ConfigError } from '../../functions/generate-auth-token/errors.ts';

const BASE = {
  OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/key',
  SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_AbC123',
  SESSION_COGNITO_CLIENT_IDS: 'client-a, client-b',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the contract defaults and freezes the result', () => {
    const config = parseConfig(BASE);
    expect(config.keySource).toEqual({ kind: 'secrets-manager', secretId: 'ownid/key' });
    expect(config.keyCacheTtlSeconds).toBe(300);
    expect(config.cognito).toEqual({
      userPoolId: 'eu-west-1_AbC123',
      region: 'eu-west-1',
      clientIds: ['client-a', 'client-b'],
    });
    expect(config.token).toEqual({
      profile: 'default',
      ttlSeconds: 60,
      issuer: 'OwnID',
      audience: 'OwnID',
      siteUrl: undefined,
    });
    expect(config.allowedOrigins).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cognito?.clientIds)).toBe(true);
  });

  it('reads the JWT issuer, cookies, origins and token overrides', () => {
    const config = parseConfig({
      OWNID_PRIVATE_KEY_FILE: '/tmp/key.pem',
      SESSION_JWT_ISSUER: 'https://login.example.com/',
      SESSION_JWT_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
      SESSION_JWT_AUDIENCE: 'api',
      SESSION_JWT_EMAIL_CLAIM: 'https://example.com/email',
      SESSION_COOKIE_NAMES: 'session,__Host-session',
      ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000, http://[::1]:3000',
      TOKEN_TTL_SECONDS: '120',
      TOKEN_ISSUER: 'my-site',
      KEY_CACHE_TTL_SECONDS: '0',
    });
    expect(config.keySource).toEqual({ kind: 'file', path: '/tmp/key.pem' });
    expect(config.jwtIssuer).toEqual({
      issuer: 'https://login.example.com/',
      jwksUrl: 'https://login.example.com/.well-known/jwks.json',
      audience: ['api'],
      emailClaim: 'https://example.com/email',
      requireEmailVerified: true,
    });
    expect(config.sessionCookieNames).toEqual(['session', '__Host-session']);
    expect(config.allowedOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
      'http://[::1]:3000',
    ]);
    expect(config.token).toMatchObject({ ttlSeconds: 120, issuer: 'my-site', audience: 'OwnID' });
    expect(config.keyCacheTtlSeconds).toBe(0);
  });

  it('session-creation profile uses the site URL as issuer and audience', () => {
    const config = parseConfig({
      ...BASE,
      TOKEN_PROFILE: 'session-creation',
      TOKEN_SITE_URL: 'https://www.example.com',
    });
    expect(config.token).toEqual({
      profile: 'session-creation',
      ttlSeconds: 60,
      issuer: 'https://www.example.com',
      audience: 'https://www.example.com',
      siteUrl: 'https://www.example.com',
    });
  });

  it.each([
    [{ OWNID_PRIVATE_KEY_SECRET_ID: 'k' }, ['SESSION_COGNITO_USER_POOL_ID'], /no session source/],
    [
      { SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_A', SESSION_COGNITO_CLIENT_IDS: 'c' },
      ['OWNID_PRIVATE_KEY_SECRET_ID'],
      /required/,
    ],
    [{ ...BASE, OWNID_PRIVATE_KEY_FILE: '/k.pem' }, ['OWNID_PRIVATE_KEY_FILE'], /not both/],
    [
      { ...BASE, SESSION_COGNITO_CLIENT_IDS: '' },
      ['SESSION_COGNITO_CLIENT_IDS'],
      /required with SESSION_COGNITO_USER_POOL_ID/,
    ],
    [
      { ...BASE, SESSION_COGNITO_USER_POOL_ID: 'not-a-pool' },
      ['SESSION_COGNITO_USER_POOL_ID'],
      /must look like/,
    ],
    [
      { ...BASE, SESSION_JWT_ISSUER: 'https://i' },
      ['SESSION_JWT_JWKS_URL', 'SESSION_JWT_AUDIENCE'],
      /JWKS_URL is required/,
    ],
    [
      {
        ...BASE,
        SESSION_JWT_ISSUER: 'https://i',
        SESSION_JWT_JWKS_URL: 'http://evil.test/jwks',
        SESSION_JWT_AUDIENCE: 'a',
      },
      ['SESSION_JWT_JWKS_URL'],
      /https URL/,
    ],
    [{ ...BASE, TOKEN_TTL_SECONDS: '301' }, ['TOKEN_TTL_SECONDS'], /10 to 300/],
    [{ ...BASE, TOKEN_TTL_SECONDS: '9' }, ['TOKEN_TTL_SECONDS'], /10 to 300/],
    [{ ...BASE, TOKEN_TTL_SECONDS: '60s' }, ['TOKEN_TTL_SECONDS'], /integer/],
    [{ ...BASE, KEY_CACHE_TTL_SECONDS: '-1' }, ['KEY_CACHE_TTL_SECONDS'], /integer/],
    [{ ...BASE, TOKEN_PROFILE: 'legacy' }, ['TOKEN_PROFILE'], /"default" or "session-creation"/],
    [{ ...BASE, TOKEN_PROFILE: 'session-creation' }, ['TOKEN_SITE_URL'], /required with TOKEN_PROFILE/],
    [
      { ...BASE, TOKEN_PROFILE: 'session-creation', TOKEN_SITE_URL: 'http://www.example.com' },
      ['TOKEN_SITE_URL'],
      /https/,
    ],
    [{ ...BASE, ALLOWED_ORIGINS: '*' }, ['ALLOWED_ORIGINS'], /exact origin/],
    [{ ...BASE, ALLOWED_ORIGINS: 'https://app.example.com/' }, ['ALLOWED_ORIGINS'], /exact origin/],
    [{ ...BASE, SESSION_COOKIE_NAMES: 'bad name' }, ['SESSION_COOKIE_NAMES'], /not a valid cookie name/],
    [
      { OWNID_PRIVATE_KEY_SECRET_ID: 'k', SESSION_COOKIE_NAMES: 's' },
      ['SESSION_COOKIE_NAMES'],
      /needs a JWT session issuer/,
    ],
    [
      { OWNID_PRIVATE_KEY_SECRET_ID: 'k', SESSION_INTROSPECTION_URL: 'https://site/session' },
      ['SESSION_INTROSPECTION_COOKIES'],
      /cookie names/,
    ],
    [
      {
        OWNID_PRIVATE_KEY_SECRET_ID: 'k',
        SESSION_INTROSPECTION_URL: 'http://site.test/s',
        SESSION_INTROSPECTION_COOKIES: 'sid',
      },
      ['SESSION_INTROSPECTION_URL'],
      /https/,
    ],
  ])('refuses %j naming %j', (env, variables, message) => {
    const error = configError(env as Record<string, string>);
    expect(error.variables).toEqual(variables);
    expect(error.message).toMatch(message);
  });

  it('accepts introspection over http only on loopback', () => {
    const config = parseConfig({
      OWNID_PRIVATE_KEY_SECRET_ID: 'k',
      SESSION_INTROSPECTION_URL: 'http://127.0.0.1:3000/session',
      SESSION_INTROSPECTION_COOKIES: 'connect.sid',
      SESSION_INTROSPECTION_CACHE_SECONDS: '5',
    });
    expect(config.introspection).toMatchObject({
      url: 'http://127.0.0.1:3000/session',
      cookieNames: ['connect.sid'],
      cacheSeconds: 5,
    });
  });
});
