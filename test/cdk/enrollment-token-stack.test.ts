// Intent of the stack, asserted on synthesized templates. Three apps are synthesized (each builds the
// shared Lambda bundle once) and shared by the tests below: defaults, one origin, everything on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppContextError, buildApp } from '../../lib/app.ts';
import {
  EnrollmentTokenApi,
  type EnrollmentTokenApiProps,
  EnrollmentTokenApiPropsError,
} from '../../lib/enrollment-token-api.ts';
import { projectRoot } from '../../scripts/esbuild-config.ts';
import { nagFindings, synth } from '../support/cdk-synth.ts';

function resourcesOf(template: Template, type: string) {
  return Object.values(template.findResources(type)) as { Properties: Record<string, unknown> }[];
}

function corsHeaderValues(template: Template): string[] {
  const values: string[] = [];
  const visit = (node: unknown, key = ''): void => {
    if (typeof node === 'string' && /Access-Control-Allow-Origin/i.test(key)) values.push(node);
    else if (Array.isArray(node)) for (const child of node) visit(child, key);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  visit(template.toJSON());
  return values;
}

const FULL: Record<string, unknown> = {
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

let defaults: ReturnType<typeof synth>;
let single: ReturnType<typeof synth>;
let full: ReturnType<typeof synth>;

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

describe('IAM on secrets', () => {
  type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
  const statements = (template: Template): Statement[] =>
    resourcesOf(template, 'AWS::IAM::Policy').flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
  const withAction = (template: Template, action: string) =>
    statements(template).filter((s) => [s.Action].flat().includes(action));

  it('reads only the created secret, with no wildcard and no DescribeSecret', () => {
    const reads = withAction(defaults.template, 'secretsmanager:GetSecretValue');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Resource).toEqual({ Ref: expect.stringMatching(/PrivateKeySecret/) });
    expect(withAction(defaults.template, 'secretsmanager:DescribeSecret')).toEqual([]);
    expect(withAction(defaults.template, 'kms:Decrypt')).toEqual([]);
  });

  it('creates the key secret empty (no generated value) and keeps it on stack deletion', () => {
    defaults.template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ GenerateSecretString: Match.absent(), SecretString: Match.absent() }),
    });
    full.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('scopes a secret given by name to exactly its 6-character suffix', () => {
    const resources = withAction(full.template, 'secretsmanager:GetSecretValue').flatMap((s) =>
      [s.Resource].flat().map((resource) => JSON.stringify(resource)),
    );
    expect(resources).toHaveLength(2);
    expect(resources.join()).toContain(':secret:ownid/private-key-??????');
    expect(resources.join()).toContain(':secret:ownid/introspection-token-??????');
    expect(resources.join()).not.toContain('*');
  });

  it('uses a complete secret ARN as is', () => {
    const [read] = withAction(single.template, 'secretsmanager:GetSecretValue');
    expect(read?.Resource).toBe(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ownid/private-key-AbC123',
    );
  });

  it('grants kms:Decrypt on the given key only, through Secrets Manager only', () => {
    const decrypts = withAction(full.template, 'kms:Decrypt');
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0]?.Resource).toBe(
      'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    );
    expect(JSON.stringify(decrypts[0]?.Condition)).toContain('kms:ViaService');
    expect(withAction(single.template, 'kms:Decrypt')).toEqual([]);
  });
});

describe('edge protection and domain', () => {
  it('creates a WAF web ACL with a per-IP rate rule only when wafRateLimit is set', () => {
    defaults.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    defaults.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    full.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [
        Match.objectLike({
          Statement: { RateBasedStatement: { Limit: 200, AggregateKeyType: 'IP', EvaluationWindowSec: 120 } },
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429 }) } },
        }),
      ],
    });
    full.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('creates the custom domain and alias record only when configured', () => {
    defaults.template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    defaults.template.resourceCountIs('AWS::Route53::RecordSet', 0);
    full.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'auth.example.com',
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    full.template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    full.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'auth.example.com.',
      Type: 'A',
      HostedZoneId: 'Z123456ABCDEFG',
    });
  });
});

describe('observability', () => {
  it('has alarms on function errors, 5xx, 429s, p99 latency and key-fetch failures', () => {
    // The other three (throttles, integration latency, no tokens issued): test/cdk/deploy-readiness.test.ts;
    // the two funnel alarms: test/cdk/enrollment-funnel.test.ts.
    defaults.template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
    });
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
    });
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ThrottledRequests' });
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
    });
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'KeyFetchFailures' });
  });

  it('counts refusals by reason, key-fetch failures and 429s with metric filters (issued tokens: from the function metric lines)', () => {
    const patterns = resourcesOf(defaults.template, 'AWS::Logs::MetricFilter').map(
      (f) => f.Properties.FilterPattern,
    );
    expect(patterns).toEqual(
      expect.arrayContaining([
        '{ ($.status >= 400) && ($.status < 500) }',
        '{ ($.outcome = "key_unavailable") || ($.outcome = "key_invalid") }',
        '{ ($.status = 429) && ($.errorType = "THROTTLED") }',
      ]),
    );
    defaults.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [
        Match.objectLike({ MetricName: 'Refusals', Dimensions: [{ Key: 'Outcome', Value: '$.outcome' }] }),
      ],
    });
  });

  it('sends alarms to an email subscription when asked, and has a dashboard', () => {
    defaults.template.resourceCountIs('AWS::SNS::Topic', 0);
    full.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [Match.anyValue()] });
    // enforceSSL's topic policy holds only a Deny: CloudWatch needs an explicit Allow to publish.
    full.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:*',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
    defaults.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('outputs the endpoints, the secret, the put-secret-value command, the dashboard, the state table and a configuration note', () => {
    // Output keys are the plain names docs/deploy.md uses (no construct prefix or hash).
    const outputs = defaults.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([
      'ConfigurationNote',
      'DashboardUrl',
      'EndpointUrl',
      'OutcomeEndpointUrl',
      'PrivateKeySecretId',
      'PutPrivateKeyCommand',
      'StateTableName',
    ]);
    const output = (key: string) => JSON.stringify(outputs[key]);
    expect(output('EndpointUrl')).toContain('execute-api');
    expect(output('EndpointUrl')).toContain('/generate-auth-token');
    expect(output('PrivateKeySecretId')).toContain('PrivateKeySecret');
    expect(output('PutPrivateKeyCommand')).toContain('aws secretsmanager put-secret-value');
    expect(output('PutPrivateKeyCommand')).toContain('--secret-string file://ownid-private-key.pem');
    expect(output('DashboardUrl')).toContain('#dashboards:name=');
    expect(output('ConfigurationNote')).toContain('NO SESSION SOURCE');
    // The execute-api endpoint is disabled in FULL: EndpointUrl is the custom domain URL.
    const fullOutputs = full.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(fullOutputs.EndpointUrl?.Value).toBe('https://auth.example.com/generate-auth-token');
    expect(fullOutputs.CustomDomainEndpointUrl?.Value).toBe('https://auth.example.com/generate-auth-token');
    expect(fullOutputs.OutcomeEndpointUrl?.Value).toBe('https://auth.example.com/enrollment-outcome');
    expect(fullOutputs).toHaveProperty('AlarmTopicArn');
  });
});

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
