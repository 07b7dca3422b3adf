// The HTTP literals both the function and API Gateway (lib/) write: header sets and fixed bodies
// (docs/contract.md). A change here changes both sides at once.

/** Headers on every answer, API Gateway's own included: nothing is cached, nothing is sniffed. */
export const NO_STORE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/** Headers on every answer the function writes (its bodies are JSON and never a document). */
export const SECURITY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  ...NO_STORE_HEADERS,
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

/** The CORS preflight answer for an allowed origin, beside the echoed origin and credentials. */
export const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Max-Age': '600',
} as const;

/** The outcome route's path, a sibling of the token path at the API root. */
export const OUTCOME_PATH = '/enrollment-outcome';

/** `Allow` of a 405 when the OPTIONS preflight exists. */
export const ALLOWED_METHODS = 'POST, OPTIONS';

/**
 * Response headers a page may read (CORS exposes only the safelisted ones otherwise): why the token
 * route skipped this user, and when to try again after a 429 or 503.
 */
export const EXPOSED_HEADERS = 'Enrollment-Skip, Retry-After';

/** The token route's header naming why the policy skipped this user (a 204). */
export const ENROLLMENT_SKIP_HEADER = 'Enrollment-Skip';

/** `Retry-After` of a 503, in seconds. */
export const RETRY_AFTER_SECONDS = '5';

/** The fixed body of each error status, whoever answers (the function, API Gateway or AWS WAF). */
export const ERROR_BODIES = {
  400: '{"message":"Bad Request"}',
  401: '{"message":"Unauthorized"}',
  403: '{"message":"Forbidden"}',
  404: '{"message":"Not Found"}',
  405: '{"message":"Method Not Allowed"}',
  409: '{"message":"Conflict"}',
  429: '{"message":"Too Many Requests"}',
  500: '{"message":"Internal Server Error"}',
  503: '{"message":"Service Unavailable"}',
} as const;
