// Intent of the prompt policy's part of the stack: the state table, the function's access to it, and the
// outcome route beside the token route. Two apps: zero context, and origins + provisioned concurrency + WAF.
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREFLIGHT_HEADERS } from '../../contract/http.ts';
import { outcomePathFor } from '../../lib/enrollment-api-methods.ts';
import { EnrollmentTokenApi, EnrollmentTokenApiPropsError } from '../../lib/enrollment-token-api.ts';
import { nagFindings, synth } from '../support/cdk-synth.ts';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown };

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Resource][];

const roleStatements = (template: Template): Statement[] =>
  resourcesOf(template, 'AWS::IAM::Policy').flatMap(
    ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );

const tableId = (template: Template) => {
  const [entry] = resourcesOf(template, 'AWS::DynamoDB::Table');
  return entry?.[0] ?? 'no table';
};

const methodsOn = (template: Template, pathPart: string) => {
  const [resourceId] =
    resourcesOf(template, 'AWS::ApiGateway::Resource').find(
      ([, resource]) => resource.Properties.PathPart === pathPart,
    ) ?? [];
  return resourcesOf(template, 'AWS::ApiGateway::Method')
    .map(([, method]) => method.Properties)
    .filter((method) => JSON.stringify(method.ResourceId) === JSON.stringify({ Ref: resourceId }));
};

let defaults: ReturnType<typeof synth>;
let withOrigins: ReturnType<typeof synth>;

beforeAll(() => {
  defaults = synth({});
  withOrigins = synth({
    stackName: 'OwnIdEnrollmentPolicy',
    allowedOrigins: 'https://app.example.com,https://www.example.com',
    cognitoUserPoolId: 'eu-west-1_AbC123',
    cognitoClientIds: 'client1',
    provisionedConcurrentExecutions: '2',
    wafRateLimit: '200',
  });
  // Two synths beside the other CDK test files on two cores.
}, 180_000);

describe('the state table', () => {
  it('is one on-demand table keyed by pk (S) alone, with TTL on expiresAt and point-in-time recovery', () => {
    defaults.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    defaults.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: Match.absent(),
      StreamSpecification: Match.absent(),
      TableName: Match.absent(),
    });
  });

  it('is encrypted with the AWS owned key (no KMS key of ours, no KMS grant) and kept on stack deletion', () => {
    defaults.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ SSESpecification: { SSEEnabled: false } }),
    });
    defaults.template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('is named to operators by the StateTableName output', () => {
    const outputs = defaults.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.StateTableName?.Value).toEqual({ Ref: tableId(defaults.template) });
  });
});

describe("the function's access to it", () => {
  it('may UpdateItem, PutItem and GetItem on that table alone, and nothing else in DynamoDB', () => {
    for (const { template } of [defaults, withOrigins]) {
      const dynamo = roleStatements(template).filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
      );
      expect(dynamo).toHaveLength(1);
      expect([dynamo[0]?.Action].flat().sort()).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      expect(dynamo[0]?.Resource).toEqual({ 'Fn::GetAtt': [tableId(template), 'Arn'] });
    }
  });

  it('grants nothing on a wildcard resource', () => {
    const wildcards = roleStatements(defaults.template).filter((statement) =>
      [statement.Resource].flat().some((resource) => JSON.stringify(resource).includes('*')),
    );
    expect(wildcards).toEqual([]);
  });

  it('finds the table in ENROLLMENT_STATE_TABLE', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ ENROLLMENT_STATE_TABLE: { Ref: tableId(defaults.template) } }),
      },
    });
  });
});

describe('the outcome route', () => {
  it('sits beside the token route: its last segment replaced by enrollment-outcome', () => {
    expect(outcomePathFor('/generate-auth-token')).toBe('/enrollment-outcome');
    expect(outcomePathFor('/v1/token')).toBe('/v1/enrollment-outcome');
    const outputs = defaults.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.OutcomeEndpointUrl?.Value)).toMatch(/"\/enrollment-outcome"\]\]\}$/);
  });

  it('is POST as a Lambda proxy to the same function, or to the same alias with provisioned concurrency', () => {
    const integrationOf = (template: Template, pathPart: string) =>
      methodsOn(template, pathPart).find((method) => method.HttpMethod === 'POST')?.Integration as
        | { Type: string; Uri: unknown }
        | undefined;
    for (const { template } of [defaults, withOrigins]) {
      const token = integrationOf(template, 'generate-auth-token');
      const outcome = integrationOf(template, 'enrollment-outcome');
      expect(outcome?.Type).toBe('AWS_PROXY');
      expect(outcome?.Uri).toEqual(token?.Uri);
    }
    expect(JSON.stringify(integrationOf(withOrigins.template, 'enrollment-outcome')?.Uri)).toContain(
      'LiveAlias',
    );
    withOrigins.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      OperationName: 'ReportEnrollmentOutcome',
      AuthorizationType: 'NONE',
    });
  });

  it('answers other methods with a 405 mock, and the preflight only with allowed origins', () => {
    const kinds = (template: Template) =>
      methodsOn(template, 'enrollment-outcome')
        .map((method) => `${method.HttpMethod} ${(method.Integration as { Type: string }).Type}`)
        .sort();
    expect(kinds(defaults.template)).toEqual(['ANY MOCK', 'POST AWS_PROXY']);
    expect(kinds(withOrigins.template)).toEqual(['ANY MOCK', 'OPTIONS MOCK', 'POST AWS_PROXY']);

    const any = methodsOn(withOrigins.template, 'enrollment-outcome').find((m) => m.HttpMethod === 'ANY');
    expect(JSON.stringify(any?.Integration)).toContain('"StatusCode":"405"');
    expect(JSON.stringify(any?.Integration)).toContain("'POST, OPTIONS'");

    const options = methodsOn(withOrigins.template, 'enrollment-outcome').find(
      (m) => m.HttpMethod === 'OPTIONS',
    );
    const vtl = JSON.stringify(options?.Integration);
    expect(vtl).toContain(
      '$origin == \\"https://app.example.com\\" || $origin == \\"https://www.example.com\\"',
    );
    expect(vtl).toContain(
      `Access-Control-Allow-Headers = \\"${PREFLIGHT_HEADERS['Access-Control-Allow-Headers']}\\"`,
    );
    expect(PREFLIGHT_HEADERS['Access-Control-Allow-Headers']).toBe('Authorization, Content-Type');
    expect(vtl).not.toContain("'*'");
  });

  it("gets the stage's throttling (no method setting of its own) and the stage's web ACL", () => {
    const [[, stage] = ['', { Properties: {} }]] = resourcesOf(
      withOrigins.template,
      'AWS::ApiGateway::Stage',
    );
    const settings = stage.Properties.MethodSettings as Record<string, unknown>[];
    expect(settings).toContainEqual(
      expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 50 }),
    );
    expect(settings.filter((setting) => String(setting.ResourcePath).includes('enrollment-outcome'))).toEqual(
      [],
    );
    // The web ACL is on the stage, so it covers every route of it.
    withOrigins.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: Match.anyValue(),
    });
    const association = resourcesOf(withOrigins.template, 'AWS::WAFv2::WebACLAssociation')[0]?.[1];
    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain('/stages/');
  });

  it('is not in the latency alarms, and the no-tokens alarm counts token requests only', () => {
    const alarms = JSON.stringify(defaults.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).not.toContain('enrollment-outcome');
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 5 AND FILL(answered, 0) == 0, 1, 0)' }),
        Match.objectLike({
          Id: 'requests',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'Count',
              Dimensions: Match.arrayWith([
                { Name: 'Method', Value: 'POST' },
                { Name: 'Resource', Value: '/generate-auth-token' },
              ]),
            }),
          }),
        }),
      ]),
    });
  });

  it('refuses a token path that would take the outcome route', () => {
    const build = () =>
      new EnrollmentTokenApi(new Stack(new App(), 'Clash'), 'Api', { path: '/v1/enrollment-outcome' });
    expect(build).toThrow(EnrollmentTokenApiPropsError);
    expect(build).toThrow(/must not end in "\/enrollment-outcome"/);
  });
});

describe('cdk-nag', () => {
  it('has no unacknowledged finding with the table and the route', () => {
    expect(nagFindings(defaults.stack)).toEqual([]);
    expect(nagFindings(withOrigins.stack)).toEqual([]);
  });
});
