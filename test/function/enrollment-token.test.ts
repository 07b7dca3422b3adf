import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import {
  enrollmentTokenClaims,
  signEnrollmentToken,
} from '../../functions/generate-auth-token/enrollment-token.ts';
import { importOwnIdPrivateKey } from '../../functions/generate-auth-token/private-key.ts';
import { rsaKey } from '../support/keys.ts';
import { decodeJwt } from '../support/tokens.ts';

const NOW = 1_800_000_000;
const base = {
  OWNID_PRIVATE_KEY_SECRET_ID: 'k',
  SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_A1',
  SESSION_COGNITO_CLIENT_IDS: 'c',
};

describe('enrollment token claims (frozen clock)', () => {
  it("default profile: the guide's claims", () => {
    const { token } = parseConfig(base);
    expect(enrollmentTokenClaims('ada@example.com', token, NOW + 0.9, 'jti-1')).toEqual({
      sub: 'ada@example.com',
      iss: 'OwnID',
      aud: 'OwnID',
      iat: NOW,
      exp: NOW + 60,
      jti: 'jti-1',
    });
  });

  it('session-creation profile: site URL, Email: subject, authorization_details capped at 300 s', () => {
    const { token } = parseConfig({
      ...base,
      TOKEN_PROFILE: 'session-creation',
      TOKEN_SITE_URL: 'https://www.example.com',
      TOKEN_TTL_SECONDS: '300',
    });
    expect(enrollmentTokenClaims('ada@example.com', token, NOW, 'jti-2')).toEqual({
      iss: 'https://www.example.com',
      aud: 'https://www.example.com',
      sub: 'Email:ada@example.com',
      jti: 'jti-2',
      iat: NOW,
      exp: NOW + 300,
      authorization_details: [{ type: 'sessionCreation', iat: NOW, exp: NOW + 300 }],
    });
  });

  it('signs RS256 with typ JWT and the kid when configured', async () => {
    const pem = rsaKey('ownid');
    const key = await importOwnIdPrivateKey(JSON.stringify({ privateKey: pem.pkcs1Pem, kid: 'ownid-1' }));
    const { token: tokenConfig } = parseConfig(base);
    const token = await signEnrollmentToken('ada@example.com', key, tokenConfig, NOW, 'fixed');
    const { header, payload } = decodeJwt(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'ownid-1' });
    expect(payload).toEqual({
      sub: 'ada@example.com',
      iss: 'OwnID',
      aud: 'OwnID',
      iat: NOW,
      exp: NOW + 60,
      jti: 'fixed',
    });
    const [h, p, s] = token.split('.');
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        createPublicKey(pem.publicPem),
        Buffer.from(s!, 'base64url'),
      ),
    ).toBe(true);
  });
});
