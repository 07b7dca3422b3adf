// The outcome route's input: the body rules, and the token check (ours, this user's, recent) with
// real tokens from the function's own signer, forgeries built by hand and a frozen clock.
import { createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkOutcomeToken,
  MAX_OUTCOME_BODY_BYTES,
  parseOutcomeRequest,
} from '../../functions/generate-auth-token/policy/outcome-request.ts';
import { flipSignatureBit, swapPayload } from '../support/forged-tokens.ts';
import { ecKey, rsaKey } from '../support/keys.ts';
import { type OutcomeTokenIssuer, outcomeTokenIssuer, subjectFor } from '../support/outcome-tokens.ts';
import { decodeJwt, hs256WithPublicKey, rawSignedJwt, unsignedJwt } from '../support/tokens.ts';

const body = (value: unknown) => JSON.stringify(value);
const refusedAs = (reason: string, status = 400) => ({
  ok: false,
  refusal: expect.objectContaining({ status, reason }),
});

describe('parseOutcomeRequest', () => {
  it.each([
    [
      { token: 't.o.k', outcome: 'enrolled' },
      { outcome: 'enrolled', token: 't.o.k' },
    ],
    [
      { token: 't.o.k', outcome: 'cancelled' },
      { outcome: 'cancelled', token: 't.o.k' },
    ],
    [
      { token: 't.o.k', outcome: 'failed', detail: 'NotAllowedError' },
      { outcome: 'failed', token: 't.o.k', detail: 'NotAllowedError' },
    ],
    [{ outcome: 'ineligible' }, { outcome: 'ineligible' }],
    // Fields the route does not use are ignored, never passed on: an ineligible report's token included.
    [{ outcome: 'ineligible', token: 't.o.k', device: 'x' }, { outcome: 'ineligible' }],
    [
      { token: 't.o.k', outcome: 'enrolled', extra: { deep: [1] } },
      { outcome: 'enrolled', token: 't.o.k' },
    ],
  ])('accepts %j', (input, expected) => {
    expect(parseOutcomeRequest(body(input))).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['no body', null],
    ['an empty body', ''],
    ['not JSON', '{outcome: enrolled}'],
    ['JSON null', 'null'],
    ['a JSON array', body([{ outcome: 'ineligible' }])],
    ['a JSON string', body('ineligible')],
    ['no outcome', body({ token: 't.o.k' })],
    ['an unknown outcome', body({ token: 't.o.k', outcome: 'Enrolled' })],
    ['an inherited name as outcome', body({ token: 't.o.k', outcome: 'toString' })],
    ['no token for enrolled', body({ outcome: 'enrolled' })],
    ['an empty token', body({ outcome: 'cancelled', token: '' })],
    ['a token that is not a string', body({ outcome: 'failed', token: ['t.o.k'] })],
    ['a detail that is not a string', body({ outcome: 'ineligible', detail: 42 })],
    ['a detail of 201 characters', body({ outcome: 'ineligible', detail: 'x'.repeat(201) })],
    ['a detail with a lone surrogate', '{"outcome":"ineligible","detail":"\\ud800"}'],
    ['fields only on __proto__', '{"__proto__":{"outcome":"enrolled","token":"t.o.k"}}'],
  ])('refuses %s as malformed_body', (_name, input) => {
    expect(parseOutcomeRequest(input)).toEqual(refusedAs('malformed_body'));
  });

  it('reads own fields only, even with a polluted Object.prototype', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype.outcome = 'enrolled';
    prototype.token = 't.o.k';
    try {
      expect(parseOutcomeRequest('{}')).toEqual(refusedAs('malformed_body'));
    } finally {
      delete prototype.outcome;
      delete prototype.token;
    }
  });

  it('accepts 4096 bytes and a 200-character detail, refuses one byte more', () => {
    const exact = (size: number) => {
      const base = body({ outcome: 'ineligible', padding: '' });
      return body({ outcome: 'ineligible', padding: 'p'.repeat(size - base.length) });
    };
    expect(Buffer.byteLength(exact(MAX_OUTCOME_BODY_BYTES))).toBe(MAX_OUTCOME_BODY_BYTES);
    expect(parseOutcomeRequest(exact(MAX_OUTCOME_BODY_BYTES)).ok).toBe(true);
    expect(parseOutcomeRequest(exact(MAX_OUTCOME_BODY_BYTES + 1))).toEqual(refusedAs('malformed_body'));
    expect(parseOutcomeRequest(body({ outcome: 'ineligible', detail: 'é'.repeat(200) })).ok).toBe(true);
    // Bytes, not characters: 2,100 two-byte characters are over the cap.
    expect(parseOutcomeRequest(body({ outcome: 'ineligible', padding: 'é'.repeat(2100) }))).toEqual(
      refusedAs('malformed_body'),
    );
  });

  it('decodes a base64 body (as API Gateway passes binary media), UTF-8 strictly', () => {
    const encoded = (text: string | Buffer) => Buffer.from(text).toString('base64');
    expect(parseOutcomeRequest(encoded(body({ outcome: 'ineligible' })), true)).toEqual({
      ok: true,
      value: { outcome: 'ineligible' },
    });
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"outcome":"ineligible","detail":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect(parseOutcomeRequest(encoded(invalidUtf8), true)).toEqual(refusedAs('malformed_body'));
    const big = body({ outcome: 'ineligible', padding: 'p'.repeat(MAX_OUTCOME_BODY_BYTES) });
    expect(parseOutcomeRequest(encoded(big), true)).toEqual(refusedAs('malformed_body'));
  });
});

describe('checkOutcomeToken', () => {
  const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
  const ADA = 'ada@example.com';
  let ownid: OutcomeTokenIssuer;
  let stranger: OutcomeTokenIssuer;
  beforeAll(async () => {
    ownid = await outcomeTokenIssuer();
    stranger = await outcomeTokenIssuer('stranger');
  });
  const check = (token: string, email = ADA, nowMs = NOW) =>
    checkOutcomeToken(token, subjectFor(email), ownid.publicKey, nowMs);

  it('accepts our token for this user and names it by its jti', () => {
    const token = ownid.issue(ADA, NOW - 30_000, 'default', 'b3d1c2a0-jti');
    expect(check(token)).toEqual({ ok: true, value: { tokenId: 'b3d1c2a0-jti', issuedAt: NOW / 1000 - 30 } });
  });

  it('follows the claim profile: session-creation puts the email in sub as Email:<email>', () => {
    const token = ownid.issue(ADA, NOW, 'session-creation');
    expect(decodeJwt(token).payload.sub).toBe(`Email:${ADA}`);
    expect(checkOutcomeToken(token, subjectFor(ADA, 'session-creation'), ownid.publicKey, NOW).ok).toBe(true);
    expect(checkOutcomeToken(token, subjectFor(ADA, 'default'), ownid.publicKey, NOW)).toEqual(
      refusedAs('token_mismatch', 403),
    );
  });

  it('accepts the private key object as well as its public half', () => {
    const token = ownid.issue(ADA, NOW);
    expect(checkOutcomeToken(token, subjectFor(ADA), ownid.key.keyObject, NOW).ok).toBe(true);
  });

  it('ignores exp: the ceremony may outlast the 60 s token, not the 15 minutes', () => {
    const token = ownid.issue(ADA, NOW - 900_000);
    expect(decodeJwt(token).payload.exp).toBeLessThan(NOW / 1000);
    expect(check(token).ok).toBe(true);
    expect(check(ownid.issue(ADA, NOW - 901_000))).toEqual(refusedAs('token_too_old', 400));
  });

  it.each<[string, () => string]>([
    ['issued to another user', () => ownid.issue('bob@example.com', NOW)],
    ['signed by another key', () => stranger.issue(ADA, NOW)],
    ['with a flipped signature bit', () => flipSignatureBit(ownid.issue(ADA, NOW))],
    [
      'with its payload swapped for this user',
      () => swapPayload(ownid.issue('bob@example.com', NOW), { ...decodeJwt(ownid.issue(ADA, NOW)).payload }),
    ],
    ['with alg none', () => unsignedJwt({ alg: 'none' }, { sub: ADA, iat: NOW / 1000 })],
    [
      'HS256 with our public key as the secret',
      () =>
        hs256WithPublicKey(
          { typ: 'JWT' },
          { sub: ADA, iat: NOW / 1000 },
          ownid.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ),
    ],
    [
      'with a crit header',
      () =>
        rawSignedJwt({ alg: 'RS256', crit: ['x'], x: 1 }, { sub: ADA, iat: NOW / 1000 }, ownid.key.keyObject),
    ],
    ['with no iat', () => rawSignedJwt({ alg: 'RS256' }, { sub: ADA }, ownid.key.keyObject)],
    ['too old and another user’s', () => ownid.issue('bob@example.com', NOW - 3_600_000)],
    ['empty', () => ''],
    ['two segments', () => 'a.b'],
    ['four segments', () => `${ownid.issue(ADA, NOW)}.x`],
    ['not base64url', () => ownid.issue(ADA, NOW).replace('.', '.*')],
    [
      'with a variant spelling of its signature',
      () => {
        // 256 signature bytes leave 4 spare bits in the last character: flip one of them.
        const token = ownid.issue(ADA, NOW);
        const last = token.at(-1)!;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        return token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
      },
    ],
  ])('refuses a token %s as token_mismatch (403)', (_name, token) => {
    expect(check(token())).toEqual(refusedAs('token_mismatch', 403));
  });

  it('refuses when the configured key is not RSA, without asking crypto', () => {
    const token = ownid.issue(ADA, NOW);
    expect(checkOutcomeToken(token, subjectFor(ADA), ecKey().publicKey, NOW)).toEqual(
      refusedAs('token_mismatch', 403),
    );
    expect(
      checkOutcomeToken(token, subjectFor(ADA), createPublicKey(rsaKey('other').publicPem), NOW).ok,
    ).toBe(false);
  });

  it('names a token without a usable jti by a truncated SHA-256 of the token', () => {
    const claims = { sub: ADA, iat: NOW / 1000 };
    const first = rawSignedJwt({ alg: 'RS256' }, claims, ownid.key.keyObject);
    const odd = rawSignedJwt(
      { alg: 'RS256' },
      { ...claims, jti: 'has#hash and spaces' },
      ownid.key.keyObject,
    );
    const second = rawSignedJwt({ alg: 'RS256', typ: 'JWT' }, claims, ownid.key.keyObject);
    const idOf = (token: string) => {
      const result = check(token);
      return result.ok ? result.value.tokenId : undefined;
    };
    expect(idOf(first)).toMatch(/^sha256:[A-Za-z0-9_-]{32}$/);
    expect(idOf(first)).toBe(idOf(first));
    expect(idOf(second)).not.toBe(idOf(first));
    expect(idOf(odd)).toMatch(/^sha256:/);
  });
});
