// What the local server hands the function: real settings untouched, dev mode only for what is missing.
import { describe, expect, it } from 'vitest';
import { parseSessionMode, resolveLocalSettings, usesEmbeddedStateStore } from '../../dev/local-settings.ts';

const input = {
  callbackBase: 'http://127.0.0.1:3000',
  ownOrigins: ['http://127.0.0.1:3000', 'http://localhost:3000'],
  sessionMode: 'jwt' as const,
  devKeyPath: '/repo/.local/ownid-dev-private-key.pem',
};

describe('resolveLocalSettings', () => {
  it('turns the EventBridge event off unless EventBridge is named (the demo never calls AWS)', () => {
    expect(resolveLocalSettings({ ...input, env: {} }).functionEnv.ENROLLMENT_EVENTS).toBe('false');
    const named = { AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:4010' };
    expect(resolveLocalSettings({ ...input, env: named }).functionEnv.ENROLLMENT_EVENTS).toBeUndefined();
    const asked = { ENROLLMENT_EVENTS: 'true' };
    expect(resolveLocalSettings({ ...input, env: asked }).functionEnv.ENROLLMENT_EVENTS).toBe('true');
  });

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
      ENROLLMENT_EVENTS: 'false',
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
      ENROLLMENT_EVENTS: 'false',
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

describe('the state store settings', () => {
  const embeddedStore = { endpoint: 'http://127.0.0.1:45678', tableName: 'enrollment-state-local' };

  it('points the function at the embedded store, with a region and local credentials when none are set', () => {
    expect(usesEmbeddedStateStore({})).toBe(true);
    const settings = resolveLocalSettings({ ...input, env: {}, embeddedStore });
    expect(settings.functionEnv).toMatchObject({
      ENROLLMENT_STATE_TABLE: 'enrollment-state-local',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:45678',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POLICY_STORE_TIMEOUT_MS: '1500',
    });
    expect(settings.stateStore).toMatch(
      /^embedded dynalite http:\/\/127\.0\.0\.1:45678, table enrollment-state-local/,
    );
  });

  it('keeps credentials and a region that are set (a Secrets Manager key still needs them)', () => {
    const env = {
      OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/key',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session',
    };
    const settings = resolveLocalSettings({ ...input, env, embeddedStore });
    expect(settings.functionEnv).toMatchObject(env);
  });

  it('passes a configured table through untouched; a loopback endpoint gets local credentials', () => {
    const env = { ENROLLMENT_STATE_TABLE: 'mine', AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000' };
    expect(usesEmbeddedStateStore(env)).toBe(false);
    const settings = resolveLocalSettings({ ...input, env });
    expect(settings.functionEnv).toMatchObject({
      ...env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_REGION: 'us-east-1',
    });
    expect(settings.stateStore).toBe('table mine at http://localhost:8000');
  });

  it('leaves a table in AWS alone: no local credentials', () => {
    const env = { ENROLLMENT_STATE_TABLE: 'prod-like', AWS_REGION: 'eu-west-1' };
    const settings = resolveLocalSettings({ ...input, env });
    expect(settings.functionEnv.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(settings.stateStore).toBe('table prod-like at DynamoDB in eu-west-1');
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
