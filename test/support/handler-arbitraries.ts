// The fast-check arbitraries of the handler property tests: token-shaped strings, mutations of the
// stand's valid sessions, header names and values, cookies of any byte, and whole API Gateway events.
import fc from 'fast-check';
import { restEvent } from './events.ts';
import { AMPLIFY, FOREIGN_ORIGINS, invalidTokens, VALID_SID, validTokens } from './handler-properties.ts';
import { ALLOWED_ORIGINS } from './hardening-assertions.ts';

export const base64urlChar = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
);
const segment = fc.string({ unit: base64urlChar, minLength: 0, maxLength: 60 });
const tokenShaped = fc.oneof(
  fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
  fc.array(segment, { minLength: 1, maxLength: 7 }).map((parts) => parts.join('.')),
  fc
    .jsonValue()
    .map(
      (value) =>
        `${Buffer.from('{"alg":"RS256","kid":"issuer-key-1"}').toString('base64url')}.${Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')}.AAAA`,
    ),
);

export type Mutation = { token: string; mutated: string; kind: string };
export const mutation: fc.Arbitrary<Mutation> = fc
  .record({
    tokenIndex: fc.nat(),
    kind: fc.constantFrom(
      'replace',
      'delete',
      'insert',
      'truncate',
      'swap',
      'case',
      'dup',
      'segment-json',
      'noop',
      'append',
    ),
    position: fc.nat(),
    char: fc.oneof(base64urlChar, fc.constantFrom('.', '=', '+', '/', ' ', '%', '"', ';', '\u0000', 'é')),
    json: fc.dictionary(
      fc.constantFrom(
        'alg',
        'kid',
        'iss',
        'aud',
        'email',
        'exp',
        'iat',
        'nbf',
        'token_use',
        'email_verified',
        '__proto__',
        'jku',
        'crit',
      ),
      fc.jsonValue(),
      { maxKeys: 3 },
    ),
  })
  .map(({ tokenIndex, kind, position, char, json }) => {
    const token = validTokens[tokenIndex % validTokens.length] ?? '';
    const at = position % (token.length + 1);
    const parts = token.split('.');
    let mutated = token;
    switch (kind) {
      case 'replace': {
        const replacement = token[at] === char ? (char === 'A' ? 'B' : 'A') : char;
        mutated = token.slice(0, at) + replacement + token.slice(at + 1);
        break;
      }
      case 'delete':
        mutated = token.slice(0, at) + token.slice(at + 1);
        break;
      case 'insert':
        mutated = token.slice(0, at) + char + token.slice(at);
        break;
      case 'truncate':
        mutated = token.slice(0, at);
        break;
      case 'swap':
        mutated = [parts[1], parts[0], parts[2]].join('.');
        break;
      case 'case':
        mutated = token.slice(0, at) + (token[at] ?? '').toUpperCase() + token.slice(at + 1);
        break;
      case 'dup':
        mutated = `${token}.${parts[position % 3] ?? ''}`;
        break;
      case 'segment-json': {
        // Re-encode the header or payload with changed members, keeping the original signature.
        const which = position % 2;
        const decoded = JSON.parse(Buffer.from(parts[which] ?? '', 'base64url').toString('utf8')) as Record<
          string,
          unknown
        >;
        const changed = Buffer.from(JSON.stringify({ ...decoded, ...json })).toString('base64url');
        mutated =
          which === 0 ? [changed, parts[1], parts[2]].join('.') : [parts[0], changed, parts[2]].join('.');
        break;
      }
      case 'append':
        mutated = token + char;
        break;
      default:
        break;
    }
    return { token, mutated, kind };
  });

const headerName = fc.oneof(
  fc.constantFrom(
    'Authorization',
    'authorization',
    'AUTHORIZATION',
    'Cookie',
    'cookie',
    'Origin',
    'origin',
    'Content-Type',
    'X-Forwarded-For',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 20 }),
);
const anyToken = fc.oneof(
  fc.constantFrom(...Array.from({ length: 6 }, (_, i) => i)).map((i) => validTokens[i] ?? ''),
  fc.nat().map((i) => invalidTokens[i % Math.max(1, invalidTokens.length)] ?? ''),
  mutation.map((m) => m.mutated),
  tokenShaped,
);
/** One character of a cookie value: any byte 0x00..0xFF except the ";" that ends it, or a few above. */
export const cookieChar = fc.oneof(
  fc
    .integer({ min: 0, max: 0xff })
    .filter((b) => b !== 0x3b)
    .map((b) => String.fromCharCode(b)),
  fc.constantFrom('\u0100', '\u2028', '\uFEFF', '\uD800', '\u{1F600}'),
);
const cookiePair = fc.oneof(
  anyToken.map((t) => `app_session=${t}`),
  fc.constantFrom(`connect.sid=${VALID_SID}`),
  fc.string({ unit: cookieChar, maxLength: 20 }).map((v) => `connect.sid=${v}`),
  anyToken.map((t) => `${AMPLIFY}.ada.idToken=${t}`),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 })).map(([n, v]) => `${n}=${v}`),
  fc.string({ maxLength: 30 }),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  anyToken,
  fc
    .tuple(fc.constantFrom('Bearer ', 'bearer ', 'Bearer  ', 'Basic ', 'Token ', ''), anyToken)
    .map(([s, t]) => s + t),
  fc.array(cookiePair, { maxLength: 6 }).map((pairs) => pairs.join('; ')),
  fc.constantFrom(...ALLOWED_ORIGINS, ...FOREIGN_ORIGINS),
);
const method = fc.oneof(
  fc.constantFrom('POST', 'POST', 'OPTIONS', 'GET', 'PUT', 'DELETE', 'post', 'HEAD', ''),
  fc.string({ maxLength: 8 }),
);

export const arbitraryEvent = fc
  .record({
    method,
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
    multi: fc.dictionary(headerName, fc.array(headerValue, { maxLength: 3 }), { maxKeys: 3 }),
    body: fc.option(fc.oneof(fc.string(), fc.json()), { nil: null }),
    breakage: fc.constantFrom('none', 'none', 'none', 'null-headers', 'null-multi', 'no-method'),
  })
  .map(({ method, headers, multi, body, breakage }) => {
    const event = restEvent({ method, headers, multiValueHeaders: multi, body });
    if (breakage === 'null-headers') Object.assign(event, { headers: null });
    if (breakage === 'null-multi') Object.assign(event, { multiValueHeaders: null });
    if (breakage === 'no-method') Object.assign(event, { httpMethod: undefined });
    return event;
  });
