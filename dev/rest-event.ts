// HTTP <-> API Gateway REST proxy integration, both directions, as pure functions: what API Gateway
// would hand the Lambda for a request, and what it would send back for the Lambda's result.
// The local server is the only user; nothing here knows what the function does with the event.
import { isUtf8 } from 'node:buffer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** The parts of an HTTP request the event is made of (node:http gives them as below). */
export interface HttpRequestParts {
  readonly method: string;
  /** The request-target as sent, e.g. `/generate-auth-token?x=1`: the path is what comes before `?`, taken as is. */
  readonly url: string;
  /** `IncomingMessage.rawHeaders`: names as the client spelled them, every value, in order. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  /** @default 'local' */
  readonly stage?: string;
  /** The API resource the path matched. @default - the path */
  readonly resource?: string;
}

const TEXT_TYPES =
  /^(?:text\/|application\/(?:json|[\w.+-]*\+json|[\w.+-]*\+xml|xml|javascript|x-www-form-urlencoded|graphql))/i;

/**
 * Text bodies travel as text; binary or undecodable ones as base64 with `isBase64Encoded`, which is what
 * API Gateway does for a content type listed in the API's binaryMediaTypes. The deployed stack lists none
 * (so there a non-UTF-8 body would reach the function as text, not base64); the difference is left in on
 * purpose, because the function never reads the body: it decides on headers alone.
 */
export function encodeBody(
  body: Buffer,
  contentType: string | undefined,
): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  const declaredText =
    contentType === undefined || contentType.trim() === '' || TEXT_TYPES.test(contentType.trim());
  if (declaredText && isUtf8(body)) return { body: body.toString('utf8'), isBase64Encoded: false };
  return { body: body.toString('base64'), isBase64Encoded: true };
}

function headerMaps(rawHeaders: readonly string[]) {
  // Null-prototype maps: a header called `__proto__` or `constructor` is just a header.
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    // API Gateway keeps every value in multiValueHeaders and the last one in headers.
    headers[name] = value;
    const list = multiValueHeaders[name];
    if (list === undefined) multiValueHeaders[name] = [value];
    else list.push(value);
  }
  return { headers, multiValueHeaders };
}

function queryMaps(search: string) {
  if (search === '' || search === '?') return { single: null, multi: null };
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(search)) {
    single[name] = value;
    const list = multi[name];
    if (list === undefined) multi[name] = [value];
    else list.push(value);
  }
  return { single, multi };
}

function lastHeader(rawHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === name) found = rawHeaders[i + 1];
  }
  return found;
}

export function toRestEvent(request: HttpRequestParts): APIGatewayProxyEvent {
  // The raw request-target, not `new URL`: that would read `//host/p` or `http://host/p` as a host
  // and resolve `..` segments, handing the function a path the client did not send.
  const queryStart = request.url.indexOf('?');
  const path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const { headers, multiValueHeaders } = headerMaps(request.rawHeaders);
  const query = queryMaps(queryStart < 0 ? '' : request.url.slice(queryStart));
  const { body, isBase64Encoded } = encodeBody(request.body, lastHeader(request.rawHeaders, 'content-type'));
  const stage = request.stage ?? 'local';
  const resource = request.resource ?? path;
  const method = request.method.toUpperCase();
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: lastHeader(request.rawHeaders, 'user-agent') ?? null,
        userArn: null,
      },
      path: `/${stage}${path}`,
      stage,
      requestId: request.requestId,
      requestTimeEpoch: request.requestTimeEpoch,
      resourceId: 'local',
      resourcePath: resource,
    },
  };
}

/** A Lambda context for one invocation; the deadline drives getRemainingTimeInMillis (middy uses it). */
export function lambdaContext(requestId: string, deadline: number, now: () => number = Date.now): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'generate-auth-token',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:generate-auth-token',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/generate-auth-token',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HttpResponseParts {
  readonly statusCode: number;
  /** Flat [name, value] pairs, ready for `res.writeHead(status, pairs.flat())`; several Set-Cookie kept apart. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** What API Gateway answers when the integration fails or returns something that is not a proxy result. */
export const BAD_GATEWAY: HttpResponseParts = Object.freeze({
  statusCode: 502,
  headers: [['Content-Type', 'application/json']] as const,
  body: Buffer.from('{"message":"Internal server error"}'),
});

// Framing is API Gateway's business, not the function's.
const HOP_BY_HOP = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);

type ProxyResultLike = APIGatewayProxyResult & { cookies?: unknown };

export function fromProxyResult(result: unknown): HttpResponseParts {
  if (result === null || typeof result !== 'object') return BAD_GATEWAY;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded, cookies } =
    result as ProxyResultLike;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return BAD_GATEWAY;
  if (body !== undefined && body !== null && typeof body !== 'string') return BAD_GATEWAY;

  // multiValueHeaders win over headers for the same name (API Gateway merges the two maps that way).
  const byName = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, values: string[], replace: boolean) => {
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key)) return;
    const entry = byName.get(key);
    if (entry === undefined || replace) byName.set(key, { name, values: [...values] });
    else entry.values.push(...values);
  };
  const scalar = (value: unknown) =>
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : undefined;
  if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) {
      const text = scalar(value);
      if (text !== undefined) add(name, [text], false);
    }
  }
  if (multiValueHeaders !== null && typeof multiValueHeaders === 'object') {
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values)) continue;
      const texts = values.map(scalar).filter((v): v is string => v !== undefined);
      add(name, texts, true);
    }
  }
  // HTTP API (payload 2.0) style `cookies`, accepted too: each becomes its own Set-Cookie.
  if (Array.isArray(cookies)) {
    add(
      'Set-Cookie',
      cookies.filter((c): c is string => typeof c === 'string'),
      false,
    );
  }

  const pairs: [string, string][] = [];
  for (const { name, values } of byName.values()) for (const value of values) pairs.push([name, value]);
  const text = body ?? '';
  return {
    statusCode,
    headers: pairs,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}
