// The construct and the app refuse invalid configuration before building anything, saying what to fix.
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { AppContextError, buildApp } from '../../lib/app.ts';
import {
  EnrollmentTokenApi,
  type EnrollmentTokenApiProps,
  EnrollmentTokenApiPropsError,
} from '../../lib/enrollment-token-api.ts';

describe('validation', () => {
  const construct = (props: EnrollmentTokenApiProps) => () =>
    new EnrollmentTokenApi(new Stack(new App(), 'Validation'), 'Api', props);

  it.each<[string, EnrollmentTokenApiProps, RegExp]>([
    ['a wildcard origin', { allowedOrigins: ['https://*.example.com'] }, /allowedOrigins.*"\*"/],
    ['an origin with a path', { allowedOrigins: ['https://app.example.com/'] }, /remove the path/],
    ['a token TTL above 300', { tokenTtlSeconds: 600 }, /tokenTtlSeconds must be an integer from 10 to 300/],
    ['a token TTL below 10', { tokenTtlSeconds: 5 }, /tokenTtlSeconds/],
    [
      'a Cognito pool without client ids',
      { cognitoUserPoolId: 'eu-west-1_AbC123' },
      /cognitoClientIds is required/,
    ],
    [
      'a JWT issuer without JWKS URL and audience',
      { jwtIssuer: 'https://id.example.com' },
      /jwtJwksUrl is required[\s\S]*jwtAudience is required/,
    ],
    ['a WAF limit under 10', { wafRateLimit: 5 }, /wafRateLimit must be an integer from 10/],
    [
      'a WAF window AWS does not offer',
      { wafRateLimit: 100, wafEvaluationWindowSeconds: 30 },
      /wafEvaluationWindowSeconds must be one of/,
    ],
    [
      'a custom domain without certificate',
      { domainName: 'auth.example.com' },
      /certificateArn is required with domainName/,
    ],
    ['session-creation without site URL', { tokenProfile: 'session-creation' }, /tokenSiteUrl is required/],
    [
      'an http site URL',
      { tokenProfile: 'session-creation', tokenSiteUrl: 'http://example.com' },
      /tokenSiteUrl must be an absolute https URL/,
    ],
    [
      'an alias as KMS key',
      { privateKeySecretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/x' },
      /KMS key ARN/,
    ],
    ['a log retention CloudWatch does not offer', { logRetentionDays: 31 }, /logRetentionDays/],
    ['no execute-api endpoint and no domain', { disableExecuteApiEndpoint: true }, /unreachable/],
  ])('rejects %s with a message saying what to fix', (_name, props, message) => {
    expect(construct(props)).toThrow(EnrollmentTokenApiPropsError);
    expect(construct(props)).toThrow(message);
  });

  it('reports every context problem at once, before building anything', () => {
    let error: unknown;
    try {
      buildApp({
        context: {
          allowedOrigin: 'https://a.example',
          tokenTtlSeconds: 'sixty',
          wafRateLimit: '5',
          tracing: 'yes',
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppContextError);
    const { problems } = error as AppContextError;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('unknown context key "allowedOrigin" (did you mean "allowedOrigins"?)'),
        expect.stringContaining('tokenTtlSeconds must be an integer'),
        expect.stringContaining('tracing must be true or false'),
        expect.stringContaining('wafRateLimit must be an integer from 10'),
      ]),
    );
  });
});
