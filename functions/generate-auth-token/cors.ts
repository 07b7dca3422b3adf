// Exact-origin CORS with credentials. Never "*"; a disallowed or absent Origin gets no
// Access-Control-Allow-Origin at all. The preflight's header set is contract/http.ts PREFLIGHT_HEADERS.
import { EXPOSED_HEADERS } from '../../contract/http.ts';

export function isAllowedOrigin(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): origin is string {
  return origin !== undefined && allowedOrigins.includes(origin);
}

export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!isAllowedOrigin(origin, allowedOrigins)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
}
