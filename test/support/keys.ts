// Keys generated at run time: nothing is committed. RSA generation is slow, so each size is made once per worker.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface RsaTestKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** PKCS#1, as the OwnID console hands it out. */
  readonly pkcs1Pem: string;
  readonly pkcs8Pem: string;
  readonly publicPem: string;
}

const rsaKeys = new Map<string, RsaTestKey>();

export function rsaKey(name = 'default', bits = 2048): RsaTestKey {
  const id = `${name}:${bits}`;
  let key = rsaKeys.get(id);
  if (key === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    key = {
      privateKey,
      publicKey,
      pkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    rsaKeys.set(id, key);
  }
  return key;
}

export function ecKey(): { privateKey: KeyObject; publicKey: KeyObject; pkcs8Pem: string; sec1Pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sec1Pem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  };
}

/** A public JWK for a JWKS document, with the fields issuers publish. */
export function publicJwk(publicKey: KeyObject, kid: string, alg = 'RS256'): Record<string, unknown> {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}
