// The seam for tracing the function's outbound calls. The default bundle passes `untraced` (the
// identity: nothing loaded, nothing spent); the traced bundle (traced-handler.ts, deployed when the
// stack's `tracing` prop is on) passes X-Ray subsegments from tracing/xray-call-tracing.ts.
import type { MiddlewareObj } from '@middy/core';
import type { BoundedGet } from './bounded-get.ts';

/** What an outbound GET is for; names the call in a trace. */
export type OutboundGet = 'jwks' | 'session-introspection';

export interface CallTracing {
  /** The same AWS SDK v3 client, each of its calls a subsegment. */
  awsClient<Client extends object>(client: Client): Client;
  /** The same GET, each call a remote subsegment. */
  httpGet(purpose: OutboundGet, get: BoundedGet): BoundedGet;
  /** Wraps each invocation (a handler subsegment with its annotations). */
  readonly middleware?: MiddlewareObj;
}

export const untraced: CallTracing = {
  awsClient: (client) => client,
  httpGet: (_purpose, get) => get,
};
