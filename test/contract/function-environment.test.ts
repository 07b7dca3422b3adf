// The stack hands the function its settings through the environment the table names.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import { functionEnvironment } from '../../lib/function-environment.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ownid-AbCdEf';

describe('functionEnvironment', () => {
  it('writes the pinned defaults and nothing for unset props (secrets are set by the bind calls)', () => {
    expect(functionEnvironment({}, [])).toEqual({
      KEY_CACHE_TTL_SECONDS: '300',
      TOKEN_TTL_SECONDS: '60',
      TOKEN_PROFILE: 'default',
    });
  });

  it('writes every set prop that has a variable, lists comma-joined, and nothing for stack-only props', () => {
    const env = functionEnvironment(
      {
        cognitoUserPoolId: 'eu-west-1_AbC123',
        cognitoClientIds: ['a', 'b'],
        jwtIssuer: 'https://id.example.com/',
        jwtJwksUrl: 'https://id.example.com/jwks.json',
        jwtAudience: ['app'],
        jwtEmailClaim: 'mail',
        sessionCookieNames: ['id_token'],
        introspectionUrl: 'https://www.example.com/session',
        introspectionCookieNames: ['sid'],
        introspectionSecret: 'shared',
        tokenTtlSeconds: 120,
        tokenIssuer: 'iss',
        tokenAudience: 'aud',
        tokenProfile: 'session-creation',
        tokenSiteUrl: 'https://www.example.com',
        memorySize: 512,
        tracing: true,
      },
      ['https://a.example.com', 'https://b.example.com'],
    );
    expect(env).toEqual({
      KEY_CACHE_TTL_SECONDS: '300',
      SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_AbC123',
      SESSION_COGNITO_CLIENT_IDS: 'a,b',
      SESSION_JWT_ISSUER: 'https://id.example.com/',
      SESSION_JWT_JWKS_URL: 'https://id.example.com/jwks.json',
      SESSION_JWT_AUDIENCE: 'app',
      SESSION_JWT_EMAIL_CLAIM: 'mail',
      SESSION_COOKIE_NAMES: 'id_token',
      SESSION_INTROSPECTION_URL: 'https://www.example.com/session',
      SESSION_INTROSPECTION_COOKIES: 'sid',
      SESSION_INTROSPECTION_CACHE_SECONDS: '0',
      ALLOWED_ORIGINS: 'https://a.example.com,https://b.example.com',
      TOKEN_TTL_SECONDS: '120',
      TOKEN_ISSUER: 'iss',
      TOKEN_AUDIENCE: 'aud',
      TOKEN_PROFILE: 'session-creation',
      TOKEN_SITE_URL: 'https://www.example.com',
    });
    // What the stack writes (with the secret the bind call adds), the function starts with.
    expect(parseConfig({ ...env, OWNID_PRIVATE_KEY_SECRET_ID: SECRET_ARN }).token).toMatchObject({
      profile: 'session-creation',
      ttlSeconds: 120,
    });
  });

  it('writes the introspection cache only with an introspection URL', () => {
    expect(functionEnvironment({ introspectionCacheSeconds: 5 }, [])).not.toHaveProperty(
      'SESSION_INTROSPECTION_CACHE_SECONDS',
    );
  });
});
