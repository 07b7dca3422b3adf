// The one response boundary: the contract's fixed bodies, security headers and CORS on every answer.
import {
  ALLOWED_METHODS,
  ERROR_BODIES as CONTRACT_ERROR_BODIES,
  ENROLLMENT_SKIP_HEADER,
  NO_STORE_HEADERS,
  PREFLIGHT_HEADERS,
  RETRY_AFTER_SECONDS,
  SECURITY_HEADERS,
} from '../../contract/http.ts';
import { corsHeaders, isAllowedOrigin } from './cors.ts';
import type { ErrorStatus } from './errors.ts';

export interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const ERROR_BODIES: Readonly<Record<ErrorStatus, string>> = CONTRACT_ERROR_BODIES;

function jsonResponse(
  statusCode: number,
  body: string,
  origin: string | undefined,
  allowedOrigins: readonly string[],
): ProxyResult {
  return { statusCode, headers: { ...SECURITY_HEADERS, ...corsHeaders(origin, allowedOrigins) }, body };
}

export function tokenResponse(
  email: string,
  token: string,
  origin: string | undefined,
  allowedOrigins: readonly string[],
): ProxyResult {
  return jsonResponse(200, JSON.stringify({ email, token }), origin, allowedOrigins);
}

/** `204 No Content`: an outcome recorded, or (with a reason) the policy skipping this user. */
export function noContentResponse(
  origin: string | undefined,
  allowedOrigins: readonly string[],
  skipReason?: string,
): ProxyResult {
  const { 'Content-Type': _noBody, ...headers } = SECURITY_HEADERS;
  return {
    statusCode: 204,
    headers: {
      ...headers,
      ...corsHeaders(origin, allowedOrigins),
      ...(skipReason === undefined ? {} : { [ENROLLMENT_SKIP_HEADER]: skipReason }),
    },
    body: '',
  };
}

/** A 429 or 503 says when to retry: `retryAfterSeconds` when known, else the contract's default. */
export function errorResponse(
  status: ErrorStatus,
  origin: string | undefined,
  allowedOrigins: readonly string[],
  retryAfterSeconds?: number,
): ProxyResult {
  const response = jsonResponse(status, ERROR_BODIES[status], origin, allowedOrigins);
  if (status === 405) response.headers.Allow = ALLOWED_METHODS;
  if (status === 429 || status === 503)
    response.headers['Retry-After'] =
      retryAfterSeconds === undefined
        ? RETRY_AFTER_SECONDS
        : String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return response;
}

/** CORS preflight, as API Gateway answers it: 204 for an allowed origin, 403 otherwise. */
export function preflightResponse(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): ProxyResult | undefined {
  if (!isAllowedOrigin(origin, allowedOrigins)) return undefined;
  return {
    statusCode: 204,
    headers: {
      ...corsHeaders(origin, allowedOrigins),
      ...PREFLIGHT_HEADERS,
      'Cache-Control': NO_STORE_HEADERS['Cache-Control'],
    },
    body: '',
  };
}
