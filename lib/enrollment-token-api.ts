// The token endpoint as one construct: API Gateway (REST, regional) -> the Lambda bundle that
// `npm run build` makes, the OwnID key secret, edge protection, logs, metrics, alarms and a dashboard.
import {
  Annotations,
  Arn,
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { buildLambdaSync } from '../scripts/esbuild-config.ts';
import {
  type EnrollmentTokenApiProps,
  EnrollmentTokenApiPropsError,
  validateEnrollmentTokenApiProps,
} from './enrollment-token-props.ts';

export * from './enrollment-token-props.ts';

export const DEFAULTS = {
  path: '/generate-auth-token',
  stageName: 'prod',
  memorySize: 1024,
  timeoutSeconds: 5,
  keyCacheTtlSeconds: 300,
  tokenTtlSeconds: 60,
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  wafEvaluationWindowSeconds: 300,
  logRetentionDays: 30,
  latencyAlarmThresholdMs: 2000,
} as const;

/** The preflight answer; the function's own OPTIONS handling (local server) uses the same values. */
const PREFLIGHT = {
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Max-Age': '600',
} as const;

/** Headers every response carries (CONTRACT section 1). */
const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

/**
 * `POST <path>` on a regional REST API, backed by the shared Lambda bundle, which verifies the caller's
 * session and returns `{email, token}` signed with the OwnID private key kept in Secrets Manager.
 */
export class EnrollmentTokenApi extends Construct {
  readonly api: apigw.RestApi;
  readonly function: lambda.Function;
  readonly functionLogGroup: logs.LogGroup;
  readonly accessLogGroup: logs.LogGroup;
  /** The secret the stack created, when `privateKeySecret` was not given. */
  readonly privateKeySecret: secretsmanager.Secret | undefined;
  /** What the function reads: the created secret's ARN, or the given name/ARN. */
  readonly privateKeySecretId: string;
  /** The URL to call: execute-api, or the custom domain URL when the execute-api endpoint is disabled. */
  readonly endpointUrl: string;
  /** `https://<domainName><path>` when a custom domain is configured. */
  readonly customDomainUrl: string | undefined;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly alarmTopic: sns.ITopic | undefined;
  readonly dashboard: cloudwatch.Dashboard;
  readonly webAcl: wafv2.CfnWebACL | undefined;
  readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: EnrollmentTokenApiProps = {}) {
    super(scope, id);
    const problems = validateEnrollmentTokenApiProps(props);
    if (problems.length > 0) throw new EnrollmentTokenApiPropsError(problems);

    const stack = Stack.of(this);
    const path = props.path ?? DEFAULTS.path;
    const stageName = props.stageName ?? DEFAULTS.stageName;
    const allowedOrigins = [...new Set(props.allowedOrigins ?? [])];
    const retention = (props.logRetentionDays ?? DEFAULTS.logRetentionDays) as logs.RetentionDays;
    const hasSessionSource =
      props.cognitoUserPoolId !== undefined ||
      props.jwtIssuer !== undefined ||
      props.introspectionUrl !== undefined;
    this.metricNamespace = `OwnIdEnrollment/${stack.stackName}`;

    // --- The OwnID private key -------------------------------------------------------------------
    const privateKeyKmsKeyArn = props.privateKeySecretKmsKeyArn;
    if (props.privateKeySecret === undefined) {
      const secret = new secretsmanager.Secret(this, 'PrivateKeySecret', {
        description:
          'OwnID application private key (PEM from the OwnID console) that signs enrollment tokens. Created empty: fill it with put-secret-value.',
        encryptionKey: privateKeyKmsKeyArn
          ? kms.Key.fromKeyArn(this, 'PrivateKeySecretKmsKey', privateKeyKmsKeyArn)
          : undefined,
        // OwnID lets you generate a key only once per app (a new one invalidates the old): keep it.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // Created without a value (no generated password that could be mistaken for a key): the function
      // fails with a key error (500, KeyFetchFailures alarm) until the PEM is stored.
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride(
        'GenerateSecretString',
      );
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The OwnID signing key is generated and rotated in the OwnID console (Integration > Security), which has no API a rotation Lambda could call; rotation is put-secret-value, see the README runbook.',
      });
      this.privateKeySecret = secret;
      this.privateKeySecretId = secret.secretArn;
    } else {
      this.privateKeySecret = undefined;
      this.privateKeySecretId = props.privateKeySecret;
    }

    // --- Logs ------------------------------------------------------------------------------------
    this.functionLogGroup = new logs.LogGroup(this, 'FunctionLogs', { retention });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention });

    // --- The function ----------------------------------------------------------------------------
    // Its own role with inline statements only: write to its log group, read the one or two secrets.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'generate-auth-token: writes its log group, reads the OwnID key secret',
    });
    this.functionLogGroup.grantWrite(role);
    this.grantSecretRead(role, this.privateKeySecretId, privateKeyKmsKeyArn);
    if (props.introspectionSecret !== undefined) {
      this.grantSecretRead(role, props.introspectionSecret, props.introspectionSecretKmsKeyArn);
    }

    this.function = new lambda.Function(this, 'Function', {
      description: 'OwnID passkey enrollment: verifies the session and returns {email, token}',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      // Exactly the bundle `npm run build` makes (scripts/esbuild-config.ts): no second build config.
      code: lambda.Code.fromAsset(buildLambdaSync()),
      handler: 'index.handler',
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      // The function's own dependency timeouts are ~2-3 s; API Gateway gives up at 29 s.
      timeout: Duration.seconds(DEFAULTS.timeoutSeconds),
      role,
      logGroup: this.functionLogGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: functionEnvironment(props, this.privateKeySecretId, allowedOrigins),
    });
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (tracing prop on).',
      });
    }

    // --- The API ---------------------------------------------------------------------------------
    const throttlingRateLimit = props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit;
    const throttlingBurstLimit = props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit;
    this.api = new apigw.RestApi(this, 'Api', {
      // API Gateway metrics are keyed on ApiName + Stage: a per-stack name keeps two stacks' metrics apart.
      restApiName: stack.stackName,
      description: 'OwnID passkey enrollment token endpoint',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
      // Execution logging needs the account-level API Gateway CloudWatch role; RETAIN because it is
      // shared by every REST API in the account and region.
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        throttlingRateLimit,
        throttlingBurstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Per-method detailed metrics are billed as custom metrics; alarms and dashboard use stage metrics.
        metricsEnabled: false,
        tracingEnabled: props.tracing ?? false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    // RestApi's own `Endpoint` output is the stage root; EndpointUrl below is the URL to call.
    this.api.node.tryRemoveChild('Endpoint');
    if (props.apiGatewayCloudWatchRole ?? true) {
      const cloudWatchRole = this.api.node.findChild('CloudWatchRole');
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-wide API Gateway logging role uses the AWS-maintained AmazonAPIGatewayPushToCloudWatchLogs policy: it serves every REST API in the region, so it cannot be scoped to this one.',
      });
    }
    // API Gateway creates the execution log group on first use with no expiry; own it to set retention.
    const executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention,
    });
    this.api.deploymentStage.node.addDependency(executionLogGroup);

    // Validates declared parameters (the preflight's two headers). POST declares none on purpose:
    // identity comes from either the Authorization header or a cookie, both optional, and the body is
    // never read, so a body model would only reject clients the function accepts.
    const requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const resource = this.api.root.resourceForPath(path);
    const post = resource.addMethod(
      'POST',
      new apigw.LambdaIntegration(this.function, { proxy: true, allowTestInvoke: false }),
      { operationName: 'GenerateAuthToken', requestValidator },
    );
    const noAuthorizerReason =
      'Authorization is the whole job of the function: it verifies the session itself (Bearer JWT, session cookie or introspection). Cookie sessions and non-Cognito issuers cannot use an API Gateway authorizer.';
    Validations.of(post).acknowledge({ id: 'AwsSolutions-APIG4', reason: noAuthorizerReason });
    Validations.of(post).acknowledge({ id: 'AwsSolutions-COG4', reason: noAuthorizerReason });

    if (allowedOrigins.length > 0) this.addPreflight(resource, allowedOrigins, requestValidator);

    // Any other method: 405 from a mock, without invoking the function.
    const otherMethods = resource.addMethod(
      'ANY',
      new apigw.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 405}' },
        integrationResponses: [
          {
            statusCode: '405',
            responseParameters: staticHeaders({
              ...NO_STORE,
              // OPTIONS exists only with allowed origins (the preflight).
              Allow: allowedOrigins.length > 0 ? 'POST, OPTIONS' : 'POST',
              Vary: 'Origin',
            }),
            responseTemplates: {
              'application/json': `${echoAllowedOrigin(allowedOrigins, {})}{"message":"Method Not Allowed"}`,
            },
          },
        ],
      }),
      {
        methodResponses: [
          {
            statusCode: '405',
            responseParameters: declaredHeaders([
              ...Object.keys(NO_STORE),
              'Allow',
              'Vary',
              'Access-Control-Allow-Origin',
              'Access-Control-Allow-Credentials',
            ]),
          },
        ],
      },
    );
    const mockOnlyReason =
      'Mock integration that only answers 405 Method Not Allowed; nothing behind it to protect.';
    Validations.of(otherMethods).acknowledge({ id: 'AwsSolutions-APIG4', reason: mockOnlyReason });
    Validations.of(otherMethods).acknowledge({ id: 'AwsSolutions-COG4', reason: mockOnlyReason });

    this.addGatewayResponses(allowedOrigins);

    // --- Edge protection and custom domain ----------------------------------------------------------
    this.webAcl = props.wafRateLimit === undefined ? undefined : this.addWebAcl(props.wafRateLimit, props);
    if (this.webAcl === undefined) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is opt-in (wafRateLimit) because a web ACL costs at least $6/month; without it the stage throttling (throttlingRateLimit/BurstLimit) bounds abuse, and the endpoint issues nothing without a verified session.',
      });
    }
    this.customDomainUrl = undefined;
    if (props.domainName !== undefined && props.certificateArn !== undefined) {
      const domain = new apigw.DomainName(this, 'CustomDomain', {
        domainName: props.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
        mapping: this.api,
      });
      if (props.hostedZoneId !== undefined && props.hostedZoneName !== undefined) {
        const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
          hostedZoneId: props.hostedZoneId,
          zoneName: props.hostedZoneName,
        });
        new route53.ARecord(this, 'CustomDomainAlias', {
          zone,
          recordName: props.domainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(domain)),
        });
      } else {
        new CfnOutput(this, 'CustomDomainTarget', {
          description: `Create a CNAME (or alias A record) from ${props.domainName} to this name`,
          value: domain.domainNameAliasDomainName,
        }).overrideLogicalId('CustomDomainTarget');
      }
      this.customDomainUrl = `https://${props.domainName}${path}`;
      new CfnOutput(this, 'CustomDomainEndpointUrl', {
        description: 'The endpoint on the custom domain (use this one for cookie sessions)',
        value: this.customDomainUrl,
      }).overrideLogicalId('CustomDomainEndpointUrl');
    }
    // Validation guarantees a custom domain whenever the execute-api endpoint is disabled.
    this.endpointUrl =
      props.disableExecuteApiEndpoint && this.customDomainUrl !== undefined
        ? this.customDomainUrl
        : this.api.urlForPath(path);
    // Outputs keep their plain names as logical ids (the keys describe-stacks shows and the README uses).
    new CfnOutput(this, 'EndpointUrl', {
      description: 'POST here from the frontend (the web snippet endpoint option)',
      value: this.endpointUrl,
    }).overrideLogicalId('EndpointUrl');

    // --- Observability ---------------------------------------------------------------------------
    const metrics = this.addMetricFilters();
    this.alarmTopic = this.resolveAlarmTopic(props);
    this.alarms = this.addAlarms(metrics, props.latencyAlarmThresholdMs ?? DEFAULTS.latencyAlarmThresholdMs);
    this.dashboard = this.addDashboard(metrics);

    // --- What to do next -------------------------------------------------------------------------
    new CfnOutput(this, 'PrivateKeySecretId', {
      description: 'Secrets Manager secret holding the OwnID private key (PEM)',
      value: this.privateKeySecretId,
    }).overrideLogicalId('PrivateKeySecretId');
    new CfnOutput(this, 'PutPrivateKeyCommand', {
      description: 'Store the OwnID private key (PEM file from the OwnID console) in the secret',
      value: `aws secretsmanager put-secret-value --region ${secretRegion(this.privateKeySecretId)} --secret-id ${this.privateKeySecretId} --secret-string file://ownid-private-key.pem`,
    }).overrideLogicalId('PutPrivateKeyCommand');
    const todo: string[] = [];
    if (!hasSessionSource) {
      todo.push(
        'NO SESSION SOURCE: the function fails its cold start (502) until you deploy with -c cognitoUserPoolId=... -c cognitoClientIds=..., or -c jwtIssuer=... -c jwtJwksUrl=... -c jwtAudience=..., or -c introspectionUrl=... -c introspectionCookieNames=...',
      );
      Annotations.of(this).addWarningV2(
        'ownid:noSessionSource',
        'No session source is configured (cognitoUserPoolId, jwtIssuer or introspectionUrl): the stack synthesizes, but the function refuses to start until one is set. See the ConfigurationNote output.',
      );
    }
    if (allowedOrigins.length === 0) {
      todo.push(
        'No allowedOrigins: no CORS, so only same-origin callers (custom domain on the site) can use the endpoint; set -c allowedOrigins=https://app.example.com for a browser on another origin.',
      );
    }
    if (this.privateKeySecret !== undefined) {
      todo.push(
        'Store the OwnID private key with the PutPrivateKeyCommand output (until then the endpoint answers 500 and the KeyFetchFailures alarm fires).',
      );
    }
    if (this.alarmTopic === undefined)
      todo.push('Alarms have no action: set -c alarmEmail=... or -c alarmTopicArn=... to be notified.');
    new CfnOutput(this, 'ConfigurationNote', {
      description: 'What is left to configure',
      value: todo.length > 0 ? todo.join(' | ') : 'Fully configured.',
    }).overrideLogicalId('ConfigurationNote');
  }

  /** GetSecretValue on exactly one secret (DescribeSecret is not needed), plus kms:Decrypt via Secrets Manager. */
  private grantSecretRead(role: iam.Role, secretId: string, kmsKeyArn: string | undefined): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretPolicyArn(this, secretId)],
      }),
    );
    if (kmsKeyArn !== undefined) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [kmsKeyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${secretRegion(secretId)}.amazonaws.com` },
          },
        }),
      );
    }
  }

  /**
   * OPTIONS answered by API Gateway itself (no Lambda invocation): 204, and only for an allowed Origin
   * the exact origin echoed with credentials, methods and headers. A mock's static header mapping can
   * hold one value only, so the origin is echoed from a mapping template, and only when it is listed.
   */
  private addPreflight(
    resource: apigw.Resource,
    allowedOrigins: readonly string[],
    validator: apigw.RequestValidator,
  ) {
    resource.addMethod(
      'OPTIONS',
      new apigw.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 204}' },
        integrationResponses: [
          {
            statusCode: '204',
            responseParameters: staticHeaders({ ...NO_STORE, Vary: 'Origin' }),
            responseTemplates: { 'application/json': echoAllowedOrigin(allowedOrigins, PREFLIGHT) },
          },
        ],
      }),
      {
        operationName: 'GenerateAuthTokenPreflight',
        requestValidator: validator,
        requestParameters: {
          'method.request.header.Origin': true,
          'method.request.header.Access-Control-Request-Method': true,
        },
        methodResponses: [
          {
            statusCode: '204',
            responseParameters: declaredHeaders([
              ...Object.keys(NO_STORE),
              'Vary',
              'Access-Control-Allow-Origin',
              'Access-Control-Allow-Credentials',
              ...Object.keys(PREFLIGHT),
            ]),
          },
        ],
      },
    );
  }

  /**
   * API Gateway's own error answers (throttling, unknown path, integration failure). Their headers are
   * static or copied from the request; they cannot depend on an allow-list. So: with exactly one allowed
   * origin they carry it (a browser on another origin still cannot read them); with several, none
   * (echoing any request Origin would hand credentialed CORS to every site).
   */
  private addGatewayResponses(allowedOrigins: readonly string[]) {
    const single = allowedOrigins.length === 1 ? allowedOrigins[0] : undefined;
    const headers = quoteAll({
      ...NO_STORE,
      ...(allowedOrigins.length > 0 ? { Vary: 'Origin' } : {}),
      ...(single
        ? { 'Access-Control-Allow-Origin': single, 'Access-Control-Allow-Credentials': 'true' }
        : {}),
    });
    this.api.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      responseHeaders: headers,
    });
    this.api.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      responseHeaders: headers,
    });
    this.api.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: headers,
      templates: { 'application/json': '{"message":"Too Many Requests"}' },
    });
    this.api.addGatewayResponse('NotFound', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders: headers,
      templates: { 'application/json': '{"message":"Not Found"}' },
    });
  }

  private addWebAcl(limit: number, props: EnrollmentTokenApiProps): wafv2.CfnWebACL {
    const name = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: 'Per-IP rate limit in front of the OwnID enrollment token endpoint',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
      customResponseBodies: {
        TooManyRequests: { contentType: 'APPLICATION_JSON', content: '{"message":"Too Many Requests"}' },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: {
            block: { customResponse: { responseCode: 429, customResponseBodyKey: 'TooManyRequests' } },
          },
          statement: {
            rateBasedStatement: {
              limit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: props.wafEvaluationWindowSeconds ?? DEFAULTS.wafEvaluationWindowSeconds,
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'RateLimitPerIp',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    return webAcl;
  }

  private addMetricFilters() {
    const namespace = this.metricNamespace;
    const period = Duration.minutes(5);
    new logs.MetricFilter(this, 'TokensIssuedFilter', {
      logGroup: this.functionLogGroup,
      filterPattern: logs.FilterPattern.literal('{ $.outcome = "issued" }'),
      metricNamespace: namespace,
      metricName: 'TokensIssued',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    new logs.MetricFilter(this, 'RefusalsFilter', {
      logGroup: this.functionLogGroup,
      // 4xx only: 5xx outcomes are failures, counted by the 5xx and KeyFetchFailures alarms.
      filterPattern: logs.FilterPattern.literal('{ ($.status >= 400) && ($.status < 500) }'),
      metricNamespace: namespace,
      metricName: 'Refusals',
      metricValue: '1',
      dimensions: { Outcome: '$.outcome' },
      unit: cloudwatch.Unit.COUNT,
    });
    new logs.MetricFilter(this, 'KeyFetchFailuresFilter', {
      logGroup: this.functionLogGroup,
      filterPattern: logs.FilterPattern.literal(
        '{ ($.outcome = "key_unavailable") || ($.outcome = "key_invalid") }',
      ),
      metricNamespace: namespace,
      metricName: 'KeyFetchFailures',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    // API Gateway's 4XXError lumps 429 with 401/403; the access log has the exact status and why.
    // THROTTLED is stage (or account) throttling; WAF rate-limit blocks are also 429 but are counted
    // by WAF's own BlockedRequests metric (dashboard), not here.
    new logs.MetricFilter(this, 'ThrottledRequestsFilter', {
      logGroup: this.accessLogGroup,
      filterPattern: logs.FilterPattern.literal('{ ($.status = 429) && ($.errorType = "THROTTLED") }'),
      metricNamespace: namespace,
      metricName: 'ThrottledRequests',
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace, metricName, statistic: 'Sum', period, unit: cloudwatch.Unit.COUNT });
    return {
      tokensIssued: metric('TokensIssued'),
      keyFetchFailures: metric('KeyFetchFailures'),
      throttled: metric('ThrottledRequests'),
      refusalsByReason: new cloudwatch.MathExpression({
        expression: `SEARCH('{"${namespace}",Outcome} MetricName="Refusals"', 'Sum', 300)`,
        label: '',
        period,
      }),
    };
  }

  private resolveAlarmTopic(props: EnrollmentTokenApiProps): sns.ITopic | undefined {
    let topic: sns.ITopic | undefined;
    if (props.alarmTopicArn !== undefined) {
      topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
    } else if (props.alarmEmail !== undefined) {
      const created = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'OwnID enrollment token endpoint alarms',
        enforceSSL: true,
      });
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states only. CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and a customer key for this alone is not worth its cost; bring an encrypted topic with alarmTopicArn if policy requires.',
      });
      // enforceSSL gives the topic a policy (Deny only), which replaces the default one: CloudWatch
      // alarms publish as the service principal and need their own Allow, scoped to this account's alarms.
      created.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarms',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [created.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: {
              'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
            },
          },
        }),
      );
      new CfnOutput(this, 'AlarmTopicArn', {
        description: 'SNS topic for alarms',
        value: created.topicArn,
      }).overrideLogicalId('AlarmTopicArn');
      topic = created;
    }
    if (topic !== undefined && props.alarmEmail !== undefined) {
      topic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));
    }
    return topic;
  }

  private addAlarms(metrics: ReturnType<EnrollmentTokenApi['addMetricFilters']>, latencyThresholdMs: number) {
    const period = Duration.minutes(5);
    const stage = this.api.deploymentStage;
    const alarm = (
      id: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
      comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) => {
      const created = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (this.alarmTopic !== undefined) {
        created.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
        created.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      }
      return created;
    };
    return [
      alarm(
        'FunctionErrorsAlarm',
        this.function.metricErrors({ period, statistic: 'Sum' }),
        1,
        'The function crashed or failed its cold start (often a configuration error: read the function log for the variable name).',
      ),
      alarm(
        'Api5xxAlarm',
        stage.metricServerError({ period, statistic: 'Sum' }),
        5,
        'The endpoint answered 5xx at least 5 times in 5 minutes: key missing or invalid (500), Secrets Manager or JWKS down (503), or function failure (502/504).',
      ),
      alarm(
        'ThrottledRequestsAlarm',
        metrics.throttled,
        10,
        'API Gateway throttled (429 THROTTLED) at least 10 requests in 5 minutes: traffic above the stage throttling limits (abuse, or limits too low). WAF rate-limit blocks are not counted here.',
      ),
      alarm(
        'LatencyP99Alarm',
        stage.metricLatency({ period, statistic: 'p99' }),
        latencyThresholdMs,
        `p99 latency above ${latencyThresholdMs} ms for 15 minutes: a slow dependency (Secrets Manager, JWKS, introspection) or too little memory.`,
        3,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ),
      alarm(
        'KeyFetchFailuresAlarm',
        metrics.keyFetchFailures,
        1,
        'The OwnID private key could not be read (key_unavailable) or is not a usable RSA private key (key_invalid): check the secret value and the function permissions.',
      ),
    ];
  }

  private addDashboard(metrics: ReturnType<EnrollmentTokenApi['addMetricFilters']>): cloudwatch.Dashboard {
    const period = Duration.minutes(5);
    const stage = this.api.deploymentStage;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Tokens issued', left: [metrics.tokensIssued], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Refusals (4xx) by reason',
        left: [metrics.refusalsByReason],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Throttled (429) and errors',
        left: [
          metrics.throttled,
          stage.metricClientError({ period, statistic: 'Sum' }),
          stage.metricServerError({ period, statistic: 'Sum' }),
        ],
        width: 8,
      }),
    );
    const wafMetrics = this.webAcl
      ? [
          new cloudwatch.Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            dimensionsMap: { WebACL: this.webAcl.name ?? '', Rule: 'RateLimitPerIp', Region: Aws.REGION },
            statistic: 'Sum',
            period,
            label: 'WAF rate limit (429)',
          }),
        ]
      : [];
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Latency (ms)',
        left: [
          stage.metricLatency({ period, statistic: 'p50' }),
          stage.metricLatency({ period, statistic: 'p99' }),
          this.function.metricDuration({ period, statistic: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Requests',
        left: [stage.metricCount({ period, statistic: 'Sum' }), ...wafMetrics],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function',
        left: [
          this.function.metricInvocations({ period, statistic: 'Sum' }),
          this.function.metricErrors({ period, statistic: 'Sum' }),
          metrics.keyFetchFailures,
        ],
        right: [this.function.metric('ConcurrentExecutions', { period, statistic: 'Maximum' })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24 }),
    );
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard: tokens issued, refusals by reason, latency, throttles',
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboard.dashboardName}`,
    }).overrideLogicalId('DashboardUrl');
    return dashboard;
  }
}

/**
 * JSON access log. Only status is unquoted (API Gateway always logs a number for it) so metric filters
 * compare numbers; every other value may be logged as `-` and stays a string so each line is valid JSON.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  domainName: '$context.domainName',
  status: '__STATUS__',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  errorType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
}).replace('"__STATUS__"', '$context.status');

function functionEnvironment(
  props: EnrollmentTokenApiProps,
  privateKeySecretId: string,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    OWNID_PRIVATE_KEY_SECRET_ID: privateKeySecretId,
    KEY_CACHE_TTL_SECONDS: String(props.keyCacheTtlSeconds ?? DEFAULTS.keyCacheTtlSeconds),
    SESSION_COGNITO_USER_POOL_ID: props.cognitoUserPoolId,
    SESSION_COGNITO_CLIENT_IDS: list(props.cognitoClientIds),
    SESSION_JWT_ISSUER: props.jwtIssuer,
    SESSION_JWT_JWKS_URL: props.jwtJwksUrl,
    SESSION_JWT_AUDIENCE: list(props.jwtAudience),
    SESSION_JWT_EMAIL_CLAIM: props.jwtEmailClaim,
    SESSION_COOKIE_NAMES: list(props.sessionCookieNames),
    SESSION_INTROSPECTION_URL: props.introspectionUrl,
    SESSION_INTROSPECTION_COOKIES: list(props.introspectionCookieNames),
    SESSION_INTROSPECTION_SECRET_ID: props.introspectionSecret,
    SESSION_INTROSPECTION_CACHE_SECONDS:
      props.introspectionUrl === undefined ? undefined : String(props.introspectionCacheSeconds ?? 0),
    ALLOWED_ORIGINS: list(allowedOrigins),
    TOKEN_TTL_SECONDS: String(props.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds),
    TOKEN_ISSUER: props.tokenIssuer,
    TOKEN_AUDIENCE: props.tokenAudience,
    TOKEN_PROFILE: props.tokenProfile ?? 'default',
    TOKEN_SITE_URL: props.tokenSiteUrl,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function list(values: readonly string[] | undefined): string | undefined {
  return values !== undefined && values.length > 0 ? values.join(',') : undefined;
}

const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * The IAM resource for one secret. Secrets Manager appends `-` and 6 random characters to every secret
 * name, so a name or partial ARN needs exactly `-??????` (not `*`, which would also match `name-other`);
 * a complete ARN is used as is.
 */
function secretPolicyArn(scope: Construct, secretId: string): string {
  if (Token.isUnresolved(secretId)) return secretId; // the stack's own secret: its Ref is the complete ARN
  if (secretId.startsWith('arn:')) {
    const name = Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '';
    return SECRET_SUFFIX.test(name) ? secretId : `${secretId}-??????`;
  }
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function secretRegion(secretId: string): string {
  if (!Token.isUnresolved(secretId) && secretId.startsWith('arn:')) {
    return Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME).region ?? Aws.REGION;
  }
  return Aws.REGION;
}

function quoteAll(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}

function staticHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
  );
}

function declaredHeaders(names: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(names.map((name) => [`method.response.header.${name}`, true]));
}

/**
 * VTL that sets the CORS headers only when the request Origin is exactly one of `allowedOrigins`
 * (header names arrive as sent: HTTP/2 lowercases them). Origins are validated, so they hold no quotes.
 */
function echoAllowedOrigin(allowedOrigins: readonly string[], extraHeaders: Record<string, string>): string {
  if (allowedOrigins.length === 0) return '';
  const condition = allowedOrigins.map((origin) => `$origin == "${origin}"`).join(' || ');
  const lines = [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    `#if(${condition})`,
    '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#set($context.responseOverride.header.Access-Control-Allow-Credentials = "true")',
    ...Object.entries(extraHeaders).map(
      ([name, value]) => `#set($context.responseOverride.header.${name} = "${value}")`,
    ),
    '#end',
  ];
  return `${lines.join('\n')}\n`;
}
