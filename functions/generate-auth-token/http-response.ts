// The one response boundary: the contract's fixed bodies, security headers and CORS on every answer.
import { corsHeaders, isAllowedOrigin, PREFLIGHT_HEADERS } from './cors.ts';
import type { ErrorStatus } from './errors.ts';

export interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const ERROR_BODIES: Record<ErrorStatus, string> = {
  401: '{"message":"Unauthorized"}',
  403: '{"message":"Forbidden"}',
  405: '{"message":"Method Not Allowed"}',
  500: '{"message":"Internal Server Error"}',
  503: '{"message":"Service Unavailable"}',
};

export const RETRY_AFTER_SECONDS = '5';

const SECURITY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

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

export function errorResponse(
  status: ErrorStatus,
  origin: string | undefined,
  allowedOrigins: readonly string[],
): ProxyResult {
  const response = jsonResponse(status, ERROR_BODIES[status], origin, allowedOrigins);
  if (status === 405) response.headers.Allow = 'POST, OPTIONS';
  if (status === 503) response.headers['Retry-After'] = RETRY_AFTER_SECONDS;
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
    headers: { ...corsHeaders(origin, allowedOrigins), ...PREFLIGHT_HEADERS, 'Cache-Control': 'no-store' },
    body: '',
  };
}
