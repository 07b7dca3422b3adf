// The function's signing key through its real middy chain and the real AWS SDK against the Secrets
// Manager stand-in: key formats and claim profiles, the region of a secret ARN, one read for many
// requests, and what a bad secret or a JWKS outage answers (docs/contract.md, Errors). Secrets Manager
// failing, hanging included: handler-secrets-manager-failures.test.ts (slow tier).
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { ecKey, rsaKey } from '../support/keys.ts';
import { createTestFunction, issuerSession, type Stand, startStand } from '../support/scenario.ts';

let stand: Stand;
beforeAll(async () => {
  stand = await startStand();
});
afterAll(() => stand.close());

describe('the key: formats, cache and failures', () => {
  it('PKCS#8 in JSON with a kid, and the session-creation profile', async () => {
    stand.secretsManager.secrets.set(
      'ownid/json',
      JSON.stringify({ privateKey: stand.ownIdKey.pkcs8Pem, kid: 'ownid-7' }),
    );
    const fn = createTestFunction({
      ...stand.env,
      OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/json',
      TOKEN_PROFILE: 'session-creation',
      TOKEN_SITE_URL: 'https://www.example.com',
      TOKEN_TTL_SECONDS: '120',
    });
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } }),
    );
    expect(result.statusCode).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(
      JSON.parse(result.body).token,
      createPublicKey(stand.ownIdKey.publicPem),
      {
        issuer: 'https://www.example.com',
        audience: 'https://www.example.com',
      },
    );
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'ownid-7' });
    expect(payload.sub).toBe('Email:ada@example.com');
    expect(payload.exp! - payload.iat!).toBe(120);
    expect(payload.authorization_details).toEqual([
      { type: 'sessionCreation', iat: payload.iat, exp: payload.iat! + 120 },
    ]);
  });

  it("a secret given by ARN is read in the ARN's region, not the function's", async () => {
    const arn = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:ownid/key-AbCdEf';
    stand.secretsManager.secrets.set(arn, stand.ownIdKey.pkcs1Pem);
    const fn = createTestFunction({ ...stand.env, OWNID_PRIVATE_KEY_SECRET_ID: arn });
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } }),
    );
    expect(result.statusCode).toBe(200);
    const call = stand.secretsManager.calls.lastIndexOf(arn);
    expect(stand.secretsManager.regions[call]).toBe('us-west-2');
    expect(stand.env.AWS_REGION).toBe('eu-west-1');
  });

  it('N requests, one GetSecretValue', async () => {
    stand.secretsManager.secrets.set('ownid/cache', stand.ownIdKey.pkcs1Pem);
    const fn = createTestFunction({ ...stand.env, OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/cache' });
    const bearer = await issuerSession(stand);
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        fn.invoke(restEvent({ headers: { Authorization: `Bearer ${bearer}` } })),
      ),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(stand.secretsManager.calls.filter((id) => id === 'ownid/cache')).toHaveLength(1);
  });

  it.each([
    ['a public key', () => rsaKey('ownid').publicPem, /public key/],
    ['an EC key', () => ecKey().sec1Pem, /EC key/],
    ['a 1024-bit key', () => rsaKey('small', 1024).pkcs1Pem, /1024 bits/],
  ])('%s in the secret -> 500 key_invalid, logged without the value', async (_label, makeSecret, detail) => {
    const secret = makeSecret();
    stand.secretsManager.secrets.set('ownid/bad', secret);
    const fn = createTestFunction({ ...stand.env, OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/bad' });
    const result = await fn.invoke(
      restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } }),
    );
    expect(result.statusCode).toBe(500);
    const line = JSON.parse(fn.logs.at(-1)!);
    expect(line).toMatchObject({ outcome: 'key_invalid', level: 'ERROR' });
    expect(line.detail).toMatch(detail);
    expect(fn.logs.join('\n')).not.toContain('BEGIN');
  });

  it('JWKS down with nothing cached -> 503 jwks_unavailable', async () => {
    const fn = createTestFunction(stand.env);
    stand.jwks.mode = 'down';
    try {
      const result = await fn.invoke(
        restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } }),
      );
      expect(result.statusCode).toBe(503);
      expect(result.headers['Retry-After']).toBe('5');
      expect(JSON.parse(fn.logs.at(-1)!).outcome).toBe('jwks_unavailable');
    } finally {
      stand.jwks.mode = 'ok';
    }
  });
});
