// Zero-config dev mode's files: an OwnID-style signing key and the dev session issuer's key, made on
// first run under `.local/` (git-ignored), owner-only. Keys are made here and never leave the machine:
// the server serves public halves only.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OWNID_DEV_KEY_FILE = 'ownid-dev-private-key.pem';
export const SESSION_ISSUER_KEY_FILE = 'dev-session-issuer-key.pem';

export interface DevFiles {
  readonly dir: string;
  readonly ownidKeyPath: string;
  readonly sessionIssuerKeyPath: string;
  /** File names made by this call (empty when every file was already there). */
  readonly created: readonly string[];
}

const README = `Dev-mode files of the local server (npm start). Never commit or deploy them.

${OWNID_DEV_KEY_FILE}    stands in for the OwnID console's private key (PKCS#1 PEM, RSA 2048).
                              OwnID does not know it: tokens signed with it only satisfy the offline stand-in.
${SESSION_ISSUER_KEY_FILE}  signs the demo login's session JWTs (its JWKS is served at /dev-issuer/jwks.json).

Delete this folder to start over; the next npm start makes new keys.
`;

/** Creates whatever is missing; keeps existing keys (sessions and tokens survive restarts). */
export function ensureDevFiles(dir: string): DevFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves the mode of a folder that is already there alone: make it owner-only too.
  chmodSync(dir, 0o700);
  const created: string[] = [];
  const ownidKeyPath = join(dir, OWNID_DEV_KEY_FILE);
  const sessionIssuerKeyPath = join(dir, SESSION_ISSUER_KEY_FILE);
  // PKCS#1, as the OwnID console hands keys out, so dev mode exercises the same parsing path.
  if (ensureKey(ownidKeyPath, (key) => key.export({ type: 'pkcs1', format: 'pem' }).toString()))
    created.push(OWNID_DEV_KEY_FILE);
  if (ensureKey(sessionIssuerKeyPath, (key) => key.export({ type: 'pkcs8', format: 'pem' }).toString())) {
    created.push(SESSION_ISSUER_KEY_FILE);
  }
  const readme = join(dir, 'README.txt');
  if (!existsSync(readme)) writeFileSync(readme, README, { mode: 0o644 });
  return { dir, ownidKeyPath, sessionIssuerKeyPath, created };
}

function ensureKey(path: string, encode: (key: KeyObject) => string): boolean {
  if (existsSync(path)) {
    // A copy or an editor may have loosened the mode; a key file stays owner-only.
    chmodSync(path, 0o600);
    readPrivateKey(path);
    return false;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // `wx`: never overwrite a key another process wrote in the meantime.
  writeFileSync(path, encode(privateKey), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return true;
}

export function readPrivateKey(path: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not a readable private key PEM; delete it and start again to make a new one`);
  }
}

/** The public half as a JWK with only public members (kty, n, e), for the browser to verify with. */
export function publicJwkOf(
  privateKey: KeyObject,
  extra: Record<string, string> = {},
): Record<string, string> {
  const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kty: kty ?? 'RSA', n: n ?? '', e: e ?? '', ...extra };
}
