// What the function reads from an API Gateway REST proxy event: the method, the Origin, the
// Authorization values and the cookies. Header names are matched case-insensitively (REST events
// keep them as the client sent them); sizes are capped before anything is parsed.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OUTCOME_PATH } from '../../contract/http.ts';
import { type PlatformFamily, platformFamily } from './metrics.ts';
import type { RouteName } from './request-log.ts';

export const MAX_AUTHORIZATION_BYTES = 8 * 1024;
export const MAX_COOKIE_HEADER_BYTES = 16 * 1024;

export interface EnrollmentRequest {
  readonly method: string;
  readonly origin: string | undefined;
  /** Every Authorization value sent (more than one is refused). */
  readonly authorization: readonly string[];
  readonly cookies: CookieJar;
  /** True when a header was over its size cap (it is then treated as malformed, never parsed). */
  readonly oversized: boolean;
  /** From the User-Agent, for the funnel metrics and the enrollment event (absent: `other`). */
  readonly platform?: PlatformFamily;
}

/** Cookie lookup without prototype pitfalls; a name sent twice with different values is ambiguous. */
export interface CookieJar {
  get(name: string): string | undefined;
  /** The value exactly as sent (not percent-decoded), for forwarding. */
  getRaw(name: string): string | undefined;
  isAmbiguous(name: string): boolean;
  names(): Iterable<string>;
  readonly size: number;
}

type ProxyEventHeaders = Pick<APIGatewayProxyEvent, 'httpMethod' | 'headers' | 'multiValueHeaders'>;

function headerValues(event: ProxyEventHeaders, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  const multi = event.multiValueHeaders;
  if (multi !== null && typeof multi === 'object') {
    for (const key of Object.keys(multi)) {
      if (key.toLowerCase() !== wanted) continue;
      const list = multi[key];
      if (Array.isArray(list)) for (const value of list) if (typeof value === 'string') values.push(value);
    }
  }
  if (values.length > 0) return values;
  const single = event.headers;
  if (single !== null && typeof single === 'object') {
    for (const key of Object.keys(single)) {
      const value = single[key];
      if (key.toLowerCase() === wanted && typeof value === 'string') values.push(value);
    }
  }
  return values;
}

export function readEnrollmentRequest(event: ProxyEventHeaders): EnrollmentRequest {
  const authorization = headerValues(event, 'authorization');
  const cookieHeaders = headerValues(event, 'cookie');
  const origins = headerValues(event, 'origin');
  const cookieBytes = cookieHeaders.reduce((sum, value) => sum + value.length, 0);
  const oversized =
    authorization.some((value) => value.length > MAX_AUTHORIZATION_BYTES) ||
    cookieBytes > MAX_COOKIE_HEADER_BYTES;
  return {
    method: typeof event.httpMethod === 'string' ? event.httpMethod.toUpperCase() : '',
    // Two Origin headers is not something a browser sends: treat it as an unknown origin.
    origin: origins.length === 1 ? origins[0] : origins.length > 1 ? 'invalid:multiple' : undefined,
    authorization,
    cookies: oversized ? parseCookies([]) : parseCookies(cookieHeaders),
    oversized,
    platform: platformFamily(headerValues(event, 'user-agent')[0]),
  };
}

/**
 * The outcome route is any path ending in its segment (a custom domain's base path or a stage may
 * precede it); every other path is the token route, as before the outcome route existed.
 */
export function routeOf(event: Pick<APIGatewayProxyEvent, 'path' | 'resource'> | undefined): RouteName {
  const paths = [event?.resource, event?.path];
  return paths.some((path) => typeof path === 'string' && path.endsWith(OUTCOME_PATH)) ? 'outcome' : 'token';
}

export function parseCookies(cookieHeaders: readonly string[]): CookieJar {
  const values = new Map<string, string>();
  const rawValues = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const header of cookieHeaders) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      if (name === '') continue;
      const raw = pair.slice(eq + 1).trim();
      let value = raw;
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      value = percentDecode(value);
      const previous = values.get(name);
      if (previous !== undefined && previous !== value) ambiguous.add(name);
      if (previous === undefined) {
        values.set(name, value);
        rawValues.set(name, raw);
      }
    }
  }
  return {
    get: (name) => (ambiguous.has(name) ? undefined : values.get(name)),
    getRaw: (name) => (ambiguous.has(name) ? undefined : rawValues.get(name)),
    isAmbiguous: (name) => ambiguous.has(name),
    names: () => values.keys(),
    size: values.size,
  };
}

/** Percent-decodes a cookie value (or name part); text that is not valid percent-encoding stays as sent. */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
