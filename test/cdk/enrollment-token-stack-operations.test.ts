// Intent of the stack, asserted on synthesized templates (test/support/stack-apps.ts: defaults, one
// origin, everything on): IAM on secrets, edge protection and the domain, and observability.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { defaults, full, resourcesOf, single, synthStackApps } from '../support/stack-apps.ts';

synthStackApps();

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
