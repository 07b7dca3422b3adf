// Verifies a session JWT from Cognito or from the configured issuer, with aws-jwt-verify.
// The token's unverified `iss` only chooses which verifier runs; that verifier checks everything
// again. Library errors become reason codes; their messages stay in the function.
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { BoundedGet } from '../bounded-get.ts';
import type { CognitoSessionConfig, JwtIssuerSessionConfig } from '../config.ts';
import { emailVerifiedClaim, isAcceptableEmail } from '../email.ts';
import { DependencyUnavailableError, ForbiddenError, type ReasonCode, UnauthorizedError } from '../errors.ts';
import { BoundedJwksFetcher } from './jwks-fetcher.ts';
import { assertSignatureShape, inspectJwt } from './jwt-shape.ts';

/** Clock skew tolerated for `iat` and `nbf` in the future (an IdP clock running ahead). */
const CLOCK_SKEW_SECONDS = 60;
/** A session that claims to last longer than this is not a session. */
const MAX_SESSION_LIFETIME_SECONDS = 400 * 24 * 3600;
/** After an unknown kid, the JWKS is not downloaded again for this long. */
export const JWKS_COOLDOWN_SECONDS = 10;

export interface JwtSessionOptions {
  readonly cognito: CognitoSessionConfig | undefined;
  readonly cognitoJwksEndpoint: string | undefined;
  readonly jwtIssuer: JwtIssuerSessionConfig | undefined;
  readonly now?: () => number;
  readonly jwksTimeoutMs?: number;
  /** Downloads a JWKS (a traced GET when tracing is on). */
  readonly get?: BoundedGet;
}

export interface JwtSessionVerifier {
  /** Resolves to the session's verified email, or throws an EnrollmentError. */
  verify(token: string, options?: { readonly cognitoOnly?: boolean }): Promise<string>;
  /** Downloads the JWKS ahead of the first request (cold start); failures are left for later. */
  hydrate(): Promise<void>;
}

type AnyVerifier = { verify(jwt: string): Promise<Record<string, unknown>>; hydrate(): Promise<void> };

/** Both aws-jwt-verify verifiers, seen through the one call each route makes. */
function anyVerifier(verifier: {
  verify(jwt: string): Promise<object>;
  hydrate(): Promise<void>;
}): AnyVerifier {
  return {
    // Both resolve to the token's payload, which aws-jwt-verify has checked is a JSON object.
    verify: (jwt) => verifier.verify(jwt) as Promise<Record<string, unknown>>,
    hydrate: () => verifier.hydrate(),
  };
}

interface IssuerRoute {
  readonly cognito: boolean;
  readonly verifier: AnyVerifier;
  readonly jwksUri: string;
  readonly algorithms: ReadonlySet<string>;
  readonly emailOf: (payload: Record<string, unknown>) => string;
}

export function createJwtSessionVerifier(options: JwtSessionOptions): JwtSessionVerifier {
  const now = options.now ?? Date.now;
  const cognitoEndpoint = options.cognitoJwksEndpoint;
  const fetcher = new BoundedJwksFetcher({
    timeoutMs: options.jwksTimeoutMs,
    get: options.get,
    failureCooldownMs: JWKS_COOLDOWN_SECONDS * 1000,
    now,
    rewriteUrl:
      cognitoEndpoint === undefined
        ? undefined
        : (url) =>
            url.replace(/^https:\/\/(?:issuer-)?cognito-idp\.[a-z0-9-]+\.amazonaws\.com/, cognitoEndpoint),
  });
  const jwksCache = new SimpleJwksCache({
    fetcher,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: JWKS_COOLDOWN_SECONDS }),
  });
  const routes = new Map<string, IssuerRoute>();

  if (options.cognito !== undefined) {
    const { userPoolId, region, clientIds } = options.cognito;
    const verifier = anyVerifier(
      CognitoJwtVerifier.create(
        { userPoolId, tokenUse: 'id', clientId: [...clientIds], graceSeconds: CLOCK_SKEW_SECONDS },
        { jwksCache },
      ),
    );
    const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
    const route: IssuerRoute = {
      cognito: true,
      verifier,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      algorithms: new Set(['RS256']),
      emailOf: cognitoEmail,
    };
    routes.set(issuer, route);
    routes.set(`https://issuer-cognito-idp.${region}.amazonaws.com/${userPoolId}`, route);
  }
  if (options.jwtIssuer !== undefined) {
    const { issuer, jwksUrl, audience, emailClaim, requireEmailVerified } = options.jwtIssuer;
    const verifier = anyVerifier(
      JwtVerifier.create(
        { issuer, audience: [...audience], jwksUri: jwksUrl, graceSeconds: CLOCK_SKEW_SECONDS },
        { jwksCache },
      ),
    );
    routes.set(issuer, {
      cognito: false,
      verifier,
      jwksUri: jwksUrl,
      algorithms: new Set(['RS256', 'ES256']),
      emailOf: (payload) => issuerEmail(payload, emailClaim, requireEmailVerified),
    });
  }

  return {
    async verify(token, verifyOptions) {
      const { header, payload } = inspectJwt(token);
      const route = typeof payload.iss === 'string' ? routes.get(payload.iss) : undefined;
      if (route === undefined || (verifyOptions?.cognitoOnly === true && !route.cognito)) {
        throw new UnauthorizedError('bad_issuer');
      }
      if (!route.algorithms.has(header.alg as string)) throw new UnauthorizedError('alg_not_allowed');
      checkTimes(payload, now() / 1000);
      let verified: Record<string, unknown>;
      try {
        // The key first, as the library does (a JWKS with no usable key is the issuer's fault), then
        // the signature's shape against the key's one algorithm, before crypto code that throws on it.
        const jwk = await jwksCache.getJwk(route.jwksUri, decomposeUnverifiedJwt(token));
        assertSignatureShape(token, jwk.alg ?? String(header.alg));
        verified = await route.verifier.verify(token);
      } catch (error) {
        throw toEnrollmentError(error);
      }
      return route.emailOf(verified);
    },
    async hydrate() {
      const unique = new Set([...routes.values()].map((route) => route.verifier));
      const results = await Promise.allSettled([...unique].map((verifier) => verifier.hydrate()));
      fetcher.clearFailures();
      const failure = results.find((result) => result.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    },
  };
}

// aws-jwt-verify treats `exp` as optional and ignores `iat`; a session must expire and not come from
// the future. `nbf` is the library's, with graceSeconds = CLOCK_SKEW_SECONDS (its grace on `exp`
// never applies: `exp` is refused here first, without grace).
function checkTimes(payload: Record<string, unknown>, nowSeconds: number): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new UnauthorizedError('malformed', 'exp missing or not a number');
  // RFC 7519 4.1.4: not accepted "on or after" exp (the library only refuses exp < now).
  if (exp <= nowSeconds) throw new UnauthorizedError('expired');
  if (exp > nowSeconds + MAX_SESSION_LIFETIME_SECONDS)
    throw new UnauthorizedError('malformed', 'exp implausibly far');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) {
    throw new UnauthorizedError('malformed', 'iat not a number');
  }
  if (typeof iat === 'number' && iat > nowSeconds + CLOCK_SKEW_SECONDS)
    throw new UnauthorizedError('not_yet_valid');
}

function cognitoEmail(payload: Record<string, unknown>): string {
  const email = payload.email;
  if (email === undefined) throw new ForbiddenError('email_missing');
  if (!isAcceptableEmail(email)) throw new ForbiddenError('email_invalid');
  // Cognito always states email_verified (as true or, for some users, "true").
  if (emailVerifiedClaim(payload, { stringTrueCounts: true }) !== 'yes')
    throw new ForbiddenError('email_unverified');
  return email;
}

function issuerEmail(payload: Record<string, unknown>, claim: string, requireVerified: boolean): string {
  const email = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
  if (email === undefined) throw new ForbiddenError('email_missing');
  if (!isAcceptableEmail(email)) throw new ForbiddenError('email_invalid');
  // An issuer that does not state email_verified may let users edit their email (Entra ID): such an
  // email is trusted only when the operator opted out, for an issuer that verifies by construction.
  const verified = emailVerifiedClaim(payload);
  if (verified === 'no' || (verified === 'unstated' && requireVerified))
    throw new ForbiddenError('email_unverified');
  return email;
}

const REASONS: readonly [new (...args: never[]) => Error, ReasonCode][] = [
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not_yet_valid'],
  [JwtInvalidSignatureError, 'bad_signature'],
  [JwtInvalidSignatureAlgorithmError, 'alg_not_allowed'],
  [JwtInvalidIssuerError, 'bad_issuer'],
  [JwtInvalidAudienceError, 'bad_audience'],
  [CognitoJwtInvalidClientIdError, 'bad_client'],
  [CognitoJwtInvalidTokenUseError, 'bad_token_use'],
  [KidNotFoundInJwksError, 'bad_signature'],
  [WaitPeriodNotYetEndedJwkError, 'bad_signature'],
  [JwtWithoutValidKidError, 'bad_signature'],
];

function toEnrollmentError(error: unknown): Error {
  if (
    error instanceof FetchError ||
    error instanceof JwksNotAvailableInCacheError ||
    error instanceof JwksValidationError
  ) {
    return new DependencyUnavailableError('jwks_unavailable', error.message, { cause: error });
  }
  for (const [type, reason] of REASONS)
    if (error instanceof type) return new UnauthorizedError(reason, error.message, { cause: error });
  if (error instanceof JwtBaseError)
    return new UnauthorizedError('malformed', error.message, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
