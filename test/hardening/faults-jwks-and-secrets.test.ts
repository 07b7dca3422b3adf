// JWKS rotation, outage and hang under the function, and secrets that do not hold the OwnID RSA private
// key: each refused plainly, never quoted in a log line. The stand and its checks: test/support/fault-stand.ts.
import { describe, expect, it } from 'vitest';
import {
  ADA,
  ada,
  audit,
  cognitoAda,
  countJwks,
  expectCleanLogs,
  expectUnavailable,
  expectUnavailableInTime,
  ISSUER_JWKS,
  LAMBDA_TIMEOUT_MS,
  newFunction,
  stand,
  timedInvoke,
  useFaultStand,
} from '../support/fault-stand.ts';
import { issuerClaims } from '../support/forged-tokens.ts';
import { expectContractResponse, expectIssuedFor } from '../support/hardening-assertions.ts';
import { ecKey, publicJwk, rsaKey } from '../support/keys.ts';
import { ISSUER_KID, SECRET_ID } from '../support/scenario.ts';
import { sessionJwt } from '../support/tokens.ts';

useFaultStand();

describe('JWKS faults', () => {
  it.each([
    ['down (503)', 'down'],
    ['answering HTML', 'html'],
  ] as const)('JWKS %s with nothing cached: 503 jwks_unavailable', async (_label, mode) => {
    stand.jwks.mode = mode;
    const fn = newFunction();
    for (const token of [ada, cognitoAda]) {
      const { result, line, elapsedMs } = await timedInvoke(fn, token);
      expectUnavailable(result);
      expect(line).toMatchObject({ outcome: 'jwks_unavailable', status: 503 });
      expect(elapsedMs).toBeLessThan(LAMBDA_TIMEOUT_MS);
    }
  });

  it('JWKS hanging with nothing cached: 503 within the Lambda timeout', async () => {
    stand.jwks.mode = 'hang';
    await expectUnavailableInTime(newFunction(), 'jwks_unavailable');
  });

  it('JWKS down after it was cached: known kids keep working', async () => {
    const fn = newFunction();
    await fn.runtime.warmUp();
    stand.jwks.mode = 'down';
    await expectIssuedFor((await timedInvoke(fn)).result, ADA, stand.ownIdKey.pkcs1Pem);
    await expectIssuedFor((await timedInvoke(fn, cognitoAda)).result, ADA, stand.ownIdKey.pkcs1Pem);
  });

  it('unknown kids during a JWKS outage do not turn every request into a JWKS download', async () => {
    const fn = newFunction();
    await fn.runtime.warmUp();
    stand.jwks.mode = 'down';
    const before = countJwks(ISSUER_JWKS);
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const token = await sessionJwt(issuerClaims(), stand.issuerKey.privateKey, { kid: `rotated-${i}` });
      const { result } = await timedInvoke(fn, token);
      expect([401, 503]).toContain(result.statusCode);
      expectContractResponse(result, undefined);
    }
    const allowed = 1 + Math.floor((performance.now() - started) / 10_000);
    expect(countJwks(ISSUER_JWKS) - before).toBeLessThanOrEqual(allowed);
  });

  it('JWKS rotation: a new kid is picked up, but not before the 10 s cool-down after a miss', async () => {
    const fn = newFunction();
    await fn.runtime.warmUp();
    const nextKey = rsaKey('issuer-next');
    const rotatedToken = await sessionJwt(issuerClaims(), nextKey.privateKey, { kid: 'issuer-key-2' });
    audit.noteSecret(rotatedToken);

    // The issuer starts signing with the new key before publishing it: one download, then a miss.
    const fetches0 = countJwks(ISSUER_JWKS);
    const early = await timedInvoke(fn, rotatedToken);
    expect(early.result.statusCode).toBe(401);
    expect(early.line.outcome).toBe('bad_signature');
    expect(countJwks(ISSUER_JWKS) - fetches0).toBe(1);

    // Published now, but the verifier is cooling down: no download, still 401.
    stand.jwks.keysByPath.set(ISSUER_JWKS, [
      publicJwk(stand.issuerKey.publicKey, ISSUER_KID),
      publicJwk(nextKey.publicKey, 'issuer-key-2'),
    ]);
    const missedAt = performance.now();
    const cooling = await timedInvoke(fn, rotatedToken);
    expect(cooling.result.statusCode).toBe(401);
    expect(countJwks(ISSUER_JWKS) - fetches0).toBe(1);
    // The old kid is unaffected by the cool-down.
    expect((await timedInvoke(fn)).result.statusCode).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10_100 - (performance.now() - missedAt))));
    const picked = await timedInvoke(fn, rotatedToken);
    await expectIssuedFor(picked.result, ADA, stand.ownIdKey.pkcs1Pem);
    expect(countJwks(ISSUER_JWKS) - fetches0).toBe(2);
    expect((await timedInvoke(fn)).result.statusCode).toBe(200);
  }, 30_000);
});

describe('a secret that does not hold the OwnID RSA private key: 500 key_invalid, said plainly, never quoted', () => {
  const weak = () => rsaKey('weak', 1024);
  const ec = ecKey();
  const cases: readonly { name: string; secret: () => string; detail: RegExp }[] = [
    { name: 'an RSA public key (SPKI)', secret: () => stand.ownIdKey.publicPem, detail: /public key/ },
    {
      name: 'an RSA public key (PKCS#1)',
      secret: () => stand.ownIdKey.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      detail: /public key/,
    },
    { name: 'an EC private key (SEC1)', secret: () => ec.sec1Pem, detail: /EC key/ },
    {
      name: 'an EC private key (PKCS#8)',
      secret: () => ec.pkcs8Pem,
      detail: /key of type EC; RS256 needs an RSA key/,
    },
    { name: 'a 1024-bit RSA key', secret: () => weak().pkcs1Pem, detail: /1024 bits; at least 2048/ },
    { name: 'garbage text', secret: () => 'hunter2-not-a-key', detail: /no PEM block/ },
    {
      name: 'a truncated PEM',
      secret: () => stand.ownIdKey.pkcs1Pem.slice(0, 400) + stand.ownIdKey.pkcs1Pem.slice(-30),
      detail: /does not decode|not base64/,
    },
    {
      name: 'JSON without privateKey',
      secret: () => JSON.stringify({ key: stand.ownIdKey.pkcs1Pem }),
      detail: /no string "privateKey"/,
    },
    {
      name: 'JSON with an empty kid',
      secret: () => JSON.stringify({ privateKey: stand.ownIdKey.pkcs1Pem, kid: '' }),
      detail: /"kid" must be/,
    },
    {
      name: 'JSON that does not parse',
      secret: () => `{"privateKey": "${'A'.repeat(40)}`,
      detail: /does not parse/,
    },
    {
      name: 'a certificate',
      secret: () => '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      detail: /found a certificate; the OwnID RSA private key is needed/,
    },
    { name: 'whitespace only', secret: () => '   \n ', detail: /no SecretString/ },
  ];

  it.each(cases)('$name', async ({ secret, detail }) => {
    const value = secret();
    stand.secretsManager.secrets.set(SECRET_ID, value);
    const fn = newFunction();
    const { result, line } = await timedInvoke(fn);
    expect(result.statusCode).toBe(500);
    expectContractResponse(result, undefined);
    expect(line).toMatchObject({ outcome: 'key_invalid', status: 500, level: 'ERROR' });
    expect(line.detail).toMatch(detail);
    for (const logLine of fn.logs) expectNoKeyMaterial(logLine, value);
  });

  it.each([
    ['PKCS#8 PEM', () => stand.ownIdKey.pkcs8Pem],
    ['PKCS#1 with CRLF line ends', () => stand.ownIdKey.pkcs1Pem.replace(/\n/g, '\r\n')],
    ['PKCS#1 with escaped \\n (a JSON round trip)', () => stand.ownIdKey.pkcs1Pem.replace(/\n/g, '\\n')],
    ['JSON {privateKey} without a kid', () => JSON.stringify({ privateKey: stand.ownIdKey.pkcs1Pem })],
  ])('control: %s is accepted', async (_name, secret) => {
    stand.secretsManager.secrets.set(SECRET_ID, secret());
    const fn = newFunction();
    await expectIssuedFor((await timedInvoke(fn)).result, ADA, stand.ownIdKey.pkcs1Pem);
  });
});

/** No 16-character run of the secret's base64 (or the secret itself) appears in the line. */
function expectNoKeyMaterial(line: string, secret: string) {
  expect(line).not.toContain('-----BEGIN');
  const body = secret.replace(/-----[A-Z ]+-----/g, '').replace(/\\n|\s/g, '');
  for (let i = 0; i + 16 <= body.length; i += 8) expect(line).not.toContain(body.slice(i, i + 16));
  if (secret.trim().length >= 8) expect(line).not.toContain(secret.trim());
}

describe('log audit of the faults', () => {
  it('no line holds a PEM, a JWT or an email, and every refusal has a reason code', () => {
    expectCleanLogs(40);
  });
});
