// The demo site's own login: a few demo users, a password check on the server, and the two kinds of
// session a real site might have. "jwt": a short-lived JWT from the dev session issuer in a cookie,
// which the function verifies through its normal SESSION_JWT_* path. "opaque": a random id in an
// in-memory store, which the function resolves through the site's session endpoint (introspection).
import { createHash, createPublicKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, jwtVerify, SignJWT } from 'jose';

export interface DemoUser {
  readonly email: string;
  readonly password: string;
  readonly emailVerified: boolean;
  /** Shown on the login page, so a newcomer knows what each user demonstrates. */
  readonly note: string;
}

export const DEMO_PASSWORD = 'passkeys-are-nice';

export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  { email: 'ada@example.com', password: DEMO_PASSWORD, emailVerified: true, note: 'the happy path' },
  { email: 'grace@example.com', password: DEMO_PASSWORD, emailVerified: true, note: 'a second user' },
  {
    email: 'eve@example.com',
    password: DEMO_PASSWORD,
    emailVerified: false,
    note: 'email not verified: the endpoint answers 403 and nothing is shown',
  },
]);

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The user for these credentials, or undefined; the same work is done whether or not the email exists. */
export function checkCredentials(email: unknown, password: unknown): DemoUser | undefined {
  if (
    typeof email !== 'string' ||
    typeof password !== 'string' ||
    email.length > 254 ||
    password.length > 256
  )
    return undefined;
  const user = DEMO_USERS.find((candidate) => candidate.email === email.trim().toLowerCase());
  const matches = timingSafeEqual(digest(password), digest(user?.password ?? `\0${password}`));
  return matches && user !== undefined ? user : undefined;
}

export const SESSION_TTL_SECONDS = 15 * 60;
export const JWT_SESSION_COOKIE = 'demo_session';
export const OPAQUE_SESSION_COOKIE = 'demo_sid';
export const DEV_SESSION_AUDIENCE = 'ownid-enrollment-demo';

export interface SessionInfo {
  readonly email: string;
  readonly emailVerified: boolean;
  readonly expiresAt: number;
}

export interface DevSessionIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: { readonly keys: readonly Record<string, string>[] };
  issue(user: DemoUser): Promise<string>;
  /** The demo site's own "who is logged in" check (the function does its own, from the JWKS). */
  read(token: string): Promise<SessionInfo | undefined>;
}

export async function createDevSessionIssuer(
  privateKey: KeyObject,
  options: { issuer: string; audience?: string; ttlSeconds?: number },
): Promise<DevSessionIssuer> {
  const { issuer, audience = DEV_SESSION_AUDIENCE, ttlSeconds = SESSION_TTL_SECONDS } = options;
  const publicKey = createPublicKey(privateKey);
  const publicJwk = await exportJWK(publicKey);
  const { kty, n, e } = publicJwk;
  const kid = await calculateJwkThumbprint({ kty, n, e } as { kty: string; n: string; e: string });
  const jwk = { kty: kty ?? 'RSA', n: n ?? '', e: e ?? '', kid, alg: 'RS256', use: 'sig' };
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] },
    issue: (user) =>
      new SignJWT({ email: user.email, email_verified: user.emailVerified })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(`demo|${user.email}`)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    async read(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer, audience, algorithms: ['RS256'] });
        if (typeof payload.email !== 'string' || typeof payload.exp !== 'number') return undefined;
        return {
          email: payload.email,
          emailVerified: payload.email_verified === true,
          expiresAt: payload.exp * 1000,
        };
      } catch {
        return undefined;
      }
    },
  };
}

const MAX_OPAQUE_SESSIONS = 10_000;

/** Server-side sessions keyed by a random id, as express-session or a PHP session would keep them. */
export class OpaqueSessionStore {
  readonly #sessions = new Map<string, SessionInfo>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlSeconds?: number; now?: () => number } = {}) {
    this.#ttlMs = (options.ttlSeconds ?? SESSION_TTL_SECONDS) * 1000;
    this.#now = options.now ?? Date.now;
  }

  create(user: DemoUser): string {
    if (this.#sessions.size >= MAX_OPAQUE_SESSIONS) this.#evictExpired();
    if (this.#sessions.size >= MAX_OPAQUE_SESSIONS)
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, {
      email: user.email,
      emailVerified: user.emailVerified,
      expiresAt: this.#now() + this.#ttlMs,
    });
    return id;
  }

  get(id: string | undefined): SessionInfo | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }

  #evictExpired(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
