// Wires a parsed Config into the middy handler: Secrets Manager or file key source, the session
// verifiers, the policy store, the boundary and the route table. handler.ts calls this once at cold start; tests call it per scenario.

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { boundedGet } from './bounded-get.ts';
import { type CallTracing, untraced } from './call-tracing.ts';
import type { Config } from './config.ts';
import {
  type BoundaryInternal,
  type EnrollmentEvent,
  type EnrollmentResult,
  enrollmentBoundary,
  enrollmentRequestOf,
} from './enrollment-boundary.ts';
import {
  announcePasskeyEnrolled,
  createEventBridgeClient,
  eventBridgePublisher,
} from './enrollment-events.ts';
import { routeOf } from './http-request.ts';
import type { ProxyResult } from './http-response.ts';
import { pemFile, secretArnRegion, secretsManagerSecret } from './key-sources.ts';
import { createDynamoDbClient, createPolicyStore, type PolicyStore } from './policy/state-store.ts';
import { formatEventLog, type LogSink, stdoutSink } from './request-log.ts';
import { createRoutes } from './routes.ts';
import { createIntrospectionVerifier } from './session/introspection.ts';
import { createJwtSessionVerifier } from './session/jwt-session.ts';
import { createSessionVerifier } from './session/verify-session.ts';
import { createSigningKeyProvider } from './signing-key.ts';

export interface HandlerOptions {
  readonly log?: LogSink;
  readonly now?: () => number;
  /** X-Ray subsegments for the outbound calls (the traced bundle). @default untraced */
  readonly tracing?: CallTracing;
}

export type EnrollmentHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<ProxyResult>;

export interface EnrollmentRuntime {
  readonly handler: EnrollmentHandler;
  /** Cold-start work: fetch the key and the JWKS now, so the first request does not wait. Never throws. */
  readonly warmUp: () => Promise<void>;
}

export function createSecretsManagerClient(region?: string): SecretsManagerClient {
  // Short timeouts: a hanging Secrets Manager must end in a 503 well inside the Lambda timeout
  // (two attempts of at most 1.2 s each; without throwOnRequestTimeout the SDK only warns).
  return new SecretsManagerClient({
    ...(region === undefined ? {} : { region }),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 1200, throwOnRequestTimeout: true },
  });
}

/** The policy state store, once per cold start; none without ENROLLMENT_STATE_TABLE. */
function createStore(config: Config, tracing: CallTracing): PolicyStore | undefined {
  const { tableName, storeTimeoutMs } = config.policy;
  if (tableName === undefined) return undefined;
  return createPolicyStore({
    client: tracing.awsClient(createDynamoDbClient()),
    tableName,
    settings: config.policy,
    timeoutMs: storeTimeoutMs,
  });
}

export function createEnrollmentRuntime(config: Config, options: HandlerOptions = {}): EnrollmentRuntime {
  const log = options.log ?? stdoutSink;
  const now = options.now ?? Date.now;
  const tracing = options.tracing ?? untraced;
  const logEvent = (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>) =>
    log(formatEventLog(level, message, fields, new Date(now()).toISOString()));

  // One client per region: a secret given by ARN is read in its own region (Secrets Manager only
  // answers there), a name in the function's region.
  const clients = new Map<string, SecretsManagerClient>();
  const secretsManagerFor = (secretId: string) => {
    const region = secretArnRegion(secretId);
    let client = clients.get(region ?? '');
    if (client === undefined) {
      client = tracing.awsClient(createSecretsManagerClient(region));
      clients.set(region ?? '', client);
    }
    return client;
  };

  const getSigningKey = createSigningKeyProvider({
    readSecret:
      config.keySource.kind === 'file'
        ? pemFile(config.keySource.path)
        : secretsManagerSecret(secretsManagerFor(config.keySource.secretId), config.keySource.secretId),
    ttlSeconds: config.keyCacheTtlSeconds,
    now,
    onStaleKeyKept: (error) =>
      logEvent('WARN', 'signing-key', { outcome: 'key_refresh_failed', detail: error.message }),
  });

  const jwtSessions =
    config.cognito !== undefined || config.jwtIssuer !== undefined
      ? createJwtSessionVerifier({
          cognito: config.cognito,
          cognitoJwksEndpoint: config.cognitoJwksEndpoint,
          jwtIssuer: config.jwtIssuer,
          now,
          get: tracing.httpGet('jwks', boundedGet),
        })
      : undefined;
  const introspect =
    config.introspection === undefined
      ? undefined
      : createIntrospectionVerifier(config.introspection, {
          now,
          get: tracing.httpGet('session-introspection', boundedGet),
          readSharedSecret:
            config.introspection.sharedSecretId === undefined
              ? undefined
              : secretsManagerSecret(
                  secretsManagerFor(config.introspection.sharedSecretId),
                  config.introspection.sharedSecretId,
                ),
        });

  const store = createStore(config, tracing);
  const publishEnrolled = config.funnel.enrollmentEvents
    ? eventBridgePublisher(tracing.awsClient(createEventBridgeClient()))
    : undefined;
  const session = {
    verifySession: createSessionVerifier(config, { verifyJwt: jwtSessions?.verify, introspect }),
    getSigningKey,
    token: config.token,
    now,
  };
  const routes = createRoutes({
    issue: { ...session, policy: { store, settings: config.policy } },
    outcome: {
      ...session,
      store,
      announceEnrolled: (event) => announcePasskeyEnrolled(publishEnrolled, event, logEvent),
    },
    allowedOrigins: config.allowedOrigins,
  });

  // No middy early-timeout race: every dependency call is bounded by its own timeout (3 s key, 2 s JWKS).
  const handler = middy<EnrollmentEvent, EnrollmentResult, Error, Context, BoundaryInternal>({
    timeoutEarlyInMillis: 0,
  })
    // Outermost: the handler subsegment spans the whole invocation, error handling included.
    .use(tracing.middleware ?? [])
    // Last resort only: the boundary answers every error it can see.
    .use(httpErrorHandler({ logger: false, fallbackMessage: '{"message":"Internal Server Error"}' }))
    .use(
      enrollmentBoundary({
        allowedOrigins: config.allowedOrigins,
        log,
        now,
        metricsNamespace: config.funnel.metricsNamespace,
      }),
    )
    .handler((event): Promise<EnrollmentResult> => routes[routeOf(event)](event, enrollmentRequestOf(event)));

  async function warmUp() {
    // The store's first call opens its TLS connection: made here, the first request does not fail open.
    const [key, jwks, table] = await Promise.allSettled([
      getSigningKey(),
      jwtSessions?.hydrate(),
      store?.warmUp(),
    ]);
    if (key.status === 'rejected') {
      logEvent('WARN', 'cold-start', {
        outcome: key.reason?.reason ?? 'key_unavailable',
        detail: key.reason?.message,
      });
    }
    if (jwks.status === 'rejected')
      logEvent('WARN', 'cold-start', { outcome: 'jwks_unavailable', detail: 'JWKS not loaded at init' });
    if (table.status === 'rejected')
      logEvent('WARN', 'cold-start', { outcome: 'policy_unavailable', detail: table.reason?.message });
  }

  return { handler, warmUp };
}
