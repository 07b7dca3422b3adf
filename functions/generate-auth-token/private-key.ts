// Turns the secret's text into the OwnID signing key. OwnID hands out PKCS#1 PEM; PKCS#8 works
// too, bare or as JSON {"privateKey", "kid"}. Copy-paste damage is repaired; anything that is not
// an RSA private key of at least 2048 bits is refused with a reason that never quotes the value.
import { createHash, createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { encodeTokenHeader, type TokenSigningKey } from './enrollment-token.ts';
import { PrivateKeyFormatError } from './errors.ts';
import { isJsonObject } from './json-object.ts';

export const MIN_RSA_BITS = 2048;

export interface OwnIdPrivateKey extends TokenSigningKey {
  readonly kid: string | undefined;
  readonly modulusBits: number;
  /** HMAC key for hashing emails in logs: derived from the private key, so stable across instances and secret. */
  readonly logHashKey: KeyObject;
  /** The public half: the outcome route checks that a reported token is one we signed. */
  readonly publicKey: KeyObject;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const PRIVATE_KEY_LABELS = new Set(['RSA PRIVATE KEY', 'PRIVATE KEY']);

export interface ParsedSecretString {
  readonly pem: string;
  readonly kid: string | undefined;
  /** The copy-paste damage that was repaired, in words (operator tools show it; the function ignores it). */
  readonly repairs: readonly string[];
}

export function parseSecretString(secretString: string): ParsedSecretString {
  let text = secretString.trim();
  let kid: string | undefined;
  const repairs: string[] = [];
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PrivateKeyFormatError('the secret looks like JSON but does not parse');
    }
    if (!isJsonObject(parsed)) {
      throw new PrivateKeyFormatError(
        'the secret JSON must be an object {"privateKey": "<PEM>", "kid": "<optional>"}',
      );
    }
    const { privateKey, kid: kidValue } = parsed;
    if (typeof privateKey !== 'string')
      throw new PrivateKeyFormatError('the secret JSON has no string "privateKey" field');
    if (
      kidValue !== undefined &&
      (typeof kidValue !== 'string' || kidValue === '' || kidValue.length > 256)
    ) {
      throw new PrivateKeyFormatError(
        'the secret JSON "kid" must be a non-empty string of at most 256 characters',
      );
    }
    text = privateKey.trim();
    kid = kidValue;
  }
  // "\n" left escaped by a JSON or shell round trip, and CRLF line ends.
  if (/\\[rn]/.test(text)) repairs.push('escaped "\\n" sequences turned back into line breaks');
  if (/\r/.test(text)) repairs.push('Windows (CRLF) line ends made plain');
  text = text.replace(/\\r/g, '').replace(/\\n/g, '\n').replace(/\r/g, '');
  const block = PEM_BLOCK.exec(text);
  if (block === null) {
    throw new PrivateKeyFormatError('no PEM block found (expected the OwnID RSA private key in PEM form)');
  }
  if (text.slice(0, block.index).trim() !== '' || text.slice(block.index + block[0].length).trim() !== '') {
    repairs.push('text around the PEM block dropped');
  }
  const label = block[1] ?? '';
  const rawBody = block[2] ?? '';
  if (label === 'ENCRYPTED PRIVATE KEY' || /^\s*Proc-Type:\s*4,\s*ENCRYPTED/m.test(rawBody)) {
    throw new PrivateKeyFormatError(
      'found an encrypted (passphrase-protected) private key; store it decrypted (openssl pkey -in <file> -out <decrypted file>)',
    );
  }
  if (!PRIVATE_KEY_LABELS.has(label)) {
    const what = label.includes('PUBLIC')
      ? 'a public key'
      : label.includes('EC')
        ? 'an EC key'
        : label.includes('CERTIFICATE')
          ? 'a certificate'
          : `a "${label}" block`;
    throw new PrivateKeyFormatError(`found ${what}; the OwnID RSA private key is needed`);
  }
  // Re-wrap the base64 body: collapsed lines and stray spaces are the usual paste damage.
  const body = rawBody.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new PrivateKeyFormatError('the PEM body is not base64');
  const lines = body.match(/.{1,64}/g) ?? [];
  if (rawBody.trim() !== lines.join('\n')) {
    repairs.push('base64 body re-wrapped into 64-character lines');
  }
  return {
    pem: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`,
    kid,
    repairs,
  };
}

export async function importOwnIdPrivateKey(secretString: string): Promise<OwnIdPrivateKey> {
  const { pem, kid } = parseSecretString(secretString);
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new PrivateKeyFormatError('the PEM does not decode as a private key (truncated or corrupted)');
  }
  if (keyObject.asymmetricKeyType !== 'rsa') {
    const type = (keyObject.asymmetricKeyType ?? 'unknown').toUpperCase();
    throw new PrivateKeyFormatError(`found a key of type ${type}; RS256 needs an RSA key`);
  }
  const modulusBits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  if (modulusBits < MIN_RSA_BITS) {
    throw new PrivateKeyFormatError(
      `the RSA key has ${modulusBits} bits; at least ${MIN_RSA_BITS} are required`,
    );
  }
  const logHashKey = createSecretKey(
    createHash('sha256')
      .update('ownid-enrollment/log-email-hash\0')
      .update(keyObject.export({ type: 'pkcs1', format: 'der' }))
      .digest(),
  );
  return Object.freeze({
    keyObject,
    kid,
    encodedHeader: encodeTokenHeader(kid),
    modulusBits,
    logHashKey,
    publicKey: createPublicKey(keyObject),
  });
}
