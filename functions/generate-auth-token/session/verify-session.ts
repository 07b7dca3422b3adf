// Which credential a request carries, in a fixed order, and whose verifier judges it:
//   1. Authorization: Bearer <JWT>  (when present, it alone decides: no fall-back to cookies)
//   2. a session JWT cookie: SESSION_COOKIE_NAMES in their configured order, then Amplify's
//      CognitoIdentityServiceProvider.<clientId>.<user>.idToken for the configured client ids
//   3. the site's own session cookies, checked by its introspection endpoint
// Claims are never mixed: the email comes from the one credential that was verified.
// Cookie credentials are refused (403) before verification when a present Origin is not allowed.
import type { Config } from '../config.ts';
import { isAllowedOrigin } from '../cors.ts';
import { ForbiddenError, type SessionSource, UnauthorizedError, withSessionSource } from '../errors.ts';
import { type CookieJar, type EnrollmentRequest, percentDecode } from '../http-request.ts';

export type { SessionSource } from '../errors.ts';

export interface VerifiedSession {
  readonly email: string;
  readonly source: SessionSource;
}

export interface SessionVerifiers {
  readonly verifyJwt: ((token: string, options?: { cognitoOnly?: boolean }) => Promise<string>) | undefined;
  readonly introspect: ((cookies: CookieJar) => Promise<string>) | undefined;
}

/** Resolves to the verified session; an error thrown once the source is known carries it. */
export type VerifySession = (request: EnrollmentRequest) => Promise<VerifiedSession>;

const BEARER = /^Bearer ([^\s]+)$/i;
const AMPLIFY_PREFIX = 'CognitoIdentityServiceProvider.';

export function createSessionVerifier(
  config: Pick<Config, 'sessionCookieNames' | 'cognito' | 'introspection' | 'allowedOrigins'>,
  verifiers: SessionVerifiers,
): VerifySession {
  const amplifyClientIds = new Set(config.cognito?.clientIds ?? []);

  return async function verifySession(request) {
    let source: SessionSource | undefined;
    try {
      return await judge(request, (known) => {
        source = known;
      });
    } catch (error) {
      throw source === undefined ? error : withSessionSource(error, source);
    }
  };

  async function judge(
    request: EnrollmentRequest,
    noteSource: (source: SessionSource) => void,
  ): Promise<VerifiedSession> {
    if (request.oversized) throw new UnauthorizedError('malformed', 'header over size cap');

    if (request.authorization.length > 0) {
      noteSource('bearer');
      if (request.authorization.length > 1)
        throw new UnauthorizedError('malformed', 'several Authorization values');
      const token = BEARER.exec(request.authorization[0] ?? '')?.[1];
      if (token === undefined || verifiers.verifyJwt === undefined) {
        throw new UnauthorizedError('malformed', 'Authorization is not a Bearer token');
      }
      return { email: await verifiers.verifyJwt(token), source: 'bearer' };
    }

    const cookieToken = verifiers.verifyJwt === undefined ? undefined : findSessionJwtCookie(request.cookies);
    const hasIntrospectionCookie =
      verifiers.introspect !== undefined &&
      (config.introspection?.cookieNames ?? []).some((name) => request.cookies.get(name) !== undefined);
    if (cookieToken === undefined && !hasIntrospectionCookie) throw new UnauthorizedError('no_session');

    const source: SessionSource = cookieToken !== undefined ? 'cookie' : 'introspection';
    noteSource(source);
    // Browsers attach cookies to cross-site requests: refuse a foreign Origin before verifying anything.
    if (request.origin !== undefined && !isAllowedOrigin(request.origin, config.allowedOrigins)) {
      throw new ForbiddenError('origin_not_allowed');
    }
    if (cookieToken !== undefined && verifiers.verifyJwt !== undefined) {
      if (cookieToken === AMBIGUOUS) throw new UnauthorizedError('malformed', 'conflicting session cookies');
      // Amplify's cookies only ever hold Cognito tokens: another issuer's token there is refused.
      const email = await verifiers.verifyJwt(cookieToken.token, { cognitoOnly: cookieToken.amplify });
      return { email, source };
    }
    if (verifiers.introspect === undefined) throw new UnauthorizedError('no_session');
    return { email: await verifiers.introspect(request.cookies), source };
  }

  function findSessionJwtCookie(cookies: CookieJar): SessionCookie | typeof AMBIGUOUS | undefined {
    for (const name of config.sessionCookieNames) {
      if (cookies.isAmbiguous(name)) return AMBIGUOUS;
      const value = cookies.get(name);
      if (value !== undefined && value !== '') return { token: value, amplify: false };
    }
    const amplifyToken = amplifyClientIds.size === 0 ? undefined : findAmplifyIdToken(cookies);
    if (amplifyToken === undefined || amplifyToken === AMBIGUOUS) return amplifyToken;
    return { token: amplifyToken, amplify: true };
  }

  // Amplify keeps one idToken cookie per signed-in user and names the current one in LastAuthUser.
  // Cookie libraries percent-encode the user in the name (js-cookie: carol%40example.com) while the
  // jar decodes values: the two are compared decoded.
  function findAmplifyIdToken(cookies: CookieJar): string | undefined {
    const candidates: { clientId: string; user: string; name: string }[] = [];
    for (const name of cookies.names()) {
      if (!name.startsWith(AMPLIFY_PREFIX) || !name.endsWith('.idToken')) continue;
      const middle = name.slice(AMPLIFY_PREFIX.length, -'.idToken'.length);
      const dot = middle.indexOf('.');
      if (dot <= 0) continue;
      const clientId = middle.slice(0, dot);
      if (amplifyClientIds.has(clientId))
        candidates.push({ clientId, user: percentDecode(middle.slice(dot + 1)), name });
    }
    if (candidates.length === 0) return undefined;
    let chosen = candidates.length === 1 ? candidates[0] : undefined;
    if (candidates.length > 1) {
      const lastUsers = new Set(
        candidates.map((c) => cookies.get(`${AMPLIFY_PREFIX}${c.clientId}.LastAuthUser`)),
      );
      const matching = candidates.filter((c) => lastUsers.has(c.user));
      chosen = matching.length === 1 ? matching[0] : undefined;
    }
    if (chosen === undefined || cookies.isAmbiguous(chosen.name)) return AMBIGUOUS;
    return cookies.get(chosen.name);
  }
}

/** Marker for "several session cookies that disagree": refused, never guessed. */
const AMBIGUOUS = '\u0000ambiguous';

interface SessionCookie {
  readonly token: string;
  /** Found under Amplify's CognitoIdentityServiceProvider.* name. */
  readonly amplify: boolean;
}
