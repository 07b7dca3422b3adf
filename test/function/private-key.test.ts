import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PrivateKeyFormatError } from '../../functions/generate-auth-token/errors.ts';
import { importOwnIdPrivateKey, parseSecretString } from '../../functions/generate-auth-token/private-key.ts';
import { ecKey, rsaKey } from '../support/keys.ts';

async function signsVerifiably(secret: string, publicPem: string) {
  const key = await importOwnIdPrivateKey(secret);
  const data = new TextEncoder().encode('probe');
  const signature = sign('sha256', data, key.keyObject);
  return verify('sha256', data, createPublicKey(publicPem), signature);
}

describe('the OwnID private key from the secret', () => {
  const key = rsaKey('ownid');

  it.each([
    ['PKCS#1 as OwnID hands it out', key.pkcs1Pem],
    ['PKCS#8', key.pkcs8Pem],
    ['surrounding whitespace and CRLF', `\n  ${key.pkcs1Pem.replace(/\n/g, '\r\n')}  \n`],
    ['\\n left escaped', key.pkcs1Pem.replace(/\n/g, '\\n')],
    ['lines collapsed onto one', key.pkcs1Pem.replace(/\n/g, ' ')],
    ['JSON {privateKey}', JSON.stringify({ privateKey: key.pkcs1Pem })],
    ['JSON with \\n double-escaped', JSON.stringify({ privateKey: key.pkcs8Pem.replace(/\n/g, '\\n') })],
  ])('imports %s', async (_label, secret) => {
    expect(await signsVerifiably(secret, key.publicPem)).toBe(true);
  });

  it('takes kid from the JSON form', async () => {
    const imported = await importOwnIdPrivateKey(JSON.stringify({ privateKey: key.pkcs1Pem, kid: 'k-2026' }));
    expect(imported.kid).toBe('k-2026');
    expect(imported.modulusBits).toBe(2048);
  });

  const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  it.each([
    ['a public key', key.publicPem, /public key/],
    ['an EC key (SEC1)', ecKey().sec1Pem, /EC key/],
    ['an EC key (PKCS#8)', ecKey().pkcs8Pem, /key of type EC; RS256 needs an RSA key/],
    ['a 1024-bit RSA key', small, /1024 bits; at least 2048/],
    ['garbage', 'hello world', /no PEM block/],
    ['a truncated PEM', `${key.pkcs1Pem.slice(0, 400)}\n-----END RSA PRIVATE KEY-----`, /does not decode/],
    ['JSON without privateKey', '{"key": "x"}', /no string "privateKey"/],
    ['broken JSON', '{"privateKey": ', /does not parse/],
    ['an empty string', '   ', /no PEM block/],
  ])('refuses %s with a reason that quotes no key material', async (_label, secret, reason) => {
    const error = await importOwnIdPrivateKey(secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivateKeyFormatError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toMatch(/MII|BEGIN/);
  });

  it('normalises the PEM to 64-column lines', () => {
    const { pem } = parseSecretString(key.pkcs1Pem.replace(/\n/g, ''));
    const body = pem.split('\n').slice(1, -2);
    expect(body.every((line) => line.length <= 64)).toBe(true);
  });
});
