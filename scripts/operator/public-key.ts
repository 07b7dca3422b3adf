// A public key given on the command line: a PEM file (public, or a private key whose public half is
// taken), PEM text, or a JWK JSON file.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OperatorError } from './io.ts';

export function loadPublicKey(spec: string): KeyObject {
  let text = spec;
  if (!spec.includes('-----BEGIN') && !spec.trimStart().startsWith('{')) {
    try {
      text = readFileSync(spec, 'utf8');
    } catch (error) {
      throw new OperatorError(
        `cannot read the public key file ${spec} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  try {
    if (text.trimStart().startsWith('{'))
      return createPublicKey({ key: JSON.parse(text) as never, format: 'jwk' });
    return createPublicKey(text.replace(/\\n/g, '\n').replace(/\r/g, ''));
  } catch {
    throw new OperatorError(
      `${spec.includes('-----BEGIN') ? 'the --public-key text' : spec} holds no public key (PEM or JWK expected)`,
    );
  }
}
