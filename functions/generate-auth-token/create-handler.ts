// Wires a parsed Config into the middy handler: Secrets Manager or file key source, the session
// verifiers, the boundary. handler.ts calls this once at cold start; tests call it per scenario.

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Config } from './config.ts';
import {
  type BoundaryInternal,
  type EnrollmentEvent,
  type EnrollmentResult,
  enrollmentBoundary,
  enrollmentRequestOf,
} from './enrollment-boundary.ts';
import { type ProxyResult, tokenResponse } from './http-response.ts';
import { type IssueDependencies, issueEnrollmentToken } from './issue-enrollment-token.ts';
import { pemFile, secretArnRegion, secretsManagerSecret } from './key-sources.ts';
import { formatEventLog, type LogSink, stdoutSink } from './request-log.ts';
import { createIntrospectionVerifier } from './session/introspection.ts';
import { createJwtSessionVerifier } from './session/jwt-session.ts';
import { createSessionVerifier } from './session/verify-session.ts';
import { createSigningKeyProvider } from './signing-key.ts';

export interface HandlerOptions {
  readonly log?: LogSink;
  readonly now?: () => number;
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

export function createEnrollmentRuntime(config: Config, options: HandlerOptions = {}): EnrollmentRuntime {
  const log = options.log ?? stdoutSink;
  const now = options.now ?? Date.now;
  const logEvent = (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>) =>
    log(formatEventLog(level, message, fields, new Date(now()).toISOString()));

  // One client per region: a secret given by ARN is read in its own region (Secrets Manager only
  // answers there), a name in the function's region.
  const clients = new Map<string, SecretsManagerClient>();
  const secretsManagerFor = (secretId: string) => {
    const region = secretArnRegion(secretId);
    let client = clients.get(region ?? '');
    if (client === undefined) {
      client = createSecretsManagerClient(region);
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
        })
      : undefined;
  const introspect =
    config.introspection === undefined
      ? undefined
      : createIntrospectionVerifier(config.introspection, {
          now,
          readSharedSecret:
            config.introspection.sharedSecretId === undefined
              ? undefined
              : secretsManagerSecret(
                  secretsManagerFor(config.introspection.sharedSecretId),
                  config.introspection.sharedSecretId,
                ),
        });

  const deps: IssueDependencies = {
    verifySession: createSessionVerifier(config, { verifyJwt: jwtSessions?.verify, introspect }),
    getSigningKey,
    token: config.token,
    now,
  };

  // No middy early-timeout race: every dependency call is bounded by its own timeout (3 s key, 2 s JWKS).
  const handler = middy<EnrollmentEvent, EnrollmentResult, Error, Context, BoundaryInternal>({
    timeoutEarlyInMillis: 0,
  })
    // Last resort only: the boundary answers every error it can see.
    .use(httpErrorHandler({ logger: false, fallbackMessage: '{"message":"Internal Server Error"}' }))
    .use(enrollmentBoundary({ allowedOrigins: config.allowedOrigins, log, now }))
    .handler(async (event): Promise<EnrollmentResult> => {
      const request = enrollmentRequestOf(event);
      const issued = await issueEnrollmentToken(request, deps);
      return { ...tokenResponse(issued.email, issued.token, request.origin, config.allowedOrigins), issued };
    });

  async function warmUp() {
    const [key, jwks] = await Promise.allSettled([getSigningKey(), jwtSessions?.hydrate()]);
    if (key.status === 'rejected') {
      logEvent('WARN', 'cold-start', {
        outcome: key.reason?.reason ?? 'key_unavailable',
        detail: key.reason?.message,
      });
    }
    if (jwks.status === 'rejected')
      logEvent('WARN', 'cold-start', { outcome: 'jwks_unavailable', detail: 'JWKS not loaded at init' });
  }

  return { handler, warmUp };
}
