// The three apps the stack tests synthesize (each builds the shared Lambda bundle once): defaults, one
// origin, everything on; and helpers to read their templates. Call synthStackApps() at the top of a file.
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll } from 'vitest';
import { synth } from './cdk-synth.ts';

export function resourcesOf(template: Template, type: string) {
  return Object.values(template.findResources(type)) as { Properties: Record<string, unknown> }[];
}

export function corsHeaderValues(template: Template): string[] {
  const values: string[] = [];
  const visit = (node: unknown, key = ''): void => {
    if (typeof node === 'string' && /Access-Control-Allow-Origin/i.test(key)) values.push(node);
    else if (Array.isArray(node)) for (const child of node) visit(child, key);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  visit(template.toJSON());
  return values;
}

export const FULL: Record<string, unknown> = {
  stackName: 'OwnIdEnrollmentFull',
  allowedOrigins: 'https://app.example.com,https://www.example.com',
  cognitoUserPoolId: 'eu-west-1_AbC123',
  cognitoClientIds: 'client1,client2',
  jwtIssuer: 'https://login.example.com/',
  jwtJwksUrl: 'https://login.example.com/.well-known/jwks.json',
  jwtAudience: 'app',
  sessionCookieNames: 'id_token',
  introspectionUrl: 'https://app.example.com/api/session',
  introspectionCookieNames: 'sid',
  introspectionSecret: 'ownid/introspection-token',
  introspectionCacheSeconds: '30',
  privateKeySecret: 'ownid/private-key',
  privateKeySecretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  tokenTtlSeconds: '120',
  tokenProfile: 'session-creation',
  tokenSiteUrl: 'https://www.example.com',
  throttlingRateLimit: '20',
  throttlingBurstLimit: '40',
  wafRateLimit: '200',
  wafEvaluationWindowSeconds: '120',
  domainName: 'auth.example.com',
  disableExecuteApiEndpoint: 'true',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
  hostedZoneId: 'Z123456ABCDEFG',
  hostedZoneName: 'example.com',
  logRetentionDays: 90,
  alarmEmail: 'ops@example.com',
  memorySize: 1024,
  reservedConcurrentExecutions: 20,
  tracing: 'true',
};

// Set by synthStackApps' beforeAll; importers see the values once it has run.
export let defaults: ReturnType<typeof synth>;
export let single: ReturnType<typeof synth>;
export let full: ReturnType<typeof synth>;

/** Synthesizes the three apps before the file's tests. */
export function synthStackApps(): void {
  beforeAll(() => {
    defaults = synth({});
    single = synth({
      stackName: 'OwnIdEnrollmentSingle',
      allowedOrigins: 'https://app.example.com',
      cognitoUserPoolId: 'eu-west-1_AbC123',
      cognitoClientIds: 'client1',
      privateKeySecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ownid/private-key-AbC123',
    });
    full = synth(FULL);
  });
}
