// Opaque server-side sessions (express-session, Rails, Django, PHP, Spring): the site's own
// endpoint says whose session a cookie is. Only the named cookies are forwarded, with a short
// timeout, no redirects and a size cap; only a 200 JSON body with an email counts as a session.
// 401/403 mean "no session"; anything else is a 503, never a 200.
import { createHash } from 'node:crypto';
import { type BoundedGet, type BoundedResponse, boundedGet } from '../bounded-get.ts';
import type { IntrospectionSessionConfig } from '../config.ts';
import { emailVerifiedClaim, isAcceptableEmail } from '../email.ts';
import { BoundedGetError, DependencyUnavailableError, ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { CookieJar } from '../http-request.ts';
import { isJsonObject } from '../json-object.ts';
import { refreshingValue } from '../refreshing-value.ts';
import type { ReadSecret } from '../signing-key.ts';

export const MAX_INTROSPECTION_BODY_BYTES = 16 * 1024;
/** Header carrying the shared token, so the site can tell the caller is this function. */
export const INTROSPECTION_TOKEN_HEADER = 'X-OwnID-Enrollment-Token';
const SHARED_TOKEN_CACHE_MS = 300_000;
const MAX_CACHE_ENTRIES = 1000;
// What an HTTP header carries byte for byte: printable ASCII. Anything else (controls, DEL, non-ASCII)
// would make the request throw, or reach the site as other bytes than the browser sent.
const FORWARDABLE_COOKIE_VALUE = /^[\x20-\x7e]*$/;

export interface IntrospectionOptions {
  readonly now?: () => number;
  readonly readSharedSecret: ReadSecret | undefined;
  /** Asks the session endpoint (a traced GET when tracing is on). */
  readonly get?: BoundedGet;
}

export function createIntrospectionVerifier(
  config: IntrospectionSessionConfig,
  options: IntrospectionOptions,
): (cookies: CookieJar) => Promise<string> {
  const now = options.now ?? Date.now;
  const get = options.get ?? boundedGet;
  // Keyed by a hash of the forwarded cookies, never by their values.
  const cache = new Map<string, { email: string; expiresAt: number }>();
  const getSharedToken =
    options.readSharedSecret === undefined ? undefined : cachedSecret(options.readSharedSecret, now);

  return async function introspect(cookies) {
    const cookieHeader = config.cookieNames
      .flatMap((name) => {
        if (cookies.isAmbiguous(name))
          throw new UnauthorizedError('malformed', 'conflicting session cookies');
        const raw = cookies.getRaw(name);
        if (raw !== undefined && !FORWARDABLE_COOKIE_VALUE.test(raw))
          throw new UnauthorizedError('malformed', 'session cookie cannot be forwarded as sent');
        return raw === undefined || raw === '' ? [] : [`${name}=${raw}`];
      })
      .join('; ');
    if (cookieHeader === '') throw new UnauthorizedError('no_session');

    const cacheKey =
      config.cacheSeconds > 0 ? createHash('sha256').update(cookieHeader).digest('base64url') : undefined;
    if (cacheKey !== undefined) {
      const hit = cache.get(cacheKey);
      if (hit !== undefined && hit.expiresAt > now()) return hit.email;
      if (hit !== undefined) cache.delete(cacheKey);
    }

    const headers: Record<string, string> = { Cookie: cookieHeader, Accept: 'application/json' };
    if (getSharedToken !== undefined) headers[INTROSPECTION_TOKEN_HEADER] = await getSharedToken();

    const body = await callSessionEndpoint(get, config, headers);
    const email = body.email;
    if (email === undefined)
      throw new DependencyUnavailableError('introspection_unavailable', 'response has no email');
    if (!isAcceptableEmail(email)) throw new ForbiddenError('email_invalid');
    // The site vouches for its own sessions, but a stated email_verified other than true is a "no".
    if (emailVerifiedClaim(body) === 'no') throw new ForbiddenError('email_unverified');

    if (cacheKey !== undefined) {
      if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(cacheKey, { email, expiresAt: now() + config.cacheSeconds * 1000 });
    }
    return email;
  };
}

async function callSessionEndpoint(
  get: BoundedGet,
  config: IntrospectionSessionConfig,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  const unavailable = (detail: string) => new DependencyUnavailableError('introspection_unavailable', detail);
  let response: BoundedResponse;
  try {
    // No redirects are followed: a 3xx (e.g. to a login page) is not an answer.
    response = await get(config.url, {
      headers,
      timeoutMs: config.timeoutMs,
      maxBytes: MAX_INTROSPECTION_BODY_BYTES,
    });
  } catch (error) {
    throw unavailable(`session endpoint failed (${error instanceof BoundedGetError ? error.kind : 'error'})`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new UnauthorizedError('no_session', `session endpoint answered ${response.status}`);
  }
  if (response.status !== 200) throw unavailable(`session endpoint answered ${response.status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw unavailable('session endpoint body is not JSON');
  }
  if (!isJsonObject(parsed)) throw unavailable('session endpoint body is not a JSON object');
  return parsed;
}

function cachedSecret(read: ReadSecret, now: () => number): () => Promise<string> {
  return refreshingValue({
    load: () =>
      read().then(
        (value) => value.trim(),
        (error: Error) => {
          throw new DependencyUnavailableError(
            'introspection_unavailable',
            `shared token unavailable: ${error.name}`,
            { cause: error },
          );
        },
      ),
    ttlMs: SHARED_TOKEN_CACHE_MS,
    now,
  });
}
