// What the local server hands the function: real settings untouched, dev mode only for what is missing.
import { describe, expect, it } from 'vitest';
import { parseSessionMode, resolveLocalSettings } from '../../dev/local-settings.ts';

const input = {
  callbackBase: 'http://127.0.0.1:3000',
  ownOrigins: ['http://127.0.0.1:3000', 'http://localhost:3000'],
  sessionMode: 'jwt' as const,
  devKeyPath: '/repo/.local/ownid-dev-private-key.pem',
};

describe('resolveLocalSettings', () => {
  it('fills a dev key and the dev session issuer when nothing is configured', () => {
    const settings = resolveLocalSettings({ ...input, env: {} });
    expect(settings.devKey).toBe(true);
    expect(settings.devSession).toBe('jwt');
    expect(settings.functionEnv).toEqual({
      OWNID_PRIVATE_KEY_FILE: '/repo/.local/ownid-dev-private-key.pem',
      SESSION_JWT_ISSUER: 'http://127.0.0.1:3000/dev-issuer',
      SESSION_JWT_JWKS_URL: 'http://127.0.0.1:3000/dev-issuer/jwks.json',
      SESSION_JWT_AUDIENCE: 'ownid-enrollment-demo',
      SESSION_COOKIE_NAMES: 'demo_session',
      ALLOWED_ORIGINS: 'http://127.0.0.1:3000,http://localhost:3000',
    });
    expect(settings.token).toEqual({ profile: 'default', issuer: 'OwnID', audience: 'OwnID' });
  });

  it('passes real settings through and keeps the demo login off', () => {
    const env = {
      OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/key',
      SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_Abc',
      SESSION_COGNITO_CLIENT_IDS: 'client1',
      ALLOWED_ORIGINS: 'https://www.example.com',
      TOKEN_PROFILE: 'session-creation',
      TOKEN_SITE_URL: 'https://www.example.com',
    };
    const settings = resolveLocalSettings({ ...input, env });
    expect(settings.devKey).toBe(false);
    expect(settings.devSession).toBeUndefined();
    expect(settings.functionEnv).toEqual({
      ...env,
      ALLOWED_ORIGINS: 'https://www.example.com,http://127.0.0.1:3000,http://localhost:3000',
    });
    expect(settings.keySource).toBe('Secrets Manager secret ownid/key');
    expect(settings.sessionSources).toEqual(['Cognito user pool eu-west-1_Abc (clients client1)']);
    expect(settings.token).toEqual({
      profile: 'session-creation',
      issuer: 'https://www.example.com',
      audience: 'https://www.example.com',
    });
  });

  it('uses a real key with the dev login (to try the real OwnID SDK locally)', () => {
    const settings = resolveLocalSettings({ ...input, env: { OWNID_PRIVATE_KEY_FILE: './ownid.pem' } });
    expect(settings.devKey).toBe(false);
    expect(settings.devSession).toBe('jwt');
    expect(settings.functionEnv.OWNID_PRIVATE_KEY_FILE).toBe('./ownid.pem');
  });

  it('runs the opaque demo through the server session endpoint', () => {
    const settings = resolveLocalSettings({
      ...input,
      sessionMode: 'opaque',
      env: { SESSION_COOKIE_NAMES: 'x' },
    });
    expect(settings.functionEnv.SESSION_INTROSPECTION_URL).toBe('http://127.0.0.1:3000/demo/session');
    expect(settings.functionEnv.SESSION_INTROSPECTION_COOKIES).toBe('demo_sid');
    expect(settings.functionEnv.SESSION_COOKIE_NAMES).toBeUndefined();
  });

  it('refuses the opaque demo over real session settings', () => {
    expect(() =>
      resolveLocalSettings({
        ...input,
        sessionMode: 'opaque',
        env: { SESSION_JWT_ISSUER: 'https://login.example.com' },
      }),
    ).toThrow(/opaque/);
  });
});

describe('parseSessionMode', () => {
  it('accepts jwt (the default) and opaque only', () => {
    expect(parseSessionMode(undefined)).toBe('jwt');
    expect(parseSessionMode('')).toBe('jwt');
    expect(parseSessionMode('opaque')).toBe('opaque');
    expect(() => parseSessionMode('cookie')).toThrow(/jwt" or "opaque/);
  });
});
