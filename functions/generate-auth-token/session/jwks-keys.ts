// Which keys of an issuer's JWKS may verify a session. aws-jwt-verify checks a JWK's shape, and that
// a token's alg equals the JWK's alg when the JWK states one; it does not check a key's strength or
// curve, nor bind a key that states no alg. So a 1024-bit RSA key would verify sessions, a P-384 key
// tokens labelled ES256, and an RSA key without alg whatever alg a token names. Each key is judged
// here once per download: RSA of at least 2048 bits for RS256, P-256 for ES256, and the kept key
// carries that one alg, which the library then holds every token to.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { JwksValidationError } from 'aws-jwt-verify/error';
import { assertIsJwks, type Jwk, type Jwks } from 'aws-jwt-verify/jwk';
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';

export const MIN_RSA_BITS = 2048;
/** FIPS 186-5: an RSA public exponent is odd and greater than 2^16. */
const MIN_RSA_EXPONENT = 65_537n;

export type SessionAlg = 'RS256' | 'ES256';
type Judgement = { readonly alg: SessionAlg } | { readonly refused: string };

export function judgeJwk(jwk: Jwk): Judgement {
  if (typeof jwk.kid !== 'string' || jwk.kid === '') return { refused: 'no kid' };
  if (jwk.use !== undefined && jwk.use !== 'sig') return { refused: `use "${jwk.use}" is not "sig"` };
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC')
    return { refused: `key type ${jwk.kty} is not accepted (RS256 and ES256 only)` };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return { refused: `not a valid ${jwk.kty} public key` };
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      return { refused: `RSA key of ${bits} bits; RS256 needs at least ${MIN_RSA_BITS}` };
    const exponent = details.publicExponent ?? 0n;
    if (exponent < MIN_RSA_EXPONENT || exponent % 2n === 0n)
      return { refused: `RSA public exponent ${exponent}; it must be odd and at least ${MIN_RSA_EXPONENT}` };
    return boundTo('RS256', jwk.alg);
  }
  if (details.namedCurve !== 'prime256v1')
    return { refused: `EC key on ${jwk.crv ?? details.namedCurve}; ES256 needs P-256` };
  return boundTo('ES256', jwk.alg);
}

function boundTo(alg: SessionAlg, stated: string | undefined): Judgement {
  return stated === undefined || stated === alg ? { alg } : { refused: `alg ${stated} on a key for ${alg}` };
}

/** The downloaded JWKS with its usable keys only, each bound to its alg. None usable is the issuer's fault. */
export function usableJwks(body: Uint8Array): Jwks {
  let jwks: Jwks;
  try {
    const parsed = safeJsonParse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    assertIsJwks(parsed);
    jwks = parsed;
  } catch (error) {
    throw new JwksValidationError(
      `JWKS is not a valid JWK set: ${error instanceof Error ? error.message : ''}`,
    );
  }
  const keys: Jwk[] = [];
  const refusals: string[] = [];
  for (const jwk of jwks.keys) {
    const judgement = judgeJwk(jwk);
    if ('alg' in judgement) keys.push({ ...jwk, alg: judgement.alg });
    else refusals.push(`kid ${JSON.stringify(String(jwk.kid ?? '').slice(0, 64))}: ${judgement.refused}`);
  }
  if (keys.length === 0) {
    throw new JwksValidationError(`no usable key in the JWKS (${refusals.join('; ') || 'it has no keys'})`);
  }
  return { keys };
}
