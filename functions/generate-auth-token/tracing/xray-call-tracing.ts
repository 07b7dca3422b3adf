// X-Ray subsegments for the traced bundle (traced-handler.ts), through Powertools Tracer: one per
// Secrets Manager, DynamoDB and EventBridge call (captureAWSv3Client), one per JWKS download and
// session-endpoint call (below), under a handler subsegment annotated with ColdStart. Never imported
// by the default bundle: X-Ray's SDK and its async_hooks context cost bundle bytes and cold start.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { BoundedGet, BoundedGetOptions, BoundedResponse } from '../bounded-get.ts';
import type { CallTracing, OutboundGet } from '../call-tracing.ts';

export const TRACE_SERVICE_NAME = 'ownid-passkey-enrollment';

export function xrayCallTracing(
  tracer = new Tracer({ serviceName: TRACE_SERVICE_NAME, captureHTTPsRequests: false }),
): CallTracing {
  // Calls made during init (the key and the JWKS fetched at cold start) have no trace to join;
  // Lambda's own Init subsegment covers them. The default strategy would log an error for each.
  tracer.provider.setContextMissingStrategy('IGNORE_ERROR');
  return {
    awsClient: (client) => tracer.captureAWSv3Client(client),
    httpGet: (purpose, get) => (url, options) => tracedGet(tracer, purpose, get, url, options),
    // The response holds the enrollment token: it never goes into trace metadata.
    middleware: captureLambdaHandler(tracer, { captureResponse: false }),
  };
}

async function tracedGet(
  tracer: Tracer,
  purpose: OutboundGet,
  get: BoundedGet,
  url: string,
  options: BoundedGetOptions,
): Promise<BoundedResponse> {
  const parent = tracer.getSegment();
  if (parent === undefined) return get(url, options);
  const target = new URL(url);
  // Named by host, as X-Ray names remote HTTP calls: the service map shows the IdP and the site.
  const subsegment = parent.addNewSubsegment(target.host);
  subsegment.namespace = 'remote';
  subsegment.addAnnotation('call', purpose);
  // Origin and path only: a query string could carry more than an address.
  const request = { method: 'GET', url: `${target.origin}${target.pathname}` };
  try {
    const response = await get(url, options);
    subsegment.addAttribute('http', { request, response: { status: response.status } });
    if (response.status === 429) subsegment.addThrottleFlag();
    if (response.status >= 500) subsegment.addFaultFlag();
    else if (response.status >= 400) subsegment.addErrorFlag();
    return response;
  } catch (error) {
    subsegment.addAttribute('http', { request });
    subsegment.addError(error as Error, true);
    throw error;
  } finally {
    subsegment.close();
  }
}
