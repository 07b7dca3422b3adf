// What an operator needs to know about a key, computed by the function's own checks: usable or not
// (and why), its format, the paste damage repaired, and the public half to compare with OwnID.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import {
  importOwnIdPrivateKey,
  type OwnIdPrivateKey,
  parseSecretString,
} from '../../functions/generate-auth-token/operator-api.ts';

export interface KeyReport {
  readonly key: OwnIdPrivateKey;
  /** The repaired PEM: what key:put stores. Never printed. */
  readonly pem: string;
  readonly format: 'PKCS#1' | 'PKCS#8';
  readonly repairs: readonly string[];
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
  /** RFC 7638 SHA-256 thumbprint of the public JWK. */
  readonly thumbprint: string;
}

/** Throws the function's PrivateKeyFormatError, whose message says what the text is instead. */
export async function examineKeyText(text: string): Promise<KeyReport> {
  const { pem, repairs } = parseSecretString(text);
  const key = await importOwnIdPrivateKey(text);
  const publicKey = createPublicKey(key.keyObject);
  return {
    key,
    pem,
    // PKCS#1 labels its block "RSA"; PKCS#8 does not.
    format: /^-+BEGIN RSA /.test(pem) ? 'PKCS#1' : 'PKCS#8',
    repairs,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    thumbprint: await publicKeyThumbprint(publicKey),
  };
}

export async function publicKeyThumbprint(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
}

export function describeKey(report: KeyReport): string {
  const origin = report.format === 'PKCS#1' ? ' (as the OwnID console hands it out)' : '';
  const kid = report.key.kid === undefined ? '' : `, kid "${report.key.kid}"`;
  return `RSA ${report.key.modulusBits}-bit private key, ${report.format}${origin}${kid}`;
}

export function publicKeyLines(report: KeyReport): string[] {
  return [
    'Public key (compare with the public key in the OwnID console):',
    ...report.publicKeyPem.trimEnd().split('\n'),
    `JWK thumbprint (SHA-256): ${report.thumbprint}`,
  ];
}
