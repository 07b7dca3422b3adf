// API Gateway REST proxy events as API Gateway sends them (headers as the client spelled them,
// single- and multi-value maps both filled).
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export interface EventOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Extra values per header name, e.g. two Authorization headers. */
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly body?: string | null;
  readonly path?: string;
}

export function restEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const headers = { ...(options.headers ?? {}) };
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  for (const [name, values] of Object.entries(options.multiValueHeaders ?? {})) {
    multiValueHeaders[name] = values;
    headers[name] = values.at(-1) ?? '';
  }
  const path = options.path ?? '/generate-auth-token';
  return {
    resource: path,
    path,
    httpMethod: options.method ?? 'POST',
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method ?? 'POST',
      identity: {
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'req-1',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: path,
    },
  };
}

let invocation = 0;
export function lambdaContext(): Context {
  invocation += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'generate-auth-token',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:generate-auth-token',
    memoryLimitInMB: '512',
    awsRequestId: `00000000-0000-4000-8000-${String(invocation).padStart(12, '0')}`,
    logGroupName: '/aws/lambda/generate-auth-token',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
