// Deploy readiness and operations, asserted on synthesized templates: the account-wide API Gateway
// logging setting, region rules, concurrency, platform REPORT lines, saved queries, the alarms on-call
// needs, provisioned concurrency and the deployed asset's file list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EnrollmentTokenApiProps } from '../../lib/enrollment-token-api.ts';
import { EnrollmentTokenStack } from '../../lib/enrollment-token-stack.ts';
import { lambdaBundlePath, tracedLambdaBundlePath } from '../../scripts/esbuild-config.ts';
import { cdkJsonContext, nagFindings, synth } from '../support/cdk-synth.ts';

const SESSION = { cognitoUserPoolId: 'eu-west-1_AbC123', cognitoClientIds: 'client1' };
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

/** A stack built from construct props (for props no context key carries yet), optionally in a region. */
function stackWith(enrollment: EnrollmentTokenApiProps, region?: string) {
  const app = new App({ context: cdkJsonContext });
  const stack = new EnrollmentTokenStack(app, 'Readiness', {
    enrollment: { cognitoUserPoolId: 'eu-west-1_AbC123', cognitoClientIds: ['client1'], ...enrollment },
    env: region === undefined ? undefined : { account: '123456789012', region },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The function's asset folder in the cloud assembly (the one zip asset): what `cdk deploy` uploads. */
function functionAssetDir({ app, stack }: ReturnType<typeof synth>): string {
  const assembly = app.synth();
  const manifest = JSON.parse(
    readFileSync(join(assembly.directory, `${stack.stackName}.assets.json`), 'utf8'),
  ) as {
    files: Record<string, { source: { path: string; packaging?: string } }>;
  };
  const zipped = Object.values(manifest.files).filter((file) => file.source.packaging === 'zip');
  expect(zipped).toHaveLength(1);
  return join(assembly.directory, zipped[0]?.source.path ?? '');
}

let defaults: ReturnType<typeof synth>;
let roleOn: ReturnType<typeof synth>;
let roleOff: ReturnType<typeof synth>;
let regionBound: ReturnType<typeof synth>;

beforeAll(() => {
  defaults = synth({});
  roleOn = synth({ ...SESSION, stackName: 'RoleOn', apiGatewayCloudWatchRole: 'true' });
  roleOff = synth({ ...SESSION, stackName: 'RoleOff', apiGatewayCloudWatchRole: 'false' });
  regionBound = synth({
    ...SESSION,
    stackName: 'RegionBound',
    domainName: 'auth.example.com',
    certificateArn: CERTIFICATE,
    privateKeySecretKmsKeyArn: KEY,
  });
});

function postIntegrationUri(template: Template): unknown {
  const [post] = Object.values(
    template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } }),
  );
  return post?.Properties.Integration.Uri;
}

const configurationNote = (template: Template) =>
  String((template.toJSON().Outputs as Record<string, { Value: unknown }>).ConfigurationNote?.Value);

describe("the account's API Gateway CloudWatch Logs role", () => {
  it('is left alone by default: no Account resource, no role, access logging still configured', () => {
    defaults.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    defaults.template.resourceCountIs('AWS::IAM::Role', 1); // the function's own
    defaults.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    expect(configurationNote(defaults.template)).toContain('aws apigateway get-account');
    expect(configurationNote(defaults.template)).toContain('-c apiGatewayCloudWatchRole=true');
  });

  it('synthesizes with the flag off, the same as the default', () => {
    roleOff.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(configurationNote(roleOff.template)).toContain('aws apigateway get-account');
  });

  it('is created, set and kept on stack deletion when the flag is on, and then needs no note', () => {
    roleOn.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    roleOn.template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        }),
      },
    });
    expect(configurationNote(roleOn.template)).not.toContain('get-account');
  });

  it('keeps cdk-nag clean in every setting', () => {
    expect([...nagFindings(roleOn.stack), ...nagFindings(roleOff.stack)]).toEqual([]);
  });
});

describe('ARNs in another region than the stack', () => {
  it('are stopped by template Rules naming the ARN and its region when the stack region is unknown', () => {
    const rules = Object.values(regionBound.template.toJSON().Rules ?? {}) as {
      Assertions: { Assert: unknown; AssertDescription: string }[];
    }[];
    const assertions = rules.flatMap((rule) => rule.Assertions);
    expect(assertions).toContainEqual({
      Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      AssertDescription: expect.stringMatching(
        /^certificateArn is in eu-west-1, but this stack is being deployed to another region/,
      ),
    });
    expect(assertions).toContainEqual({
      Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      AssertDescription: expect.stringMatching(/^privateKeySecretKmsKeyArn is in eu-west-1/),
    });
    const defaultRules = Object.keys(defaults.template.toJSON().Rules ?? {});
    expect(defaultRules.filter((id) => id.includes('InStackRegion'))).toEqual([]);
  });

  it('fail synthesis when the stack region is known and differs, and need no rule when it matches', () => {
    expect(() =>
      stackWith({ domainName: 'auth.example.com', certificateArn: CERTIFICATE }, 'us-east-1'),
    ).toThrow(
      "certificateArn is in eu-west-1, but the stack is in us-east-1: an ACM certificate for a regional API must be in the API's region.",
    );
    const here = stackWith({ domainName: 'auth.example.com', certificateArn: CERTIFICATE }, 'eu-west-1');
    Annotations.fromStack(here.stack).hasNoError('*', Match.anyValue());
    const rules = Object.keys(here.template.toJSON().Rules ?? {});
    expect(rules.filter((id) => id.includes('InStackRegion'))).toEqual([]);
  });

  it("compare a KMS key with its secret's region when the secret is given by ARN", () => {
    expect(() =>
      stackWith({
        privateKeySecret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ownid/key-AbC123',
        privateKeySecretKmsKeyArn: KEY,
      }),
    ).toThrow('privateKeySecretKmsKeyArn is in eu-west-1, but the private key secret is in us-east-1');
  });
});

describe('the function', () => {
  it('keeps the platform START and REPORT lines (system log level INFO)', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', SystemLogLevel: 'INFO' }),
    });
  });

  it('warns at synth above a small reserved concurrency, and not below it', () => {
    const large = stackWith({ reservedConcurrentExecutions: 50 });
    Annotations.fromStack(large.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('reservedConcurrentExecutions=50: Lambda keeps 100'),
    );
    const small = stackWith({ reservedConcurrentExecutions: 5 });
    Annotations.fromStack(small.stack).hasNoWarning(
      '*',
      Match.stringLikeRegexp('reservedConcurrentExecutions'),
    );
  });

  it('has no alias by default: the API invokes the function itself', () => {
    defaults.template.resourceCountIs('AWS::Lambda::Alias', 0);
    const functionId = Object.keys(defaults.template.findResources('AWS::Lambda::Function'))[0] ?? '';
    expect(JSON.stringify(postIntegrationUri(defaults.template))).toContain(`"${functionId}","Arn"`);
  });

  it('keeps N instances provisioned on a live alias that the API invokes, when asked', () => {
    const { stack, template } = stackWith({ provisionedConcurrentExecutions: 2 });
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    const aliasId = Object.keys(template.findResources('AWS::Lambda::Alias'))[0] ?? '';
    const [post] = Object.values(
      template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } }),
    );
    expect(JSON.stringify(post?.Properties.Integration.Uri)).toContain(aliasId);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { Ref: aliasId },
      Principal: 'apigateway.amazonaws.com',
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('rejects more provisioned than reserved instances', () => {
    expect(() => stackWith({ provisionedConcurrentExecutions: 5, reservedConcurrentExecutions: 2 })).toThrow(
      /provisionedConcurrentExecutions \(5\) is above reservedConcurrentExecutions \(2\)/,
    );
  });

  it('deploys the bundle alone: no source map, no esbuild metafile in the asset', () => {
    expect(readdirSync(functionAssetDir(defaults)).sort()).toEqual(['index.mjs']);
  });

  it('deploys the traced bundle only with tracing on, and X-Ray write access with it', () => {
    const traced = synth({ ...SESSION, stackName: 'Traced', tracing: 'true' });
    expect(readdirSync(functionAssetDir(traced)).sort()).toEqual(['index.mjs']);
    const deployed = (result: ReturnType<typeof synth>) =>
      readFileSync(join(functionAssetDir(result), 'index.mjs'));
    expect(deployed(traced).equals(readFileSync(tracedLambdaBundlePath))).toBe(true);
    expect(deployed(defaults).equals(readFileSync(lambdaBundlePath))).toBe(true);
    traced.template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    expect(JSON.stringify(traced.template.findResources('AWS::IAM::Policy'))).toContain(
      'xray:PutTraceSegments',
    );
    expect(JSON.stringify(defaults.template.findResources('AWS::IAM::Policy'))).not.toContain('xray:');
  });
});

describe('saved Logs Insights queries', () => {
  const queryNamed = (name: string) =>
    Object.values(defaults.template.findResources('AWS::Logs::QueryDefinition')).find(
      (query) => query.Properties.Name === `OwnIdEnrollment/OwnIdEnrollmentToken/${name}`,
    )?.Properties as { QueryString: string; LogGroupNames: unknown[] } | undefined;

  it('has the five the runbook names, on the function log group', () => {
    defaults.template.resourceCountIs('AWS::Logs::QueryDefinition', 5);
    expect(queryNamed('Refusals by reason')?.QueryString).toContain('stats count(*) as refusals by outcome');
    expect(queryNamed('One user by email hash')?.QueryString).toContain(
      'filter emailHash = "PASTE_EMAIL_HASH_HERE"',
    );
    const slow = queryNamed('Slow requests with their source')?.QueryString;
    expect(slow).toContain('filter durationMs > 1000');
    expect(slow).toMatch(/fields .*\bsource\b/);
    expect(slow).toContain('sort durationMs desc');
    expect(queryNamed('Cold starts with init duration')?.QueryString).toContain(
      'record.metrics.initDurationMs',
    );
    expect(queryNamed('5xx with detail')?.QueryString).toContain('filter status >= 500');
    expect(queryNamed('5xx with detail')?.QueryString).toMatch(/fields .*\bdetail\b/);
    // 5xx that API Gateway answers itself (502/504) are only in the access log.
    expect(queryNamed('5xx with detail')?.LogGroupNames).toHaveLength(2);
    expect(queryNamed('Refusals by reason')?.LogGroupNames).toHaveLength(1);
  });
});

describe('alarms on-call needs', () => {
  it('alarms on Lambda throttles', () => {
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Threshold: 1,
    });
  });

  it('measures p99 latency and integration latency of the POST method alone', () => {
    const methodDimensions = Match.arrayWith([
      { Name: 'Method', Value: 'POST' },
      { Name: 'Resource', Value: '/generate-auth-token' },
    ]);
    for (const metricName of ['Latency', 'IntegrationLatency']) {
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        ExtendedStatistic: 'p99',
        Dimensions: methodDimensions,
      });
    }
    // Per-method metrics exist only with detailed metrics on that method; the stage default stays off.
    defaults.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', MetricsEnabled: false }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1generate-auth-token',
          MetricsEnabled: true,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: 50,
        }),
      ]),
    });
  });

  it('alarms when the token route keeps being called and no request is answered (a skip by policy is an answer)', () => {
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 5 AND FILL(answered, 0) == 0, 1, 0)' }),
        Match.objectLike({
          Id: 'requests',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Count' }) }),
        }),
        Match.objectLike({
          Id: 'answered',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'TokenRequests' }) }),
        }),
      ]),
      Threshold: 1,
      EvaluationPeriods: 3,
    });
  });

  it('names the alarms with no action in the ConfigurationNote, and asks to confirm an e-mail subscription', () => {
    const note = configurationNote(defaults.template);
    for (const id of [
      'FunctionThrottlesAlarm',
      'IntegrationLatencyP99Alarm',
      'NoTokensIssuedAlarm',
      'LatencyP99Alarm',
    ]) {
      expect(note).toContain(id);
    }
    const withEmail = stackWith({ alarmEmail: 'ops@example.com' });
    expect(configurationNote(withEmail.template)).toContain('Confirm the SNS subscription');
    expect(configurationNote(withEmail.template)).not.toContain('Alarms with no action');
  });

  it('graphs throttles, integration latency and tokens issued against token requests', () => {
    const body = JSON.stringify(defaults.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Throttles');
    expect(body).toContain('IntegrationLatency');
    expect(body).toContain('Tokens issued vs token requests');
  });
});
