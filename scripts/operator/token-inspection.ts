// Reads an enrollment token the way OwnID would and says, in words, what is wrong with it. Pure:
// the clock, the expected settings and the public key come in as arguments.
import { type KeyObject, verify } from 'node:crypto';
import { TOKEN_TTL_SECONDS } from '../../contract/settings.ts';
import { isJsonObject, type TokenConfig } from '../../functions/generate-auth-token/operator-api.ts';

/** What the token should look like: the function's TOKEN_* settings (ttl is not checked, only the cap). */
export type TokenExpectation = Pick<TokenConfig, 'profile' | 'issuer' | 'audience'> & {
  /** The email the session holds, when known (smoke knows it from the response). */
  readonly email?: string | undefined;
};

export interface Finding {
  readonly ok: boolean;
  readonly text: string;
}

export interface TokenInspection {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly findings: readonly Finding[];
  readonly problems: readonly string[];
}

/** The longest token the function issues (TOKEN_TTL_SECONDS's cap), and the longest session-creation grant. */
const MAX_LIFETIME_SECONDS = TOKEN_TTL_SECONDS.max;
/** Clock difference tolerated before an iat "in the future" is reported. */
const CLOCK_SKEW_SECONDS = 30;

export class TokenFormatError extends Error {
  override readonly name = 'TokenFormatError';
}

function decodeSegment(segment: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (isJsonObject(value)) return value;
  } catch {
    // reported below
  }
  throw new TokenFormatError(`the ${what} is not base64url-encoded JSON`);
}

export function inspectToken(
  token: string,
  expected: TokenExpectation,
  nowSeconds: number,
  publicKey?: KeyObject,
): TokenInspection {
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    throw new TokenFormatError(
      `a JWT has 3 dot-separated parts, this has ${parts.length}${parts.length === 5 ? ' (an encrypted JWE?)' : ''}`,
    );
  }
  const header = decodeSegment(parts[0], 'header');
  const claims = decodeSegment(parts[1], 'payload');
  const findings: Finding[] = [];
  const check = (ok: boolean, good: string, bad: string) => findings.push({ ok, text: ok ? good : bad });

  check(header.alg === 'RS256', 'alg RS256', `alg is ${shown(header.alg)}; OwnID expects RS256`);
  if (header.typ !== undefined)
    check(header.typ === 'JWT', 'typ JWT', `typ is ${shown(header.typ)}, not "JWT"`);

  const { iat, exp, iss, aud, sub, jti } = claims;
  const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  if (!isTime(exp)) findings.push({ ok: false, text: 'exp is missing or not a number' });
  else
    check(
      exp > nowSeconds,
      `not expired (${relative(exp, nowSeconds)})`,
      `expired ${relative(exp, nowSeconds)}`,
    );
  if (!isTime(iat)) findings.push({ ok: false, text: 'iat is missing or not a number' });
  else
    check(
      iat <= nowSeconds + CLOCK_SKEW_SECONDS,
      `issued ${relative(iat, nowSeconds)}`,
      `issued in the future (${relative(iat, nowSeconds)}): the signer's clock is ahead`,
    );
  if (isTime(iat) && isTime(exp)) {
    const lifetime = exp - iat;
    check(
      lifetime > 0 && lifetime <= MAX_LIFETIME_SECONDS,
      `lifetime ${lifetime} s`,
      `lifetime ${lifetime} s (exp - iat); expected 1 to ${MAX_LIFETIME_SECONDS} s`,
    );
  }
  check(
    iss === expected.issuer,
    `iss "${expected.issuer}"`,
    `wrong iss ${shown(iss)}; expected "${expected.issuer}"`,
  );
  const audiences = Array.isArray(aud) ? aud : [aud];
  check(
    audiences.includes(expected.audience),
    `aud "${expected.audience}"`,
    `wrong aud ${shown(aud)}; expected "${expected.audience}"`,
  );
  check(
    typeof jti === 'string' && jti !== '',
    'jti present',
    'jti is missing (every token carries a fresh one)',
  );

  // The profile: session-creation tokens carry "Email:<email>" and a sessionCreation grant.
  const details = claims.authorization_details;
  const looksSessionCreation = details !== undefined || (typeof sub === 'string' && sub.startsWith('Email:'));
  const profileOfToken = looksSessionCreation ? 'session-creation' : 'default';
  check(
    profileOfToken === expected.profile,
    `${expected.profile} profile`,
    `wrong profile: this is a ${profileOfToken} token, the settings expect ${expected.profile} (TOKEN_PROFILE)`,
  );
  const email = typeof sub === 'string' ? sub.replace(/^Email:/, '') : undefined;
  if (expected.profile === 'session-creation') {
    check(
      typeof sub === 'string' && sub.startsWith('Email:') && sub.includes('@'),
      'sub "Email:<email>"',
      `sub ${shown(sub)} should be "Email:<email>"`,
    );
    const grant = Array.isArray(details)
      ? (details as unknown[]).find(
          (entry): entry is Record<string, unknown> =>
            typeof entry === 'object' &&
            entry !== null &&
            (entry as Record<string, unknown>).type === 'sessionCreation',
        )
      : undefined;
    if (grant === undefined) {
      findings.push({ ok: false, text: 'authorization_details has no {"type": "sessionCreation"} grant' });
    } else {
      const grantExp = grant.exp;
      check(
        isTime(grantExp) && isTime(iat) && grantExp > nowSeconds && grantExp - iat <= MAX_LIFETIME_SECONDS,
        `sessionCreation grant valid (${isTime(grantExp) ? relative(grantExp, nowSeconds) : '?'})`,
        `sessionCreation grant expired or longer than ${MAX_LIFETIME_SECONDS} s (exp ${shown(grantExp)})`,
      );
    }
  } else {
    check(
      typeof sub === 'string' && /^[^\s@]+@[^\s@]+$/.test(sub),
      'sub is an email',
      `sub ${shown(sub)} is not an email`,
    );
  }
  if (expected.email !== undefined) {
    check(
      email === expected.email,
      `sub matches ${expected.email}`,
      `sub is for ${shown(email)}, not ${expected.email}`,
    );
  }

  if (publicKey !== undefined) {
    const signatureValid =
      header.alg === 'RS256' &&
      verify(
        'sha256',
        Buffer.from(`${parts[0]}.${parts[1]}`),
        publicKey,
        Buffer.from(parts[2] ?? '', 'base64url'),
      );
    check(
      signatureValid,
      'signature verifies with the given public key',
      'signature does not verify with the given public key (signed with another key, or altered)',
    );
  }
  return { header, claims, findings, problems: findings.filter((f) => !f.ok).map((f) => f.text) };
}

/** "in 45 s", "3 min 5 s ago": how far a time is from now. */
export function relative(seconds: number, nowSeconds: number): string {
  const delta = Math.round(seconds - nowSeconds);
  const size = Math.abs(delta);
  if (size === 0) return 'now';
  const amount =
    size < 120
      ? `${size} s`
      : size < 3600
        ? `${Math.floor(size / 60)} min ${size % 60} s`
        : size < 172_800
          ? `${Math.floor(size / 3600)} h ${Math.floor((size % 3600) / 60)} min`
          : `${Math.floor(size / 86_400)} days`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time']);

/** JSON for the terminal: C1 controls escaped too, so a hostile token cannot drive the terminal. */
const shown = (value: unknown) =>
  (JSON.stringify(value) ?? String(value)).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
const shownName = (name: string) => (/^[\w-]{1,64}$/.test(name) ? name : shown(name));

export function formatInspection(inspection: TokenInspection, nowSeconds: number): string[] {
  const lines = ['Header'];
  for (const [name, value] of Object.entries(inspection.header))
    lines.push(`  ${shownName(name)}: ${shown(value)}`);
  lines.push('Claims');
  for (const [name, value] of Object.entries(inspection.claims)) {
    const time =
      TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11
        ? `  ${new Date(value * 1000).toISOString().replace('.000Z', 'Z')} (${relative(value, nowSeconds)})`
        : '';
    lines.push(`  ${shownName(name)}: ${shown(value)}${time}`);
  }
  lines.push('Checks');
  for (const finding of inspection.findings) lines.push(`  ${finding.ok ? '✓' : '✗'} ${finding.text}`);
  return lines;
}
