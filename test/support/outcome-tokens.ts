// Enrollment tokens as the function issues them (its own signer and claim profiles, a run-time
// key), for the outcome route's token check.
import { createPublicKey } from 'node:crypto';
import type { TokenConfig, TokenProfile } from '../../functions/generate-auth-token/config.ts';
import {
  enrollmentTokenClaims,
  signEnrollmentToken,
} from '../../functions/generate-auth-token/enrollment-token.ts';
import {
  importOwnIdPrivateKey,
  type OwnIdPrivateKey,
} from '../../functions/generate-auth-token/private-key.ts';
import { type RsaTestKey, rsaKey } from './keys.ts';

export function tokenConfig(profile: TokenProfile = 'default'): TokenConfig {
  return {
    profile,
    ttlSeconds: 60,
    issuer: 'https://enroll.example.com',
    audience: 'ownid',
    siteUrl: undefined,
  };
}

/** The `sub` the profile gives this email: what checkOutcomeToken expects for a session. */
export const subjectFor = (email: string, profile: TokenProfile = 'default') =>
  enrollmentTokenClaims(email, tokenConfig(profile), 0, '').sub;

export interface OutcomeTokenIssuer {
  readonly key: OwnIdPrivateKey;
  readonly publicKey: ReturnType<typeof createPublicKey>;
  issue(email: string, nowMs: number, profile?: TokenProfile, jti?: string): string;
}

export function outcomeTokenIssuer(name = 'ownid'): Promise<OutcomeTokenIssuer> {
  return outcomeTokenIssuerFor(rsaKey(name));
}

export async function outcomeTokenIssuerFor(rsa: Pick<RsaTestKey, 'pkcs1Pem'>): Promise<OutcomeTokenIssuer> {
  const key = await importOwnIdPrivateKey(rsa.pkcs1Pem);
  return {
    key,
    publicKey: createPublicKey(key.keyObject),
    issue: (email, nowMs, profile = 'default', jti) =>
      signEnrollmentToken(email, key, tokenConfig(profile), nowMs / 1000, jti),
  };
}
