// Intent of the stack, asserted on synthesized templates (test/support/stack-apps.ts: defaults, one
// origin, everything on): cdk-nag, the API, CORS and the function. Secrets, edge protection and
// observability are in enrollment-token-stack-operations.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/esbuild-config.ts';
import { nagFindings } from '../support/cdk-synth.ts';
import {
  corsHeaderValues,
  defaults,
  full,
  resourcesOf,
  single,
  synthStackApps,
} from '../support/stack-apps.ts';

synthStackApps();

describe('cdk-nag AwsSolutions on the app as bin/app.ts builds it', () => {
  it('has no unacknowledged finding with zero context, one origin, or every option on', () => {
    expect(nagFindings(defaults.stack)).toEqual([]);
    expect(nagFindings(single.stack)).toEqual([]);
    expect(nagFindings(full.stack)).toEqual([]);
  });

  it('synthesizes an assembly with a template (the CLI path)', () => {
    const assembly = defaults.app.synth();
    expect(assembly.getStackByName(defaults.stack.stackName).template).toHaveProperty('Resources');
  });
});

describe('API', () => {
  it('is a regional REST API with POST <path> as a Lambda proxy integration', () => {
    defaults.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    // Named after the stack, so API Gateway metrics (ApiName + Stage) of two stacks never mix.
    full.template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'OwnIdEnrollmentFull' });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Dimensions: Match.arrayWith([{ Name: 'ApiName', Value: 'OwnIdEnrollmentFull' }]),
    });
    defaults.template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'generate-auth-token' });
    defaults.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      RequestValidatorId: Match.anyValue(),
    });
  });

  it('answers other methods with a 405 mock, never the function; Allow lists OPTIONS only if it exists', () => {
    const allow = (template: Template, value: string) =>
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'ANY',
        Integration: {
          Type: 'MOCK',
          IntegrationResponses: [
            Match.objectLike({
              StatusCode: '405',
              ResponseParameters: Match.objectLike({ 'method.response.header.Allow': value }),
            }),
          ],
        },
      });
    allow(defaults.template, "'POST'");
    allow(full.template, "'POST, OPTIONS'");
  });

  it('throttles the stage with the defaults, or the values from context', () => {
    const settings = (throttle: Record<string, number>) => ({
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ...throttle,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: false,
        }),
      ]),
    });
    defaults.template.hasResourceProperties(
      'AWS::ApiGateway::Stage',
      settings({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
    );
    full.template.hasResourceProperties(
      'AWS::ApiGateway::Stage',
      settings({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
    );
  });

  it('writes JSON access logs with a numeric status to a log group with retention', () => {
    const [stage] = resourcesOf(defaults.template, 'AWS::ApiGateway::Stage');
    const format = (stage?.Properties.AccessLogSetting as { Format: string } | undefined)?.Format ?? '';
    // Every variable but $context.status may be logged as "-": the line must stay valid JSON then.
    const sample = format.replaceAll(/\$context\.[A-Za-z.]+/g, (name) =>
      name === '$context.status' ? '429' : '-',
    );
    expect(JSON.parse(sample)).toMatchObject({ status: 429, responseLatency: '-', errorType: '-' });
    for (const group of resourcesOf(defaults.template, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
    for (const group of resourcesOf(full.template, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(90);
    }
  });

  it('has 4XX, 5XX, THROTTLED (429 Too Many Requests) gateway responses', () => {
    defaults.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
    });
    defaults.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_5XX',
    });
    defaults.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseTemplates: { 'application/json': '{"message":"Too Many Requests"}' },
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Cache-Control': "'no-store'" }),
    });
  });
});

describe('CORS', () => {
  it('has no preflight and no CORS header without allowed origins', () => {
    expect(
      resourcesOf(defaults.template, 'AWS::ApiGateway::Method').map((m) => m.Properties.HttpMethod),
    ).not.toContain('OPTIONS');
    expect(corsHeaderValues(defaults.template)).toEqual([]);
  });

  it('answers the preflight with 204 and echoes only listed origins, exactly', () => {
    const options = resourcesOf(full.template, 'AWS::ApiGateway::Method').find(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    const integration = options?.Properties.Integration as {
      Type: string;
      IntegrationResponses: { StatusCode: string; ResponseTemplates: Record<string, string> }[];
    };
    expect(integration.Type).toBe('MOCK');
    const [response] = integration.IntegrationResponses;
    expect(response?.StatusCode).toBe('204');
    const vtl = response?.ResponseTemplates['application/json'] ?? '';
    expect(vtl).toContain(
      '#if($origin == "https://app.example.com" || $origin == "https://www.example.com")',
    );
    expect(vtl).toContain('Access-Control-Allow-Origin = $origin');
    expect(vtl).toContain('Access-Control-Allow-Credentials = "true"');
    expect(vtl).toMatch(/Access-Control-Allow-Methods = "[^"]*POST/);
    expect(vtl).toMatch(/Access-Control-Allow-Headers = "Authorization, Content-Type"/);
    full.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: {
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({ 'method.response.header.Vary': "'Origin'" }),
          }),
        ],
      },
    });
  });

  it('puts the single allowed origin on gateway responses, and none with several origins', () => {
    single.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        'gatewayresponse.header.Vary': "'Origin'",
      }),
    });
    for (const response of resourcesOf(full.template, 'AWS::ApiGateway::GatewayResponse')) {
      expect(response.Properties.ResponseParameters).not.toHaveProperty([
        'gatewayresponse.header.Access-Control-Allow-Origin',
      ]);
    }
  });

  it('never allows "*" and never echoes the request Origin unconditionally', () => {
    for (const { template } of [defaults, single, full]) {
      for (const value of corsHeaderValues(template)) {
        expect(value).not.toContain('*');
        expect(value).not.toContain('method.request.header');
      }
      expect(JSON.stringify(template.toJSON())).not.toMatch(/Access-Control-Allow-Origin[^,]*'\*'/);
    }
  });
});

describe('function', () => {
  it('deploys the shared bundle on nodejs24.x arm64 with JSON logs, 1024 MB and a short timeout', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 5,
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'INFO',
        LogGroup: Match.anyValue(),
      },
    });
    // The code asset is staged from the out dir of buildLambdaSync(): the same bytes as `npm run build`.
    const [fn] = resourcesOf(defaults.template, 'AWS::Lambda::Function');
    const assetHash = String((fn?.Properties.Code as { S3Key?: string } | undefined)?.S3Key).replace(
      /\.zip$/,
      '',
    );
    const assetDir = join(defaults.app.outdir, `asset.${assetHash}`);
    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).toBe(
      readFileSync(join(projectRoot, 'dist/functions/generate-auth-token/index.mjs'), 'utf8'),
    );
  });

  it('uses memory and reserved concurrency from context, and tracing when asked', () => {
    full.template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      ReservedConcurrentExecutions: 20,
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('gets its configuration from the environment, never the key itself', () => {
    full.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          OWNID_PRIVATE_KEY_SECRET_ID: 'ownid/private-key',
          KEY_CACHE_TTL_SECONDS: '300',
          SESSION_COGNITO_USER_POOL_ID: 'eu-west-1_AbC123',
          SESSION_COGNITO_CLIENT_IDS: 'client1,client2',
          SESSION_JWT_ISSUER: 'https://login.example.com/',
          SESSION_JWT_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
          SESSION_JWT_AUDIENCE: 'app',
          SESSION_COOKIE_NAMES: 'id_token',
          SESSION_INTROSPECTION_URL: 'https://app.example.com/api/session',
          SESSION_INTROSPECTION_COOKIES: 'sid',
          SESSION_INTROSPECTION_SECRET_ID: 'ownid/introspection-token',
          SESSION_INTROSPECTION_CACHE_SECONDS: '30',
          ALLOWED_ORIGINS: 'https://app.example.com,https://www.example.com',
          TOKEN_TTL_SECONDS: '120',
          TOKEN_PROFILE: 'session-creation',
          TOKEN_SITE_URL: 'https://www.example.com',
        },
      },
    });
    for (const { template } of [defaults, single, full]) {
      for (const fn of resourcesOf(template, 'AWS::Lambda::Function')) {
        expect(JSON.stringify(fn.Properties.Environment)).not.toMatch(/PRIVATE KEY|-----BEGIN/);
      }
    }
  });

  it('uses no managed policy: its role has inline statements only', () => {
    for (const role of resourcesOf(defaults.template, 'AWS::IAM::Role')) {
      const assumedBy = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
      if (assumedBy.includes('lambda.amazonaws.com'))
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
